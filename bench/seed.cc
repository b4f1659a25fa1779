// tocsin_seed: fills a database with incidents and timeline entries through
// the real services (valid rows, valid ledger), for the list benchmark.
//
//   tocsin_seed DB_PATH INCIDENTS ENTRIES_PER_INCIDENT OPEN_PERCENT
//
// Every incident gets "Incident Created", ENTRIES_PER_INCIDENT - 2 notes and,
// unless it stays open, "Incident Resolved"; OPEN_PERCENT of them stay open.
// Like a server that wrote the entries itself, it signs a ledger checkpoint
// after every batch (with the key a server on DB_PATH will use, created next
// to the database if missing), so a server opening the result replays only
// the entries after the last one.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tocsin/core/clock.h"
#include "tocsin/domain/incident_service.h"
#include "tocsin/domain/ledger_service.h"
#include "tocsin/domain/plan_service.h"
#include "tocsin/store/store.h"

using namespace std::chrono;  // NOLINT(google-build-using-namespace): a small tool.

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr,
                 "usage: tocsin_seed DB_PATH INCIDENTS ENTRIES_PER_INCIDENT OPEN_PERCENT\n");
    return 2;
  }
  const std::string path = argv[1];
  const long incidents = std::atol(argv[2]);
  const long per = std::max(2L, std::atol(argv[3]));
  const long open_percent = std::atol(argv[4]);
  tocsin::store::StoreOptions options;
  options.path = path;
  options.synchronous_full = false;  // Seeding only; the benchmark server uses FULL.
  auto store = tocsin::store::OpenSqliteStore(options, tocsin::SystemClock());
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<tocsin::domain::LedgerService> ledger;
  if (tocsin::Status opened = (*store)->WriteSync([&](tocsin::store::WriteTxn& txn) {
        auto l = tocsin::domain::OpenLedgerService(txn, path, "", "");
        if (!l.ok()) return l.status();
        ledger = std::move(*l);
        return tocsin::Status::Ok();
      });
      !opened.ok()) {
    std::fprintf(stderr, "ledger: %s\n", opened.ToString().c_str());
    return 1;
  }
  tocsin::domain::PlanService plans;
  tocsin::domain::IncidentService service("000000000000");
  const tocsin::domain::Actor actor{{"seed", tocsin::domain::Role::kAdmin}, "seed"};
  tocsin::Status s = (*store)->WriteSync([&](tocsin::store::WriteTxn& txn) {
    tocsin::domain::ResponsePlan plan;
    plan.name = "seeded";
    plan.incident_template.title = "Seeded incident";
    plan.incident_template.impact = 3;
    return plans.CreateResponsePlan(txn, actor.who, plan).status();
  });
  if (!s.ok() && s.code() != tocsin::StatusCode::kAlreadyExists) {
    std::fprintf(stderr, "plan: %s\n", s.ToString().c_str());
    return 1;
  }
  const auto start = steady_clock::now();
  constexpr long kBatch = 2000;
  for (long done = 0; done < incidents; done += kBatch) {
    const long n = std::min(kBatch, incidents - done);
    s = (*store)->WriteSync([&](tocsin::store::WriteTxn& txn) {
      for (long k = 0; k < n; ++k) {
        const long i = done + k;
        tocsin::domain::StartIncident req;
        req.response_plan = "seeded";
        req.title = "Seeded incident " + std::to_string(i) + (i % 7 == 0 ? " database" : " web");
        req.impact = static_cast<int>(1 + i % 5);
        auto started = service.Start(txn, actor, req);
        if (!started.ok()) return started.status();
        for (long e = 0; e < per - 2; ++e) {
          tocsin::domain::CustomEventSpec note;
          note.event_type = "Note";
          note.event_time = txn.Now();
          note.event_data = "\"seeded note " + std::to_string(e) + "\"";
          auto added = service.AddEvent(txn, actor, started->incident.id, note);
          if (!added.ok()) return added.status();
        }
        if (i % 100 >= open_percent) {
          auto resolved = service.Resolve(txn, actor, started->incident.id);
          if (!resolved.ok()) return resolved.status();
        }
      }
      return ledger->Checkpoint(txn).status();
    });
    if (!s.ok()) {
      std::fprintf(stderr, "seed: %s\n", s.ToString().c_str());
      return 1;
    }
    if ((done / kBatch) % 50 == 0) {
      std::fprintf(stderr, "\rseeded %ld/%ld incidents", done + n, incidents);
    }
  }
  (*store)->Shutdown();
  const double secs = duration<double>(steady_clock::now() - start).count();
  std::fprintf(stderr, "\rseeded %ld incidents, %ld ledger entries in %.1f s\n", incidents,
               incidents * (per - (open_percent == 100 ? 1 : 0)), secs);
  return 0;
}
