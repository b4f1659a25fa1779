// tocsin_engine_bench: the engagement engine's numbers, in-process on a real
// SQLite file (synchronous=FULL) with the real scheduler and delivery thread
// and a notifier that only counts.
//
//  1. first page: engagement start (one durable transaction) → page handed
//     to the notifier, one at a time, p50/p99; baseline: one durable write
//     (the same commit path, no engine) measured in the same run.
//  2. N active engagements (default 100,000), each with a pending stage job.
//     Memory: process RSS growth per active engagement with every job cached.
//  3. timer lateness with those N engagements pending: 2,000 jobs due 5 ms
//     apart; lateness = commit time − due time, p50/p99.
//  4. restart: the store is closed and reopened on a clock 11 minutes later
//     (as if the process had been down that long), and a new scheduler loads
//     the N pending jobs, all overdue; time from reopening until every one
//     has fired, and duplicates (pages beyond one per engagement and stage).
//
// Usage: tocsin_engine_bench [N]   (prints a Markdown table)
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tocsin/core/clock.h"
#include "tocsin/domain/engagement_service.h"
#include "tocsin/domain/ledger_service.h"
#include "tocsin/domain/plan_service.h"
#include "tocsin/notify/page_dispatcher.h"
#include "tocsin/scheduler/scheduler.h"
#include "tocsin/store/store.h"

using namespace tocsin;  // NOLINT: a benchmark driver.
using Steady = std::chrono::steady_clock;

namespace {

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kb = 0;
      in >> kb;
      return kb;
    }
    std::getline(in, key);
  }
  return 0;
}

// Records when each page reached the "carrier".
class CountingNotifier final : public notify::Notifier {
 public:
  void SendActivationCode(const domain::Channel&, const std::string&) override {}
  Result<notify::Handover> SendPage(const notify::PageMessage& p) override {
    std::lock_guard<std::mutex> lock(mu_);
    sent_at_[p.engagement_id] = Steady::now();
    ++count_;
    return notify::Handover{"bench:" + p.page_id, {}};
  }
  std::optional<Steady::time_point> SentAt(const std::string& engagement) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sent_at_.find(engagement);
    if (it == sent_at_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::mutex mu_;
  std::map<std::string, Steady::time_point> sent_at_;
  size_t count_ = 0;
};

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 100'000;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tocsin-engine-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  store::StoreOptions options;
  options.path = (dir / "bench.db").string();
  Clock& clock = SystemClock();
  auto opened = store::OpenSqliteStore(options, clock);
  Check(opened.status(), "open");
  store::Store& st = **opened;
  domain::PlanService plans;
  domain::EngagementService engine(plans);
  CountingNotifier notifier;
  auto sched = std::make_unique<scheduler::Scheduler>(st, clock);
  notify::DispatcherOptions delivery;
  delivery.public_url = "http://127.0.0.1:8080";
  notify::PageDispatcher dispatcher(st, engine, notifier, clock, delivery);
  for (const char* kind : {domain::kStageJob, domain::kRetryJob}) {
    sched->Register(
        kind, [&engine](store::WriteTxn& t, const domain::Job& j) { return engine.RunJob(t, j); });
  }
  engine.SetListeners({[&](int64_t id, TimePoint due) { sched->Add(id, due); },
                       [&](const domain::Page& p) { dispatcher.Enqueue(p); }});

  // One person: mail at once, then (after 10 minutes) a second stage.
  const domain::Actor actor{domain::SystemPrincipal(), "bench"};
  Check(st.WriteSync([&](store::WriteTxn& t) {
    domain::Contact p;
    p.meta.id = "person-1";
    p.meta.version = 1;
    p.meta.created_at = p.meta.updated_at = t.Now();
    p.alias = "oncall";
    domain::Channel c;
    c.meta = p.meta;
    c.meta.id = "channel-1";
    c.contact_id = p.meta.id;
    c.name = "mail";
    c.delivery_address = "oncall@example.com";
    c.activation_status = domain::ActivationStatus::kActivated;
    domain::Stage s0;
    s0.duration_minutes = 10;
    s0.targets.push_back({c.meta.id, 0, "", false});
    domain::Stage s1 = s0;
    s1.duration_minutes = 5;
    p.stages = {s0, s1};
    TOCSIN_RETURN_IF_ERROR(t.Contacts().Insert(p, {}));
    return t.Channels().Insert(c, {p.meta.id});
  }),
        "setup");
  sched->Start();
  dispatcher.Start();

  auto start_one = [&](store::WriteTxn& t) -> Result<std::string> {
    domain::StartEngagementRequest r;
    r.contact = "oncall";
    r.sender = "bench";
    r.subject = "bench";
    r.content = "bench";
    auto e = engine.Start(t, actor, r);
    if (!e.ok()) return e.status();
    return e->id;
  };

  // 1. First page latency, and the bare durable-write baseline.
  std::vector<double> first_page;
  std::vector<double> baseline;
  for (int i = 0; i < 2000; ++i) {
    const auto t0 = Steady::now();
    Check(st.WriteSync([](store::WriteTxn& t) { return t.PutMeta("bench", "x"); }), "baseline");
    baseline.push_back(Ms(Steady::now() - t0));
  }
  for (int i = 0; i < 2000; ++i) {
    std::string id;
    const auto t0 = Steady::now();
    Check(st.WriteSync([&](store::WriteTxn& t) {
      auto r = start_one(t);
      if (!r.ok()) return r.status();
      id = *r;
      return Status::Ok();
    }),
          "start");
    std::optional<Steady::time_point> sent;
    while (!(sent = notifier.SentAt(id))) std::this_thread::yield();
    first_page.push_back(Ms(*sent - t0));
  }

  // 2. N active engagements, each with its stage job pending (1 minute out).
  const long rss_before = RssKb();
  const auto fill0 = Steady::now();
  for (int done = 0; done < n;) {
    const int batch = std::min(500, n - done);
    Check(st.WriteSync([&](store::WriteTxn& t) {
      for (int k = 0; k < batch; ++k) {
        auto r = start_one(t);
        if (!r.ok()) return r.status();
      }
      return Status::Ok();
    }),
          "fill");
    done += batch;
  }
  dispatcher.WaitIdle();
  const double fill_s = Ms(Steady::now() - fill0) / 1000;
  const long rss_after = RssKb();

  // 3. Lateness of jobs due 5 ms apart while N jobs wait in the heap.
  std::mutex late_mu;
  std::vector<double> lateness;
  sched->SetFiredListener([&](int64_t, TimePoint due, TimePoint committed) {
    std::lock_guard<std::mutex> lock(late_mu);
    lateness.push_back(static_cast<double>((committed - due).count()));
  });
  sched->Register("bench.noop", [](store::WriteTxn&, const domain::Job&) { return Status::Ok(); });
  const TimePoint base = clock.Now() + std::chrono::milliseconds(200);
  Check(st.WriteSync([&](store::WriteTxn& t) {
    for (int i = 0; i < 2000; ++i) {
      domain::Job j;
      j.kind = "bench.noop";
      j.owner = "bench";
      j.ref = "bench";
      j.due = base + std::chrono::milliseconds(5 * i);
      auto id = t.Jobs().InsertJob(j);
      if (!id.ok()) return id.status();
      t.OnCommit([&, id = *id, due = j.due] { sched->Add(id, due); });
    }
    return Status::Ok();
  }),
        "lateness jobs");
  while (true) {
    {
      std::lock_guard<std::mutex> lock(late_mu);
      if (lateness.size() >= 2000) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sched->SetFiredListener(nullptr);
  sched->Stop();
  dispatcher.Stop();

  // 4. Restart eleven minutes later: every stage job is overdue. The store is
  // reopened on the later clock too, so the next stages the catch-up writes
  // are due five minutes after the restart, as they would be in a real one.
  // Like the server (every 1,000 entries and at shutdown), sign a ledger
  // checkpoint first, so that reopening does not replay the whole ledger.
  Check(st.WriteSync([&](store::WriteTxn& t) {
    auto ledger = domain::OpenLedgerService(t, options.path, "", "bench");
    if (!ledger.ok()) return ledger.status();
    return (*ledger)->Checkpoint(t).status();
  }),
        "checkpoint");
  st.Shutdown();
  auto later = NewOffsetClock(clock, std::chrono::minutes(11));
  const auto r0 = Steady::now();
  auto reopened = store::OpenSqliteStore(options, *later);
  Check(reopened.status(), "reopen");
  const double reopen_s = Ms(Steady::now() - r0) / 1000;
  store::Store& st2 = **reopened;
  scheduler::Scheduler restarted(st2, *later);
  restarted.Register(domain::kStageJob, [&engine](store::WriteTxn& t, const domain::Job& j) {
    return engine.RunJob(t, j);
  });
  restarted.Register(domain::kRetryJob, [&engine](store::WriteTxn& t, const domain::Job& j) {
    return engine.RunJob(t, j);
  });
  engine.SetListeners({[&](int64_t id, TimePoint due) { restarted.Add(id, due); }, nullptr});
  Check(restarted.Load(), "load");
  const auto pending = restarted.Stats().cached;
  restarted.Start();
  restarted.WaitIdle();
  const double restart_s = Ms(Steady::now() - r0) / 1000;
  const auto stats = restarted.Stats();
  restarted.Stop();
  // Duplicates: more than one page per (run, stage, attempt) cannot be stored
  // (unique key); count stage-2 pages against engagements instead.
  int64_t stage2_pages = 0;
  Check(st2.Read([&](store::ReadTxn& t) {
    store::PageQuery q;
    q.contact_id = "person-1";
    q.limit = 100;
    while (true) {
      auto page = t.Engagements().ListPages(q);
      if (!page.ok()) return page.status();
      for (const auto& p : page->items) stage2_pages += p.stage == 1 ? 1 : 0;
      if (page->next_cursor.empty()) return Status::Ok();
      q.cursor = page->next_cursor;
    }
  }),
        "count");
  st2.Shutdown();
  std::filesystem::remove_all(dir);

  const int total = n + 2000;
  std::printf("| measure | value | target |\n|---|---|---|\n");
  std::printf("| durable write baseline p50 / p99 | %.2f / %.2f ms | |\n", Percentile(baseline, .5),
              Percentile(baseline, .99));
  std::printf(
      "| engagement start → first page at notifier p50 / p99 | %.2f / %.2f ms (%.1f× the "
      "baseline p99) | p99 ≤ 20 ms |\n",
      Percentile(first_page, .5), Percentile(first_page, .99),
      Percentile(first_page, .99) / std::max(0.001, Percentile(baseline, .99)));
  std::printf("| %d engagements started (500 per transaction) | %.1f s, %.0f/s | |\n", n, fill_s,
              n / fill_s);
  std::printf("| memory per active engagement (RSS growth / %d) | %.0f bytes | |\n", n,
              1024.0 * static_cast<double>(rss_after - rss_before) / n);
  std::printf("| timer lateness with %d pending, p50 / p99 | %.1f / %.1f ms | p99 ≤ 10 ms |\n",
              total, Percentile(lateness, .5), Percentile(lateness, .99));
  std::printf(
      "| restart: %zu overdue jobs all fired | %.2f s from reopening the store (reopen %.2f s; "
      "fired %llu, stale %llu, failed %llu) | ≤ 2 s |\n",
      pending, restart_s, reopen_s, static_cast<unsigned long long>(stats.fired),
      static_cast<unsigned long long>(stats.stale), static_cast<unsigned long long>(stats.failed));
  std::printf("| stage-2 pages / engagements (duplicates = excess) | %lld / %d | 0 excess |\n",
              static_cast<long long>(stage2_pages), total);
  return 0;
}
