#include "tocsin/notify/page_dispatcher.h"

#include <spdlog/spdlog.h>

#include "tocsin/core/crash_point.h"
#include "tocsin/core/log.h"

namespace tocsin::notify {
namespace {

// Pages claimed in one transaction. Small on purpose: a crash between a
// claim's commit and the hand-over leaves every page of that claim UNKNOWN
// (never resent), so the batch bounds what one crash can cost, while still
// sharing a commit between a few pages.
constexpr size_t kBatch = 4;

}  // namespace

PageDispatcher::PageDispatcher(store::Store& store, domain::EngagementService& engagements,
                               Notifier& notifier, Clock& clock, DispatcherOptions options)
    : store_(store),
      engagements_(engagements),
      notifier_(notifier),
      clock_(clock),
      options_(std::move(options)) {}

PageDispatcher::~PageDispatcher() { Stop(); }

void PageDispatcher::Enqueue(const domain::Page& page) {
  Item item;
  item.id = page.id;
  item.first = page.stage == 0 && page.pass == 0 && page.attempt == 1;
  item.throttled_type = page.channel_type != domain::ChannelType::kEmail;
  item.address = page.delivery_address;
  {
    std::lock_guard<std::mutex> lock(mu_);
    (item.first ? first_ : rest_).push_back(std::move(item));
  }
  cv_.notify_all();
}

void PageDispatcher::Start() {
  const int n = std::max(1, options_.workers);
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Loop(); });
}

void PageDispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

bool PageDispatcher::IdleLocked(TimePoint now) const {
  const bool held_due = !held_.empty() && held_.begin()->first <= now;
  return ((first_.empty() && rest_.empty() && !held_due) || stopping_) && in_hand_ == 0;
}

void PageDispatcher::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return IdleLocked(clock_.Now()); });
}

void PageDispatcher::ReleaseHeld(TimePoint now) {
  while (!held_.empty() && held_.begin()->first <= now) {
    rest_.push_back(std::move(held_.begin()->second));
    held_.erase(held_.begin());
  }
}

std::vector<PageDispatcher::Item> PageDispatcher::TakeBatch(TimePoint now) {
  ReleaseHeld(now);
  std::vector<Item> batch;
  while (batch.size() < kBatch && (!first_.empty() || !rest_.empty())) {
    std::deque<Item>& from = !first_.empty() ? first_ : rest_;
    Item item = std::move(from.front());
    from.pop_front();
    if (item.throttled_type) {
      auto last = last_.find(item.address);
      if (!item.first && last != last_.end() && now < last->second + options_.per_number_interval) {
        held_.emplace(last->second + options_.per_number_interval, std::move(item));
        continue;
      }
      last_[item.address] = now;
    }
    batch.push_back(std::move(item));
  }
  // Forget numbers that may be called again anyway (bounded memory).
  if (last_.size() > 4096) {
    std::erase_if(last_,
                  [&](const auto& kv) { return now >= kv.second + options_.per_number_interval; });
  }
  return batch;
}

void PageDispatcher::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const TimePoint now = clock_.Now();
    std::vector<Item> batch = TakeBatch(now);
    if (batch.empty()) {
      if (held_.empty()) {
        cv_.wait(lock);
      } else {
        clock_.WaitUntil(cv_, lock, held_.begin()->first);
      }
      continue;
    }
    in_hand_ += batch.size();
    lock.unlock();
    Deliver(std::move(batch));
    lock.lock();
  }
}

void PageDispatcher::Done(bool recorded) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --in_hand_;
    if (recorded) ++delivered_;
  }
  cv_.notify_all();
}

void PageDispatcher::Deliver(std::vector<Item> items) {
  // Claim every page of the batch (one write function each, one commit for all).
  struct Claim {
    std::string id;
    std::optional<Result<domain::OutgoingPage>> result;
  };
  auto claims = std::make_shared<std::vector<Claim>>();
  for (auto& item : items) claims->push_back({std::move(item.id), std::nullopt});
  std::mutex claim_mu;
  std::condition_variable claim_cv;
  size_t pending = claims->size();
  for (size_t i = 0; i < claims->size(); ++i) {
    store::SubmitFor<domain::OutgoingPage>(
        store_,
        [this, claims, i](store::WriteTxn& txn) {
          return engagements_.ClaimForSending(txn, (*claims)[i].id);
        },
        [claims, i, &claim_mu, &claim_cv, &pending](Result<domain::OutgoingPage> r) {
          std::lock_guard<std::mutex> lock(claim_mu);
          (*claims)[i].result = std::move(r);
          if (--pending == 0) claim_cv.notify_all();
        },
        store::WritePriority::kEngine);
  }
  {
    std::unique_lock<std::mutex> lock(claim_mu);
    claim_cv.wait(lock, [&pending] { return pending == 0; });
  }

  for (Claim& claim : *claims) {
    if (!claim.result->ok()) {
      // Not queued any more (stopped, acknowledged, or a duplicate entry).
      if (claim.result->status().code() != StatusCode::kFailedPrecondition) {
        spdlog::error("msg=\"cannot claim page\" page={} error={}", claim.id,
                      LogQuote(claim.result->status().message()));
      }
      Done(false);
      continue;
    }
    const domain::OutgoingPage& out = **claim.result;
    PageMessage m;
    m.page_id = out.page.id;
    m.engagement_id = out.page.engagement_id;
    m.incident_id = out.page.incident_id;
    m.incident_title = out.incident_title;
    m.incident_impact = out.incident_impact;
    m.incident_summary = out.incident_summary;
    m.contact_alias = out.page.contact_alias;
    m.channel_id = out.page.channel_id;
    m.channel_type = out.page.channel_type;
    m.delivery_address = out.page.delivery_address;
    m.attempt = out.page.attempt;
    m.sender = out.sender;
    m.subject = out.subject;
    m.content = out.content;
    m.public_subject = out.public_subject;
    m.public_content = out.public_content;
    m.accept_code = out.accept_code;
    m.ack_url = options_.public_url + "/ack/" + out.ack_token;
    CrashPoint("notify.before_send");
    Result<Handover> handed = notifier_.SendPage(m);
    // A crash here: the person has the page, the store says SENDING; the
    // restart marks it UNKNOWN and does not send it again.
    CrashPoint("notify.after_send");
    domain::SendOutcome outcome;
    if (handed.ok()) {
      outcome.ref = std::move(handed->ref);
      outcome.failovers = std::move(handed->failovers);
    } else {
      spdlog::warn("msg=\"page delivery failed\" page={} error={}", m.page_id,
                   LogQuote(handed.status().message()));
      outcome.ref = handed.status();
    }
    store_.Submit(
        [this, id = m.page_id, outcome = std::move(outcome)](store::WriteTxn& txn) {
          return engagements_.RecordSendResult(txn, id, outcome);
        },
        [this, id = m.page_id](Status s) {
          if (!s.ok()) {
            spdlog::error("msg=\"cannot record page outcome\" page={} error={}", id,
                          LogQuote(s.message()));
          }
          Done(true);
        },
        store::WritePriority::kEngine);
  }
  // The claim condition variable and counter live on this stack frame: every
  // claim callback has run (pending == 0) before it unwinds.
}

}  // namespace tocsin::notify
