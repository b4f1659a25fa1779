// PageDispatcher: the delivery workers between committed pages and the Notifier.
//
// A page is committed QUEUED by the engagement engine. A worker claims it
// (one transaction: SENDING, fresh accept code and link token), hands it to
// the Notifier, then records the outcome (SENT with the carrier's reference,
// or FAILED, with its receipt and timeline entry). A crash before the claim
// commits leaves the page QUEUED, and it is delivered after the restart; a
// crash after the claim leaves it SENDING, and EngagementService::Recover
// marks it UNKNOWN instead of sending it again (at most once to a person).
//
// Order and throttles (the notifications issue, item 7):
//  - first pages (stage 0, first pass, first attempt: someone learns of an
//    incident) are taken before everything else, so one incident's retries and
//    later stages never delay another incident's first page;
//  - several workers send at once, so one slow carrier call does not hold up
//    the rest;
//  - SMS and voice pages to one number are at least `per_number_interval`
//    apart, except first pages; a page that must wait is held (in memory,
//    still QUEUED in the store) until its number may be called again.
//
// Thread-safety: Enqueue and WaitIdle from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tocsin/core/clock.h"
#include "tocsin/domain/engagement_service.h"
#include "tocsin/notify/notifier.h"
#include "tocsin/store/store.h"

namespace tocsin::notify {

struct DispatcherOptions {
  std::string public_url;  // Base URL of acknowledgement links.
  int workers = 4;
  Millis per_number_interval = std::chrono::minutes(1);
};

class PageDispatcher {
 public:
  // None is owned; all must outlive the dispatcher.
  PageDispatcher(store::Store& store, domain::EngagementService& engagements, Notifier& notifier,
                 Clock& clock, DispatcherOptions options);
  ~PageDispatcher();
  PageDispatcher(const PageDispatcher&) = delete;
  PageDispatcher& operator=(const PageDispatcher&) = delete;

  // Queues a committed page for delivery.
  void Enqueue(const domain::Page& page);

  void Start();
  // Finishes the batches in hand and stops; queued pages stay QUEUED in the
  // store for the next start. Idempotent.
  void Stop();

  // Blocks until nothing is queued or in hand, apart from pages held back by
  // a throttle until after the clock's current time (tests).
  void WaitIdle();

  uint64_t delivered() {
    std::lock_guard<std::mutex> lock(mu_);
    return delivered_;
  }

 private:
  struct Item {
    std::string id;
    bool first = false;  // A first page: exempt from the number throttle.
    bool throttled_type = false;
    std::string address;
  };

  void Loop();
  // Takes up to a batch of sendable items; REQUIRES mu_ held.
  std::vector<Item> TakeBatch(TimePoint now);
  // Moves held items whose time has come back to the queue; REQUIRES mu_.
  void ReleaseHeld(TimePoint now);
  bool IdleLocked(TimePoint now) const;
  // Claims, sends and records one batch; runs on a worker thread.
  void Deliver(std::vector<Item> items);
  void Done(bool recorded);

  store::Store& store_;
  domain::EngagementService& engagements_;
  Notifier& notifier_;
  Clock& clock_;
  const DispatcherOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> first_;                 // Guarded by mu_.
  std::deque<Item> rest_;                  // Guarded by mu_.
  std::multimap<TimePoint, Item> held_;    // Throttled until the key time.
  std::map<std::string, TimePoint> last_;  // Last send per throttled number.
  size_t in_hand_ = 0;                     // Taken and not yet recorded.
  uint64_t delivered_ = 0;                 // Outcomes recorded.
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tocsin::notify
