// RuleSet: the enabled rules, compiled once, deciding what each ingested
// signal does.
//
// Rules are tried in priority order (lower first; ties by creation order);
// the first whose pattern matches the signal's envelope decides:
//  - startIncident routes the signal to the rule's plan (else the
//    integration's): a trigger starts or dedupes an incident, a resolve
//    resolves it when the integration auto-resolves (else it is noted), an
//    acknowledge stops paging, an annotation is noted;
//  - resolveIncident resolves the signal's incident whatever the signal says
//    and whatever autoResolve says;
//  - drop ignores it.
// A signal no rule matches follows the integration's default plan the same
// way as startIncident; without one it is dropped as unmatched.
//
// Immutable once built; Decide may run on any number of threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tocsin/domain/integration.h"
#include "tocsin/ingest/signal.h"
#include "tocsin/rules/event_pattern.h"

namespace tocsin::ingest {

struct Decision {
  enum class Kind { kStart, kResolve, kAcknowledge, kAnnotate, kDrop };
  Kind kind = Kind::kDrop;
  std::string response_plan;  // Plan id (kStart).
  std::optional<int> impact;  // The rule's, else the signal's.
  std::string title;          // The rule's rendered template, else the signal's.
  // A resolve that ignores autoResolve (a resolveIncident rule).
  bool force_resolve = false;
  std::string rule;  // The deciding rule's name; empty for the integration's default.
  // Why a kDrop: "rule" (a drop rule), "unmatched" (no rule, no default
  // plan), "no plan" (a startIncident rule without a plan anywhere).
  std::string drop_reason;
};

const char* DecisionKindName(Decision::Kind kind);  // "start", "resolve", ...

class RuleSet {
 public:
  RuleSet() = default;
  // Compiles the enabled rules of `rules`. A stored pattern that no longer
  // compiles (rules are validated on write) is skipped and logged.
  static RuleSet Compile(std::vector<domain::Rule> rules);

  Decision Decide(const Signal& signal, const domain::Integration& integration) const;
  size_t size() const { return rules_.size(); }

 private:
  struct Compiled {
    domain::Rule rule;
    rules::EventPattern pattern;
  };
  std::vector<Compiled> rules_;
};

}  // namespace tocsin::ingest
