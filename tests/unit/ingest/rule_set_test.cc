#include "tocsin/ingest/rule_set.h"

#include <gtest/gtest.h>

namespace tocsin::ingest {
namespace {

domain::Rule MakeRule(std::string name, std::string pattern, domain::RuleAction action,
                      int priority) {
  domain::Rule r;
  r.name = std::move(name);
  r.pattern = std::move(pattern);
  r.action = action;
  r.priority = priority;
  return r;
}

Signal AlertSignal(SignalAction action, std::string severity) {
  Signal s;
  s.action = action;
  s.key = "fp1";
  s.title = "HighCPU";
  s.impact = 3;
  s.envelope = {{"source", "prometheus.alertmanager"},
                {"detail", {{"labels", {{"alertname", "HighCPU"}, {"severity", severity}}}}}};
  return s;
}

domain::Integration WithPlan(std::string plan, bool auto_resolve = true) {
  domain::Integration i;
  i.name = "prom";
  i.response_plan = std::move(plan);
  i.auto_resolve = auto_resolve;
  return i;
}

TEST(RuleSetTest, FirstMatchByPriorityDecides) {
  auto route = MakeRule("route", R"({"source":["prometheus.alertmanager"]})",
                        domain::RuleAction::kStartIncident, 20);
  route.response_plan = "plan-rule";
  route.impact = 1;
  route.title_template = "{{detail.labels.alertname}}!";
  auto drop = MakeRule("drop-info", R"({"detail":{"labels":{"severity":["info"]}}})",
                       domain::RuleAction::kDrop, 10);
  auto disabled = MakeRule("off", R"({"source":[{"prefix":""}]})", domain::RuleAction::kDrop, 0);
  disabled.enabled = false;
  RuleSet set = RuleSet::Compile({route, drop, disabled});
  EXPECT_EQ(set.size(), 2u);

  Decision info = set.Decide(AlertSignal(SignalAction::kTrigger, "info"), WithPlan("default"));
  EXPECT_EQ(info.kind, Decision::Kind::kDrop);
  EXPECT_EQ(info.drop_reason, "rule");
  EXPECT_EQ(info.rule, "drop-info");

  Decision page = set.Decide(AlertSignal(SignalAction::kTrigger, "page"), WithPlan("default"));
  EXPECT_EQ(page.kind, Decision::Kind::kStart);
  EXPECT_EQ(page.response_plan, "plan-rule");
  EXPECT_EQ(page.impact, 1);
  EXPECT_EQ(page.title, "HighCPU!");

  // A resolved alert routed by the same rule resolves.
  Decision resolve = set.Decide(AlertSignal(SignalAction::kResolve, "page"), WithPlan(""));
  EXPECT_EQ(resolve.kind, Decision::Kind::kResolve);
  EXPECT_FALSE(resolve.force_resolve);
}

TEST(RuleSetTest, WithoutAMatchTheIntegrationsPlanOrUnmatched) {
  RuleSet none = RuleSet::Compile({});
  Decision d = none.Decide(AlertSignal(SignalAction::kTrigger, "x"), WithPlan("default"));
  EXPECT_EQ(d.kind, Decision::Kind::kStart);
  EXPECT_EQ(d.response_plan, "default");
  EXPECT_EQ(d.impact, 3) << "the signal's own impact";
  EXPECT_EQ(d.title, "HighCPU");
  EXPECT_TRUE(d.rule.empty());

  Decision unmatched = none.Decide(AlertSignal(SignalAction::kTrigger, "x"), WithPlan(""));
  EXPECT_EQ(unmatched.kind, Decision::Kind::kDrop);
  EXPECT_EQ(unmatched.drop_reason, "unmatched");

  // A routing rule with no plan anywhere cannot start anything.
  RuleSet route_only = RuleSet::Compile({MakeRule("r", R"({"source":["prometheus.alertmanager"]})",
                                                  domain::RuleAction::kStartIncident, 1)});
  Decision no_plan = route_only.Decide(AlertSignal(SignalAction::kTrigger, "x"), WithPlan(""));
  EXPECT_EQ(no_plan.kind, Decision::Kind::kDrop);
  EXPECT_EQ(no_plan.drop_reason, "no plan");
}

TEST(RuleSetTest, ResolveRuleForcesAndBadStoredPatternsAreSkipped) {
  RuleSet set = RuleSet::Compile(
      {MakeRule("broken", R"({"source":[{"prefix":5}]})", domain::RuleAction::kDrop, 1),
       MakeRule("close", R"({"detail":{"labels":{"alertname":["HighCPU"]}}})",
                domain::RuleAction::kResolveIncident, 2)});
  EXPECT_EQ(set.size(), 1u);
  Decision d = set.Decide(AlertSignal(SignalAction::kTrigger, "x"), WithPlan("p", false));
  EXPECT_EQ(d.kind, Decision::Kind::kResolve);
  EXPECT_TRUE(d.force_resolve);
  EXPECT_EQ(d.rule, "close");
}

}  // namespace
}  // namespace tocsin::ingest
