// LedgerStreams: fans committed ledger entries out to Server-Sent Events
// clients (GET /api/v1/stream), each optionally filtered to one incident.
//
// Threads and what runs where:
// - The store's writer thread calls Publish() with each committed batch. It
//   only copies the batch into an in-memory hand-off queue under `mu_` and
//   wakes the fan-out thread: it never waits for a subscriber.
// - The fan-out thread (owned here) formats each entry once and writes it to
//   every live subscriber with StreamWriter::Write, which never blocks: a
//   subscriber whose Write fails (gone, or too slow: the HTTP server drops it)
//   is removed. The same thread sends heartbeats, timed through the Clock.
// - An I/O thread handles the request: Open() registers the subscriber (so it
//   misses nothing committed after the request was handled), and the stream
//   start function it returns reads the backlog (seq > Last-Event-ID) from the
//   store in pages on the I/O thread. Meanwhile the fan-out thread buffers
//   live entries for it; once the store has nothing newer, the buffer is
//   drained (skipping seqs already sent) and the subscriber goes live. No
//   gap: an entry published before the registration was committed before
//   it, so the store reads (which start after it) have it; one published
//   after it reaches the buffer. No duplicate: what is sent has increasing
//   seqs.
//
// Bounds: at most max_streams subscribers (Open fails with kUnavailable); a
// connection sends at most catch_up_bytes of backlog, then ends so that the
// client resumes with Last-Event-ID (the HTTP server buffers a bounded number
// of bytes per client, and a backlog written from the I/O thread is buffered
// whole); the live buffer of a subscriber still catching up is bounded too
// (on overflow it is discarded and the catch-up reads further from the
// store, which has every published entry).
//
// Locks: mu_ and a Subscriber's mu are never held together. StreamWriter
// calls happen under the Subscriber's mu (they never block or call back).
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tocsin/core/clock.h"
#include "tocsin/core/status.h"
#include "tocsin/domain/timeline.h"
#include "tocsin/http/message.h"
#include "tocsin/store/store.h"

namespace tocsin::api {

struct LedgerStreamOptions {
  Millis heartbeat{15'000};
  size_t max_streams = 1000;
  // Backlog bytes one connection sends before it ends (the client resumes).
  size_t catch_up_bytes = 512 * 1024;
  // Entries per store read while catching up.
  size_t page_size = 256;
  // Bytes of published entries waiting for the fan-out thread; beyond this
  // Publish() discards batches and every live stream is ended (its client
  // resumes from the store).
  size_t inbox_bytes = 64 * 1024 * 1024;
};

class LedgerStreams : public std::enable_shared_from_this<LedgerStreams> {
 public:
  using StartFn = std::function<void(std::shared_ptr<http::StreamWriter>)>;

  // Starts the fan-out thread. Does not take ownership of `store` or `clock`,
  // which must outlive the returned object.
  static std::shared_ptr<LedgerStreams> Create(store::Store& store, Clock& clock,
                                               LedgerStreamOptions options);
  ~LedgerStreams();
  LedgerStreams(const LedgerStreams&) = delete;
  LedgerStreams& operator=(const LedgerStreams&) = delete;

  // Hands a committed batch (in seq order) to the fan-out thread. Called on
  // the store's writer thread; returns at once.
  void Publish(const std::vector<domain::TimelineEvent>& entries);

  // Registers a stream of the entries of `incident_id` (empty: every entry,
  // audit entries included) with seq > `after_seq` (nullopt: entries
  // committed from now on). Returns the function that starts it once the
  // response headers are sent (http::Response::stream); if that function is
  // destroyed uncalled, the registration is released. kUnavailable when
  // max_streams are open or Stop() was called; store errors as they come.
  Result<StartFn> Open(std::string incident_id, std::optional<int64_t> after_seq);

  // Stops the fan-out thread, ends every stream (each client gets the end of
  // its response) and refuses new ones. Idempotent; blocks until the thread
  // has exited.
  void Stop();

  // Open streams, including those registered and not yet started.
  size_t size();

  // The wire form of one entry: "id: <seq>\nevent: timeline\ndata: <json>\n\n".
  static std::string FormatEvent(const domain::TimelineEvent& entry);
  // A comment line ": heartbeat <rfc3339>\n\n".
  static std::string FormatHeartbeat(TimePoint now);

 private:
  struct Subscriber;
  struct Entry;
  class Ticket;

  LedgerStreams(store::Store& store, Clock& clock, LedgerStreamOptions options);

  void Run();
  void Deliver(const std::vector<std::vector<domain::TimelineEvent>>& batches,
               const std::vector<std::shared_ptr<Subscriber>>& subscribers);
  void Heartbeat(TimePoint now, const std::vector<std::shared_ptr<Subscriber>>& subscribers);
  // Interrupts every subscriber after discarded batches: live ones end,
  // catching-up ones read further from the store.
  void Interrupt(const std::vector<std::shared_ptr<Subscriber>>& subscribers);
  // Runs on the I/O thread of the request: sends the backlog, then goes live.
  void Attach(const std::shared_ptr<Subscriber>& sub, std::shared_ptr<http::StreamWriter> writer);
  // Removes `sub` and ends its stream.
  void Drop(const std::shared_ptr<Subscriber>& sub);

  store::Store& store_;
  Clock& clock_;
  const LedgerStreamOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<Subscriber>> subscribers_;  // Guarded by mu_.
  std::deque<std::vector<domain::TimelineEvent>> inbox_;  // Guarded by mu_.
  size_t inbox_bytes_ = 0;                                // Guarded by mu_.
  bool inbox_overflowed_ = false;                         // Guarded by mu_.
  bool stopping_ = false;                                 // Guarded by mu_.
  TimePoint next_heartbeat_{};                            // Guarded by mu_.
  std::mutex stop_mu_;                                    // Serializes Stop().
  std::thread thread_;
};

}  // namespace tocsin::api
