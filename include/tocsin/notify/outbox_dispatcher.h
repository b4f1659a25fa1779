// OutboxDispatcher: the delivery workers of the outbox (domain/outbox.h).
//
// Keeps an in-memory queue ordered by due time — a cache of the QUEUED rows,
// filled at start from OutboxService::Recover and after each commit that
// queues a message — and a few workers that claim a due message, send it, and
// record the outcome:
//  - CHAT: POST the rendered body to the chat channel's webhook URL;
//  - WEBHOOK: POST it to the notification target, signed (X-Tocsin-Signature,
//    X-Tocsin-Timestamp) with the target's secret, with Idempotency-Key = id;
//  - TEST_PAGE: hand a page-shaped message to the Notifier (carriers).
// Every URL goes through the guarded HttpClient. 2xx is success; 408, 429,
// 5xx, timeouts and connection failures may pass (retried with backoff);
// other answers (4xx, a redirect, a refused address) fail at once.
//
// Thread-safety: Enqueue and WaitIdle from any thread.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tocsin/core/clock.h"
#include "tocsin/domain/outbox_service.h"
#include "tocsin/net/http_client.h"
#include "tocsin/notify/notifier.h"
#include "tocsin/store/store.h"

namespace tocsin::notify {

class OutboxDispatcher {
 public:
  // None is owned; all must outlive the dispatcher.
  OutboxDispatcher(store::Store& store, domain::OutboxService& outbox, net::HttpClient& http,
                   Notifier& notifier, Clock& clock, int workers = 2);
  ~OutboxDispatcher();
  OutboxDispatcher(const OutboxDispatcher&) = delete;
  OutboxDispatcher& operator=(const OutboxDispatcher&) = delete;

  void Enqueue(const std::string& id, TimePoint due);
  void Start();
  // Finishes the messages in hand; the rest stay QUEUED in the store. Idempotent.
  void Stop();
  // Blocks until nothing is due at the clock's current time or in hand (tests).
  void WaitIdle();
  uint64_t delivered() {
    std::lock_guard<std::mutex> lock(mu_);
    return delivered_;
  }

 private:
  void Loop();
  void Deliver(const std::string& id);
  // Sends a claimed message. Sets `may_pass` for failures worth retrying.
  Result<std::string> Send(const domain::OutboxMessage& m, bool& may_pass);

  store::Store& store_;
  domain::OutboxService& outbox_;
  net::HttpClient& http_;
  Notifier& notifier_;
  Clock& clock_;
  const int workers_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<TimePoint, std::string> due_;  // Guarded by mu_.
  size_t in_hand_ = 0;
  uint64_t delivered_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tocsin::notify
