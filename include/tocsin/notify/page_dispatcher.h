// PageDispatcher: the delivery thread between committed pages and the Notifier.
//
// A page is committed QUEUED by the engagement engine. The dispatcher claims
// it (one transaction: SENDING, fresh accept code and link token), hands it
// to the Notifier, then records the outcome (SENT or FAILED, with its receipt
// and timeline entry). A crash before the claim commits leaves the page
// QUEUED, and it is delivered after the restart; a crash after the claim
// leaves it SENDING, and EngagementService::Recover marks it UNKNOWN instead
// of sending it again (at most once to a person).
//
// Thread-safety: Enqueue and WaitIdle from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "tocsin/domain/engagement_service.h"
#include "tocsin/notify/notifier.h"
#include "tocsin/store/store.h"

namespace tocsin::notify {

class PageDispatcher {
 public:
  // None is owned; all must outlive the dispatcher. `public_url` is the
  // server's base URL for acknowledgement links.
  PageDispatcher(store::Store& store, domain::EngagementService& engagements, Notifier& notifier,
                 std::string public_url);
  ~PageDispatcher();
  PageDispatcher(const PageDispatcher&) = delete;
  PageDispatcher& operator=(const PageDispatcher&) = delete;

  // Queues a committed page for delivery.
  void Enqueue(std::string page_id);

  void Start();
  // Finishes the batch in hand and stops; queued pages stay QUEUED in the
  // store for the next start. Idempotent.
  void Stop();

  // Blocks until the queue is empty and no page is in hand (tests).
  void WaitIdle();

  uint64_t delivered() {
    std::lock_guard<std::mutex> lock(mu_);
    return delivered_;
  }

 private:
  void Loop();
  // Claims, sends and records one batch; runs on the dispatcher thread.
  void Deliver(std::vector<std::string> ids);

  store::Store& store_;
  domain::EngagementService& engagements_;
  Notifier& notifier_;
  const std::string public_url_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // Guarded by mu_.
  size_t in_hand_ = 0;             // Pages taken from the queue and not yet recorded.
  uint64_t delivered_ = 0;         // Outcomes recorded.
  bool stopping_ = false;          // Guarded by mu_.
  std::thread thread_;
};

}  // namespace tocsin::notify
