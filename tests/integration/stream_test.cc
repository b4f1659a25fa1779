// GET /api/v1/stream over real connections: live events, the incident
// filter, resuming with Last-Event-ID (also while writes go on, and in
// installments), heartbeats driven by the fake clock, slow readers dropped
// without slowing writers or other streams, the stream cap, auth and bad
// input, and shutdown with open streams.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "api/ledger_stream.h"
#include "support/sse_client.h"
#include "support/test_server.h"
#include "tocsin/core/time.h"

namespace tocsin::test {
namespace {

using nlohmann::json;
using Steady = std::chrono::steady_clock;
using Headers = std::map<std::string, std::string>;

std::vector<int64_t> Seqs(const std::vector<SseEvent>& events) {
  std::vector<int64_t> out;
  for (const auto& e : events) out.push_back(e.seq());
  return out;
}

// Threads joined when it goes out of scope, also when an ASSERT returns early.
class Threads {
 public:
  Threads() = default;
  Threads(const Threads&) = delete;
  Threads& operator=(const Threads&) = delete;
  ~Threads() { Join(); }
  template <typename Fn>
  void Start(Fn fn) {
    threads_.emplace_back(std::move(fn));
  }
  void Join() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  std::vector<std::thread> threads_;
};

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(admin_
                  .Post("/api/v1/response-plans",
                        {{"name", "web"},
                         {"incidentTemplate", {{"title", "Web trouble"}, {"impact", 3}}}})
                  .status,
              201);
  }

  // Restarts the server (same database) with `change` applied to its configuration.
  template <typename Change>
  void Reconfigure(Change change) {
    change(server_.config());
    server_.Restart();
    admin_ = server_.Admin();
  }

  json StartIncident(const std::string& title) {
    auto r = admin_.Post("/api/v1/incidents", {{"responsePlan", "web"}, {"title", title}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json();
  }

  // Adds a note and returns its ledger seq.
  static int64_t AddNote(HttpClient& client, const std::string& incident, const std::string& text) {
    auto r = client.Post("/api/v1/incidents/" + incident + "/timeline",
                         {{"eventType", "Note"}, {"eventData", text}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("sequence", int64_t{-1});
  }

  std::string Token(const std::string& role) {
    auto r = admin_.Post("/api/v1/api-keys", {{"name", "stream " + role}, {"role", role}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("token", "");
  }

  std::unique_ptr<SseClient> Open(const std::string& query = "", Headers headers = {},
                                  int receive_buffer = 0, const std::string& token = kAdminToken) {
    SseOptions options;
    options.headers = std::move(headers);
    if (!token.empty()) options.headers["Authorization"] = "Bearer " + token;
    options.receive_buffer = receive_buffer;
    return std::make_unique<SseClient>(server_.port(), "/api/v1/stream" + query, options);
  }

  // The seqs of the ledger entries after `after` (of one incident, if given),
  // read from the store.
  std::vector<int64_t> LedgerSeqs(int64_t after, const std::string& incident = "") {
    std::vector<int64_t> out;
    Status s = server_.app().store().Read([&](store::ReadTxn& txn) {
      for (;;) {
        auto page = txn.ReadLedger(after, 100, incident);
        if (!page.ok()) return page.status();
        if (page->empty()) return Status::Ok();
        for (const auto& e : *page) out.push_back(e.seq);
        after = out.back();
      }
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  int64_t LedgerSize() {
    int64_t size = -1;
    Status s = server_.app().store().Read([&](store::ReadTxn& txn) {
      auto r = txn.LedgerSize();
      if (!r.ok()) return r.status();
      size = *r;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return size;
  }

  TestServer server_;
  HttpClient admin_ = server_.Admin();
};

TEST_F(StreamTest, LiveEventsArriveAsTheyCommit) {
  auto stream = Open();
  ASSERT_EQ(stream->status(), 200) << stream->body();
  EXPECT_EQ(stream->header("content-type"), "text/event-stream");
  EXPECT_EQ(stream->header("cache-control"), "no-cache");
  EXPECT_EQ(stream->header("transfer-encoding"), "chunked");
  const int64_t before = LedgerSize();

  const std::string id = StartIncident("Checkout 500s")["id"];
  const int64_t note = AddNote(admin_, id, "rolling back");
  auto events = stream->ReadThrough(note);
  ASSERT_FALSE(events.empty()) << stream->error();
  // Everything committed since the stream opened, in order.
  EXPECT_EQ(Seqs(events), LedgerSeqs(before));
  std::vector<std::string> types;
  for (const auto& e : events) {
    EXPECT_EQ(e.event, "timeline");
    EXPECT_EQ(e.json()["sequence"], e.seq());
    if (e.json()["incidentId"] == id) types.push_back(e.json()["eventType"]);
  }
  EXPECT_EQ(types, std::vector<std::string>({"Incident Created", "Note"}));
  EXPECT_EQ(events.back().seq(), note);
  EXPECT_EQ(events.back().json()["eventData"], "rolling back");
}

TEST_F(StreamTest, IncidentFilterShowsOnlyThatIncident) {
  json a = StartIncident("A");
  const std::string a_id = a["id"];
  const std::string b_id = StartIncident("B")["id"];
  auto by_id = Open("?incident=" + a_id);
  auto by_arn = Open("?incident=" + a["arn"].get<std::string>());
  auto everything = Open();
  ASSERT_EQ(by_id->status(), 200) << by_id->body();
  ASSERT_EQ(by_arn->status(), 200) << by_arn->body();

  const int64_t other = AddNote(admin_, b_id, "b only");
  // An audit entry (no incident): only the unfiltered stream shows it.
  ASSERT_EQ(admin_
                .Post("/api/v1/response-plans",
                      {{"name", "db"}, {"incidentTemplate", {{"title", "DB"}, {"impact", 2}}}})
                .status,
            201);
  const int64_t note = AddNote(admin_, a_id, "a note");
  for (SseClient* stream : {by_id.get(), by_arn.get()}) {
    auto e = stream->NextEvent();
    ASSERT_TRUE(e) << stream->error();
    EXPECT_EQ(e->seq(), note);
    EXPECT_EQ(e->json()["incidentId"], a_id);
  }
  auto all = everything->ReadThrough(note);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].seq(), other);
  EXPECT_EQ(all[1].json()["eventType"], "Audit");
  EXPECT_EQ(all[1].json()["incidentId"], "");
  EXPECT_EQ(all[2].seq(), note);
}

TEST_F(StreamTest, LastEventIdReplaysExactlyTheMissedEntriesThenGoesLive) {
  const std::string a = StartIncident("A")["id"];
  const std::string b = StartIncident("B")["id"];
  std::vector<int64_t> notes;
  for (int i = 0; i < 6; ++i)
    notes.push_back(AddNote(admin_, i % 2 ? b : a, "n" + std::to_string(i)));
  const std::string resume = std::to_string(notes[2]);

  auto by_header = Open("", {{"Last-Event-ID", resume}});
  auto by_query = Open("?lastEventId=" + resume);
  // EventSource reconnects with the original URL and a newer header.
  auto header_wins = Open("?lastEventId=1", {{"Last-Event-ID", resume}});
  auto filtered = Open("?incident=" + a, {{"Last-Event-ID", resume}});
  auto from_start = Open("", {{"Last-Event-ID", "0"}});
  for (SseClient* s :
       {by_header.get(), by_query.get(), header_wins.get(), filtered.get(), from_start.get()}) {
    ASSERT_EQ(s->status(), 200) << s->body();
  }

  const int64_t live = AddNote(admin_, a, "live");
  const auto expected = LedgerSeqs(notes[2]);
  ASSERT_EQ(expected.back(), live);
  for (SseClient* s : {by_header.get(), by_query.get(), header_wins.get()}) {
    EXPECT_EQ(Seqs(s->ReadThrough(live)), expected);
  }
  EXPECT_EQ(Seqs(filtered->ReadThrough(live)), LedgerSeqs(notes[2], a));
  EXPECT_EQ(Seqs(from_start->ReadThrough(live)), LedgerSeqs(0));
  // And it stays live.
  const int64_t next = AddNote(admin_, b, "after");
  auto e = by_header->NextEvent();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->seq(), next);
}

TEST_F(StreamTest, ResumingWhileWritesGoOnLeavesNoGapAndNoDuplicate) {
  const std::string id = StartIncident("Busy")["id"];
  const std::string other = StartIncident("Other")["id"];
  constexpr int kWriters = 3;
  constexpr int kNotes = 40;
  Threads writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.Start([&, w] {
      HttpClient client = server_.Admin();
      for (int i = 0; i < kNotes; ++i) {
        AddNote(client, i % 3 == 0 ? other : id, "w" + std::to_string(w) + "n" + std::to_string(i));
      }
    });
  }
  struct Resumed {
    int64_t after;
    std::string incident;
    std::unique_ptr<SseClient> stream;
  };
  std::vector<Resumed> streams;
  for (int i = 0; i < 8; ++i) {
    const int64_t after = std::max<int64_t>(0, LedgerSize() - (i % 4) * 3);
    const std::string incident = i % 2 ? id : "";
    streams.push_back({after, incident,
                       Open(incident.empty() ? "" : "?incident=" + incident,
                            {{"Last-Event-ID", std::to_string(after)}})});
    ASSERT_EQ(streams.back().stream->status(), 200) << streams.back().stream->body();
    // Spread the resumptions over the writers' run.
    AddNote(admin_, id, "main " + std::to_string(i));
  }
  writers.Join();

  for (auto& r : streams) {
    const auto expected = LedgerSeqs(r.after, r.incident);
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(Seqs(r.stream->ReadThrough(expected.back())), expected)
        << "after " << r.after << " incident " << r.incident;
  }
}

TEST_F(StreamTest, ResumeLoopWithATinyBudgetUnderWritesDeliversEachEntryOnce) {
  // A 2 KiB backlog per connection: streams are cut every few events, and the
  // live entries that arrive during a catch-up overflow its buffer, so the
  // catch-up reads them from the store instead.
  Reconfigure([](app::Config& c) {
    c.api.stream_catch_up_bytes = 2048;
    c.store.synchronous_full = false;
  });
  const std::string id = StartIncident("Churn")["id"];
  constexpr int kWriters = 3;
  constexpr int kNotes = 40;
  constexpr int kBacklog = 30;
  const int64_t first = LedgerSize();
  for (int i = 0; i < kBacklog; ++i) AddNote(admin_, id, std::string(200, 'b'));
  const int64_t last = first + kBacklog + kWriters * kNotes;  // One entry per note.
  Threads writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.Start([&, w] {
      HttpClient client = server_.Admin();
      for (int i = 0; i < kNotes; ++i)
        AddNote(client, id, std::string(200, static_cast<char>('a' + w)));
    });
  }
  int64_t seen = first;
  int connections = 0;
  while (seen < last && connections < 1000) {
    ++connections;
    auto stream = Open("", {{"Last-Event-ID", std::to_string(seen)}});
    ASSERT_EQ(stream->status(), 200) << stream->body();
    while (seen < last) {
      auto e = stream->NextEvent();
      if (!e) break;
      ASSERT_EQ(e->seq(), seen + 1);  // No gap, no duplicate.
      seen = e->seq();
    }
    if (seen < last) {
      ASSERT_TRUE(stream->finished()) << stream->error();  // Cut cleanly, to be resumed.
    }
  }
  writers.Join();
  EXPECT_EQ(seen, last);
  EXPECT_EQ(LedgerSize(), last);
  EXPECT_GT(connections, 3);
}

TEST_F(StreamTest, HeartbeatsFollowTheClock) {
  auto stream = Open();
  ASSERT_EQ(stream->status(), 200) << stream->body();
  for (int i = 0; i < 2; ++i) {
    server_.clock().Advance(std::chrono::seconds(15));
    auto beat = stream->Next();
    ASSERT_TRUE(beat) << stream->error();
    EXPECT_TRUE(beat->is_comment());
    EXPECT_EQ(beat->comment, "heartbeat " + FormatRfc3339(server_.clock().Now()));
  }
}

TEST_F(StreamTest, SlowReaderIsDroppedWhileWritersAndOtherStreamsCarryOn) {
  Reconfigure([](app::Config& c) {
    c.server.stream_queue_limit = 512 * 1024;
    c.store.synchronous_full = false;  // Many commits; their durability is not under test.
  });
  const std::string id = StartIncident("Flood")["id"];
  // Never reads (until the end), with a small receive buffer. The kernel
  // still buffers a few MB for it (the server's send buffer grows to 4 MB),
  // so the notes are made large on the wire: a control character is six
  // bytes in the stream's JSON, about 60 KB per event.
  auto slow = Open("", {}, 4096);
  auto fast = Open();
  ASSERT_EQ(slow->status(), 200) << slow->body();
  ASSERT_EQ(fast->status(), 200) << fast->body();
  const int64_t start = LedgerSize();

  constexpr int kWriters = 2;
  constexpr int kNotes = 50;
  constexpr size_t kTotal = kWriters * kNotes;
  std::vector<int64_t> received;
  Threads reader;
  reader.Start([&] {
    while (auto e = fast->NextEvent()) {
      received.push_back(e->seq());
      if (received.size() == kTotal) break;
    }
  });
  std::atomic<int64_t> slowest_write_ms{0};
  Threads writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.Start([&] {
      HttpClient client = server_.Admin();
      for (int i = 0; i < kNotes; ++i) {
        const auto t0 = Steady::now();
        AddNote(client, id, std::string(10000, '\x01'));
        const int64_t ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - t0).count();
        int64_t seen = slowest_write_ms.load();
        while (ms > seen && !slowest_write_ms.compare_exchange_weak(seen, ms)) {
        }
      }
    });
  }
  writers.Join();
  reader.Join();

  EXPECT_LT(slowest_write_ms.load(), 5000);
  EXPECT_EQ(received, LedgerSeqs(start)) << fast->error();
  // The slow reader got what the sockets held, then the connection was cut.
  size_t slow_events = 0;
  while (slow->NextEvent()) ++slow_events;
  EXPECT_FALSE(slow->timed_out());
  EXPECT_FALSE(slow->finished());
  EXPECT_LT(slow_events, kTotal);
}

TEST_F(StreamTest, LongBacklogComesInInstallmentsThatResume) {
  // Half the queue limit: about 8 KiB of backlog per connection.
  Reconfigure([](app::Config& c) { c.server.stream_queue_limit = 16 * 1024; });
  const std::string id = StartIncident("Long")["id"];
  for (int i = 0; i < 40; ++i)
    AddNote(admin_, id, std::string(1000, static_cast<char>('a' + i % 26)));
  const auto expected = LedgerSeqs(0);

  std::vector<int64_t> received;
  int connections = 0;
  while (received.size() < expected.size() && connections < 100) {
    ++connections;
    auto stream =
        Open("", {{"Last-Event-ID", std::to_string(received.empty() ? 0 : received.back())}});
    ASSERT_EQ(stream->status(), 200) << stream->body();
    while (auto e = stream->NextEvent()) {
      received.push_back(e->seq());
      if (received.size() == expected.size()) break;
    }
    if (received.size() < expected.size()) {
      ASSERT_TRUE(stream->finished()) << stream->error();  // Ended cleanly, to be resumed.
    }
  }
  EXPECT_EQ(received, expected);
  EXPECT_GT(connections, 3);
}

TEST_F(StreamTest, StreamsBeyondTheCapAreRefusedWith503) {
  Reconfigure([](app::Config& c) { c.api.max_streams = 2; });
  auto first = Open();
  auto second = Open();
  ASSERT_EQ(first->status(), 200) << first->body();
  ASSERT_EQ(second->status(), 200) << second->body();
  auto third = Open();
  EXPECT_EQ(third->status(), 503);
  EXPECT_EQ(json::parse(third->body())["error"]["code"], "UNAVAILABLE");
  EXPECT_EQ(third->header("retry-after"), "1");

  // A client that leaves frees its place (once the server sees it go).
  first->Close();
  std::unique_ptr<SseClient> again;
  const auto deadline = Steady::now() + std::chrono::seconds(5);
  do {
    again = Open();
    if (again->status() != 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } while (Steady::now() < deadline);
  EXPECT_EQ(again->status(), 200) << again->body();
  // The remaining stream still works.
  const int64_t note = AddNote(admin_, StartIncident("Still")["id"], "x");
  auto events = second->ReadThrough(note);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().seq(), note);
}

TEST_F(StreamTest, RolesAndCredentialsAreCheckedLikeOtherRoutes) {
  EXPECT_EQ(Open("", {}, 0, "")->status(), 401);
  EXPECT_EQ(Open("", {}, 0, "tcn_not_a_key")->status(), 401);
  auto integration = Open("", {}, 0, Token("integration"));
  EXPECT_EQ(integration->status(), 403);
  EXPECT_EQ(json::parse(integration->body())["error"]["code"], "PERMISSION_DENIED");
  for (const char* role : {"viewer", "responder"}) {
    EXPECT_EQ(Open("", {}, 0, Token(role))->status(), 200) << role;
  }
  // HEAD passes the same gate and ends at once (for clients that read whole
  // responses, like the route matrix's).
  EXPECT_EQ(server_.Anonymous().Send("HEAD", "/api/v1/stream").status, 401);
  for (const char* role : {"admin", "responder", "viewer", "integration"}) {
    const int expected = std::string(role) == "integration" ? 403 : 200;
    EXPECT_EQ(server_.WithRole(role).Send("HEAD", "/api/v1/stream").status, expected) << role;
  }
}

TEST_F(StreamTest, BadRequestsAreRefusedBeforeStreaming) {
  auto ghost = Open("?incident=ghost");
  EXPECT_EQ(ghost->status(), 404);
  EXPECT_EQ(json::parse(ghost->body())["error"]["code"], "NOT_FOUND");
  auto empty = Open("?incident=");
  EXPECT_EQ(empty->status(), 400);
  for (const char* bad : {"abc", "-1", "12x", "99999999999999999999"}) {
    auto r = Open("", {{"Last-Event-ID", bad}});
    EXPECT_EQ(r->status(), 400) << bad;
    EXPECT_EQ(json::parse(r->body())["error"]["field"], "Last-Event-ID") << bad;
  }
  auto query = Open("?lastEventId=x");
  EXPECT_EQ(query->status(), 400);
  EXPECT_EQ(json::parse(query->body())["error"]["field"], "lastEventId");
  // HEAD gets the headers of a stream, and no stream.
  auto head = admin_.Send("HEAD", "/api/v1/stream");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-type"), "text/event-stream");
  EXPECT_EQ(head.body, "");
}

TEST_F(StreamTest, ShutdownWithOpenStreamsIsQuick) {
  const std::string id = StartIncident("Bye")["id"];
  AddNote(admin_, id, "before");
  auto reading = Open();
  auto not_reading = Open("", {}, 4096);
  auto resumed = Open("?incident=" + id, {{"Last-Event-ID", "0"}});
  for (SseClient* s : {reading.get(), not_reading.get(), resumed.get()}) {
    ASSERT_EQ(s->status(), 200) << s->body();
  }
  const auto t0 = Steady::now();
  server_.Stop();
  // Well under the server's shutdown grace (10 s), which open streams would
  // otherwise use up.
  EXPECT_LT(Steady::now() - t0, std::chrono::seconds(3));
  // Each client sees the end of its response, not a cut connection.
  for (SseClient* s : {reading.get(), resumed.get()}) {
    while (s->Next()) {
    }
    EXPECT_TRUE(s->finished()) << s->error();
  }
}

// The broadcaster on its own, against the real store, fed by hand, so that
// the catch-up and the buffered live entries meet in a chosen order.
class RecordingWriter : public http::StreamWriter {
 public:
  bool Write(std::string chunk) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return false;
    if (!chunk.empty()) chunks_.push_back(std::move(chunk));
    cv_.notify_all();
    return true;
  }
  void Close() override {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  // Waits (a few seconds at most) until `n` chunks arrived or the stream is
  // closed; returns the seqs of the events among them.
  std::vector<int64_t> WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, kSseTimeout, [&] { return chunks_.size() >= n || closed_; });
    std::vector<int64_t> out;
    for (const auto& c : chunks_) {
      if (c.rfind("id: ", 0) == 0) out.push_back(std::stoll(c.substr(4)));
    }
    return out;
  }
  bool closed() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> chunks_;  // Guarded by mu_.
  bool closed_ = false;              // Guarded by mu_.
};

class StreamBroadcasterTest : public ::testing::Test {
 protected:
  std::shared_ptr<api::LedgerStreams> Streams(size_t catch_up_bytes) {
    api::LedgerStreamOptions options;
    options.catch_up_bytes = catch_up_bytes;
    return api::LedgerStreams::Create(server_.app().store(), clock_, options);
  }
  std::vector<domain::TimelineEvent> Entries(int64_t after) {
    std::vector<domain::TimelineEvent> out;
    Status s = server_.app().store().Read([&](store::ReadTxn& txn) {
      auto page = txn.ReadLedger(after, 100, "");
      if (!page.ok()) return page.status();
      out = std::move(*page);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  int64_t Note(const std::string& text) {
    auto r = admin_.Post("/api/v1/incidents/" + incident_ + "/timeline",
                         {{"eventType", "Note"}, {"eventData", text}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("sequence", int64_t{-1});
  }
  void SetUp() override {
    ASSERT_EQ(admin_
                  .Post("/api/v1/response-plans",
                        {{"name", "p"}, {"incidentTemplate", {{"title", "T"}, {"impact", 3}}}})
                  .status,
              201);
    auto r = admin_.Post("/api/v1/incidents", {{"responsePlan", "p"}});
    ASSERT_EQ(r.status, 201) << r.body;
    incident_ = r.json()["id"];
  }

  TestServer server_;
  HttpClient admin_ = server_.Admin();
  FakeClock clock_;
  std::string incident_;
};

TEST_F(StreamBroadcasterTest, BufferedLiveEntriesAlsoInTheBacklogAreSentOnce) {
  auto streams = Streams(1 << 20);
  // Registered first, so that the fan-out thread has buffered an entry for
  // it by the time it has written that entry to `probe`.
  auto pending = streams->Open("", std::nullopt);
  auto probe = streams->Open("", std::nullopt);
  ASSERT_TRUE(pending.ok() && probe.ok());
  auto probe_writer = std::make_shared<RecordingWriter>();
  (*probe)(probe_writer);

  const int64_t start = Note("one") - 1;
  Note("two");
  const int64_t third = Note("three");
  streams->Publish(Entries(start));  // Committed, and published before the catch-up.
  ASSERT_EQ(probe_writer->WaitFor(3), std::vector<int64_t>({start + 1, start + 2, third}));

  auto writer = std::make_shared<RecordingWriter>();
  (*pending)(writer);  // Reads the same three from the store.
  EXPECT_EQ(writer->WaitFor(3), std::vector<int64_t>({start + 1, start + 2, third}));
  const int64_t fourth = Note("four");
  streams->Publish(Entries(third));
  EXPECT_EQ(writer->WaitFor(4), std::vector<int64_t>({start + 1, start + 2, third, fourth}));
  EXPECT_FALSE(writer->closed());
  streams->Stop();
  EXPECT_TRUE(writer->closed());
  EXPECT_TRUE(probe_writer->closed());
}

TEST_F(StreamBroadcasterTest, OverflowingLiveBufferFallsBackToTheStore) {
  auto streams = Streams(4096);
  auto pending = streams->Open("", std::nullopt);
  auto probe = streams->Open("", std::nullopt);
  ASSERT_TRUE(pending.ok() && probe.ok());
  auto probe_writer = std::make_shared<RecordingWriter>();
  (*probe)(probe_writer);

  const int64_t start = Note("first") - 1;
  for (int i = 0; i < 19; ++i) Note(std::string(400, 'x'));
  const auto entries = Entries(start);
  ASSERT_EQ(entries.size(), 20u);
  streams->Publish(entries);  // About 12 KB: more than the buffer holds.
  ASSERT_EQ(probe_writer->WaitFor(20).size(), 20u);

  // The catch-up sends a gap-free prefix within its budget, then ends the
  // stream for the client to resume.
  auto writer = std::make_shared<RecordingWriter>();
  (*pending)(writer);
  auto got = writer->WaitFor(20);
  EXPECT_TRUE(writer->closed());
  ASSERT_FALSE(got.empty());
  EXPECT_LT(got.size(), 20u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], start + 1 + static_cast<int64_t>(i));
  // The registration is gone with it.
  EXPECT_EQ(streams->size(), 1u);
}

TEST_F(StreamBroadcasterTest, StartFunctionDroppedUncalledReleasesTheRegistration) {
  auto streams = Streams(1 << 20);
  {
    auto start = streams->Open(incident_, std::nullopt);
    ASSERT_TRUE(start.ok());
    EXPECT_EQ(streams->size(), 1u);
  }
  EXPECT_EQ(streams->size(), 0u);
}

}  // namespace
}  // namespace tocsin::test
