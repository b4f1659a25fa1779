#include "api/ledger_stream.h"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <utility>

#include <spdlog/spdlog.h>

#include "tocsin/codec/json_reader.h"
#include "tocsin/codec/ledger.h"
#include "tocsin/core/log.h"

namespace tocsin::api {
namespace {

// What an entry costs in the hand-off queue beyond its data, roughly.
constexpr size_t kEntryOverhead = 512;

}  // namespace

// One entry formatted for the wire, shared by every subscriber it goes to.
struct LedgerStreams::Entry {
  int64_t seq = 0;
  std::string incident_id;
  std::shared_ptr<const std::string> chunk;
};

struct LedgerStreams::Subscriber {
  explicit Subscriber(std::string incident) : incident_id(std::move(incident)) {}

  const std::string incident_id;  // Empty: every entry.

  std::mutex mu;
  std::shared_ptr<http::StreamWriter> writer;  // Guarded by mu. Set once started.
  // Seq of the last entry sent, or the resume point. Guarded by mu; while
  // catching up the I/O thread tracks progress on its own and stores it here
  // when the subscriber goes live.
  int64_t last_seq = 0;
  bool live = false;           // Guarded by mu. Catch-up done: the fan-out thread writes.
  bool closed = false;         // Guarded by mu. Removed: never written again.
  bool heartbeat_due = false;  // Guarded by mu. A heartbeat fell during the catch-up.
  // Guarded by mu. Live entries that arrived during the catch-up. When they
  // would exceed the catch-up budget they are discarded and `truncated` set:
  // the catch-up then reads further from the store, which has them all.
  std::vector<std::pair<int64_t, std::shared_ptr<const std::string>>> pending;
  size_t pending_bytes = 0;  // Guarded by mu.
  bool truncated = false;    // Guarded by mu.
};

// Owned by the start function Open() returns; releases the registration if
// the stream never starts (the response was never sent).
class LedgerStreams::Ticket {
 public:
  Ticket(std::weak_ptr<LedgerStreams> streams, std::shared_ptr<Subscriber> sub)
      : streams_(std::move(streams)), sub_(std::move(sub)) {}
  ~Ticket() {
    if (started_.load()) return;
    if (auto streams = streams_.lock()) streams->Drop(sub_);
  }
  Ticket(const Ticket&) = delete;
  Ticket& operator=(const Ticket&) = delete;

  void Start(std::shared_ptr<http::StreamWriter> writer) {
    if (started_.exchange(true)) return;
    if (auto streams = streams_.lock()) {
      streams->Attach(sub_, std::move(writer));
    } else {
      writer->Close();
    }
  }

 private:
  std::weak_ptr<LedgerStreams> streams_;
  std::shared_ptr<Subscriber> sub_;
  std::atomic<bool> started_{false};
};

std::shared_ptr<LedgerStreams> LedgerStreams::Create(store::Store& store, Clock& clock,
                                                     LedgerStreamOptions options) {
  std::shared_ptr<LedgerStreams> streams(new LedgerStreams(store, clock, options));
  streams->thread_ = std::thread([raw = streams.get()] { raw->Run(); });
  return streams;
}

LedgerStreams::LedgerStreams(store::Store& store, Clock& clock, LedgerStreamOptions options)
    : store_(store), clock_(clock), options_(options) {
  next_heartbeat_ = clock_.Now() + options_.heartbeat;
}

LedgerStreams::~LedgerStreams() { Stop(); }

std::string LedgerStreams::FormatEvent(const domain::TimelineEvent& entry) {
  // Dump escapes control characters, so the JSON is one line as SSE requires.
  std::string out = "id: " + std::to_string(entry.seq) + "\nevent: timeline\ndata: ";
  out += codec::Dump(codec::TimelineEventToJson(entry));
  out += "\n\n";
  return out;
}

std::string LedgerStreams::FormatHeartbeat(TimePoint now) {
  return ": heartbeat " + FormatRfc3339(now) + "\n\n";
}

size_t LedgerStreams::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return subscribers_.size();
}

void LedgerStreams::Publish(const std::vector<domain::TimelineEvent>& entries) {
  if (entries.empty()) return;
  size_t bytes = 0;
  for (const auto& e : entries) bytes += kEntryOverhead + e.event_data.size();
  {
    std::lock_guard<std::mutex> lock(mu_);
    // With nobody subscribed there is nobody to tell: a later subscriber
    // registers before it reads the store, which has these entries.
    if (stopping_ || subscribers_.empty()) return;
    if (inbox_bytes_ + bytes > options_.inbox_bytes) {
      inbox_overflowed_ = true;
      return;
    }
    inbox_.push_back(entries);
    inbox_bytes_ += bytes;
  }
  cv_.notify_one();
}

Result<LedgerStreams::StartFn> LedgerStreams::Open(std::string incident_id,
                                                   std::optional<int64_t> after_seq) {
  auto sub = std::make_shared<Subscriber>(std::move(incident_id));
  bool full = false;
  std::vector<std::shared_ptr<Subscriber>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Unavailable("the server is shutting down");
    full = subscribers_.size() >= options_.max_streams;
    if (full) {
      all = subscribers_;
    } else {
      subscribers_.push_back(sub);
    }
  }
  if (full) {
    // A client that left is noticed at its stream's next write, which may be
    // a heartbeat away: probe before refusing (an empty write sends nothing
    // and fails once the connection is gone).
    for (const auto& other : all) {
      bool gone = false;
      {
        std::lock_guard<std::mutex> lock(other->mu);
        gone = !other->closed && other->live && !other->writer->Write(std::string());
      }
      if (gone) Drop(other);
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Unavailable("the server is shutting down");
    if (subscribers_.size() >= options_.max_streams) {
      return Unavailable("too many open streams (at most " + std::to_string(options_.max_streams) +
                         ")");
    }
    subscribers_.push_back(sub);
  }
  if (!after_seq) {
    // Read after registering: whatever commits later is published to us.
    int64_t size = 0;
    Status s = store_.Read([&size](store::ReadTxn& txn) {
      auto r = txn.LedgerSize();
      if (!r.ok()) return r.status();
      size = *r;
      return Status::Ok();
    });
    if (!s.ok()) {
      Drop(sub);
      return s;
    }
    after_seq = size;
  }
  {
    std::lock_guard<std::mutex> lock(sub->mu);
    sub->last_seq = *after_seq;
  }
  auto ticket = std::make_shared<Ticket>(weak_from_this(), std::move(sub));
  return StartFn(
      [ticket](std::shared_ptr<http::StreamWriter> writer) { ticket->Start(std::move(writer)); });
}

void LedgerStreams::Stop() {
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    inbox_.clear();
    inbox_bytes_ = 0;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<std::shared_ptr<Subscriber>> subscribers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    subscribers.swap(subscribers_);
  }
  for (const auto& sub : subscribers) {
    std::shared_ptr<http::StreamWriter> writer;
    {
      std::lock_guard<std::mutex> lock(sub->mu);
      sub->closed = true;
      sub->pending.clear();
      writer = std::move(sub->writer);
    }
    if (writer) writer->Close();
  }
}

void LedgerStreams::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (!inbox_.empty() || inbox_overflowed_) {
      std::vector<std::vector<domain::TimelineEvent>> batches(
          std::make_move_iterator(inbox_.begin()), std::make_move_iterator(inbox_.end()));
      inbox_.clear();
      inbox_bytes_ = 0;
      const bool overflowed = std::exchange(inbox_overflowed_, false);
      const auto subscribers = subscribers_;
      lock.unlock();
      // Before delivering anything published after the discarded batches.
      if (overflowed) Interrupt(subscribers);
      Deliver(batches, subscribers);
      lock.lock();
      continue;
    }
    const TimePoint now = clock_.Now();
    if (now >= next_heartbeat_) {
      next_heartbeat_ = now + options_.heartbeat;
      const auto subscribers = subscribers_;
      lock.unlock();
      Heartbeat(now, subscribers);
      lock.lock();
      continue;
    }
    clock_.WaitUntil(cv_, lock, next_heartbeat_);
  }
}

void LedgerStreams::Deliver(const std::vector<std::vector<domain::TimelineEvent>>& batches,
                            const std::vector<std::shared_ptr<Subscriber>>& subscribers) {
  if (subscribers.empty()) return;
  std::vector<Entry> entries;
  for (const auto& batch : batches) {
    for (const auto& e : batch) {
      entries.push_back(
          {e.seq, e.incident_id, std::make_shared<const std::string>(FormatEvent(e))});
    }
  }
  for (const auto& sub : subscribers) {
    bool failed = false;
    {
      std::lock_guard<std::mutex> lock(sub->mu);
      if (sub->closed) continue;
      for (const Entry& e : entries) {
        if (e.seq <= sub->last_seq) continue;
        if (!sub->incident_id.empty() && e.incident_id != sub->incident_id) continue;
        if (!sub->live) {
          if (sub->truncated) continue;
          if (sub->pending_bytes + e.chunk->size() > options_.catch_up_bytes) {
            sub->truncated = true;
            sub->pending.clear();
            sub->pending_bytes = 0;
            continue;
          }
          sub->pending.emplace_back(e.seq, e.chunk);
          sub->pending_bytes += e.chunk->size();
          continue;
        }
        if (!sub->writer->Write(*e.chunk)) {
          failed = true;
          break;
        }
        sub->last_seq = e.seq;
      }
    }
    if (failed) Drop(sub);
  }
}

void LedgerStreams::Heartbeat(TimePoint now,
                              const std::vector<std::shared_ptr<Subscriber>>& subscribers) {
  const std::string chunk = FormatHeartbeat(now);
  for (const auto& sub : subscribers) {
    bool failed = false;
    {
      std::lock_guard<std::mutex> lock(sub->mu);
      if (sub->closed) continue;
      if (!sub->live) {
        sub->heartbeat_due = true;
        continue;
      }
      failed = !sub->writer->Write(chunk);
    }
    if (failed) Drop(sub);
  }
}

void LedgerStreams::Interrupt(const std::vector<std::shared_ptr<Subscriber>>& subscribers) {
  spdlog::warn("msg=\"live streams fell behind; ending them so that clients resume\" streams={}",
               subscribers.size());
  for (const auto& sub : subscribers) {
    bool end = false;
    {
      std::lock_guard<std::mutex> lock(sub->mu);
      if (sub->closed) continue;
      if (sub->live) {
        end = true;
      } else {
        sub->truncated = true;
        sub->pending.clear();
        sub->pending_bytes = 0;
      }
    }
    if (end) Drop(sub);
  }
}

void LedgerStreams::Attach(const std::shared_ptr<Subscriber>& sub,
                           std::shared_ptr<http::StreamWriter> writer) {
  int64_t last = 0;
  {
    std::lock_guard<std::mutex> lock(sub->mu);
    if (sub->closed) {
      writer->Close();
      return;
    }
    sub->writer = writer;
    last = sub->last_seq;
  }
  size_t sent = 0;
  // At least one entry per connection, so that a resuming client always
  // makes progress.
  auto over_budget = [&](size_t bytes) {
    return sent > 0 && sent + bytes > options_.catch_up_bytes;
  };
  for (;;) {
    std::vector<domain::TimelineEvent> page;
    Status s = store_.Read([&](store::ReadTxn& txn) {
      auto r = txn.ReadLedger(last, options_.page_size, sub->incident_id);
      if (!r.ok()) return r.status();
      page = std::move(*r);
      return Status::Ok();
    });
    if (!s.ok()) {
      spdlog::warn("msg=\"stream catch-up failed\" error={}", LogQuote(s.message()));
      return Drop(sub);
    }
    for (const auto& e : page) {
      std::string chunk = FormatEvent(e);
      // The rest comes on the next connection, from Last-Event-ID.
      if (over_budget(chunk.size())) return Drop(sub);
      sent += chunk.size();
      if (!writer->Write(std::move(chunk))) return Drop(sub);
      last = e.seq;
    }
    if (page.size() == options_.page_size) continue;

    // The store has nothing newer than `last` (as of that read): every later
    // entry was published after the registration, so it is in `pending`
    // unless `pending` overflowed.
    bool drop = false;
    {
      std::lock_guard<std::mutex> lock(sub->mu);
      if (sub->closed) return;
      if (sub->truncated) {
        sub->truncated = false;
        continue;
      }
      for (const auto& [seq, chunk] : sub->pending) {
        if (seq <= last) continue;
        if (over_budget(chunk->size()) || !writer->Write(*chunk)) {
          drop = true;
          break;
        }
        sent += chunk->size();
        last = seq;
      }
      sub->pending.clear();
      sub->pending_bytes = 0;
      if (!drop) {
        sub->last_seq = last;
        sub->live = true;
        if (std::exchange(sub->heartbeat_due, false)) {
          drop = !writer->Write(FormatHeartbeat(clock_.Now()));
        }
      }
    }
    if (drop) Drop(sub);
    return;
  }
}

void LedgerStreams::Drop(const std::shared_ptr<Subscriber>& sub) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = std::find(subscribers_.begin(), subscribers_.end(), sub);
    if (it != subscribers_.end()) subscribers_.erase(it);
  }
  std::shared_ptr<http::StreamWriter> writer;
  {
    std::lock_guard<std::mutex> lock(sub->mu);
    sub->closed = true;
    sub->pending.clear();
    sub->pending_bytes = 0;
    writer = std::move(sub->writer);
  }
  if (writer) writer->Close();
}

}  // namespace tocsin::api
