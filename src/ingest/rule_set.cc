#include "tocsin/ingest/rule_set.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "tocsin/core/log.h"
#include "tocsin/ingest/title_template.h"

namespace tocsin::ingest {

const char* DecisionKindName(Decision::Kind kind) {
  switch (kind) {
    case Decision::Kind::kStart:
      return "start";
    case Decision::Kind::kResolve:
      return "resolve";
    case Decision::Kind::kAcknowledge:
      return "acknowledge";
    case Decision::Kind::kAnnotate:
      return "annotate";
    case Decision::Kind::kDrop:
      return "drop";
  }
  return "drop";
}

RuleSet RuleSet::Compile(std::vector<domain::Rule> rules) {
  // Stable: equal priorities keep the creation order the store lists them in.
  std::stable_sort(rules.begin(), rules.end(), [](const domain::Rule& a, const domain::Rule& b) {
    return a.priority < b.priority;
  });
  RuleSet set;
  for (auto& rule : rules) {
    if (!rule.enabled) continue;
    auto pattern = rules::EventPattern::Parse(rule.pattern, rules::EventPattern::kMaxPatternChars);
    if (!pattern.ok()) {
      spdlog::error("msg=\"stored rule has an invalid pattern; skipped\" rule={} error={}",
                    LogQuote(rule.name), LogQuote(pattern.status().message()));
      continue;
    }
    set.rules_.push_back({std::move(rule), std::move(*pattern)});
  }
  return set;
}

namespace {

// What a signal does when routed to a plan (a startIncident rule or the
// integration's default).
Decision Route(const Signal& signal, std::string plan) {
  Decision d;
  d.response_plan = std::move(plan);
  d.impact = signal.impact;
  d.title = signal.title;
  switch (signal.action) {
    case SignalAction::kTrigger:
      d.kind = d.response_plan.empty() ? Decision::Kind::kDrop : Decision::Kind::kStart;
      if (d.kind == Decision::Kind::kDrop) d.drop_reason = "no plan";
      break;
    case SignalAction::kResolve:
      d.kind = Decision::Kind::kResolve;
      break;
    case SignalAction::kAcknowledge:
      d.kind = Decision::Kind::kAcknowledge;
      break;
    case SignalAction::kAnnotate:
      d.kind = Decision::Kind::kAnnotate;
      break;
  }
  return d;
}

}  // namespace

Decision RuleSet::Decide(const Signal& signal, const domain::Integration& integration) const {
  for (const Compiled& c : rules_) {
    if (!c.pattern.Matches(signal.envelope)) continue;
    const domain::Rule& rule = c.rule;
    Decision d;
    switch (rule.action) {
      case domain::RuleAction::kDrop:
        d.kind = Decision::Kind::kDrop;
        d.drop_reason = "rule";
        break;
      case domain::RuleAction::kResolveIncident:
        d.kind = Decision::Kind::kResolve;
        d.force_resolve = true;
        d.title = signal.title;
        break;
      case domain::RuleAction::kStartIncident:
        d = Route(signal,
                  rule.response_plan.empty() ? integration.response_plan : rule.response_plan);
        if (rule.impact) d.impact = rule.impact;
        if (!rule.title_template.empty()) {
          std::string title = RenderTitleTemplate(rule.title_template, signal.envelope);
          if (!title.empty()) d.title = std::move(title);
        }
        break;
    }
    d.rule = rule.name;
    return d;
  }
  if (integration.response_plan.empty()) {
    Decision d;
    d.drop_reason = "unmatched";
    return d;
  }
  return Route(signal, integration.response_plan);
}

}  // namespace tocsin::ingest
