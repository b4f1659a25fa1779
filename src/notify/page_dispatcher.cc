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
                               Notifier& notifier, std::string public_url)
    : store_(store),
      engagements_(engagements),
      notifier_(notifier),
      public_url_(std::move(public_url)) {}

PageDispatcher::~PageDispatcher() { Stop(); }

void PageDispatcher::Enqueue(std::string page_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(page_id));
  }
  cv_.notify_all();
}

void PageDispatcher::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void PageDispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PageDispatcher::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return (queue_.empty() || stopping_) && in_hand_ == 0; });
}

void PageDispatcher::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    std::vector<std::string> ids;
    while (!queue_.empty() && ids.size() < kBatch) {
      ids.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    in_hand_ += ids.size();
    lock.unlock();
    Deliver(std::move(ids));
    lock.lock();
  }
}

void PageDispatcher::Deliver(std::vector<std::string> ids) {
  // Claim every page of the batch (one write function each, one commit for all).
  struct Claim {
    std::string id;
    std::optional<Result<domain::OutgoingPage>> result;
  };
  auto claims = std::make_shared<std::vector<Claim>>();
  for (auto& id : ids) claims->push_back({std::move(id), std::nullopt});
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
        });
  }
  {
    std::unique_lock<std::mutex> lock(claim_mu);
    claim_cv.wait(lock, [&pending] { return pending == 0; });
  }

  auto done_one = [this] {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --in_hand_;
      ++delivered_;
    }
    cv_.notify_all();
  };
  for (Claim& claim : *claims) {
    if (!claim.result->ok()) {
      // Not queued any more (stopped, acknowledged, or a duplicate entry).
      if (claim.result->status().code() != StatusCode::kFailedPrecondition) {
        spdlog::error("msg=\"cannot claim page\" page={} error={}", claim.id,
                      LogQuote(claim.result->status().message()));
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        --in_hand_;
      }
      cv_.notify_all();
      continue;
    }
    const domain::OutgoingPage& out = **claim.result;
    PageMessage m;
    m.page_id = out.page.id;
    m.engagement_id = out.page.engagement_id;
    m.incident_id = out.page.incident_id;
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
    m.ack_url = public_url_ + "/ack/" + out.ack_token;
    CrashPoint("notify.before_send");
    Result<std::string> outcome = notifier_.SendPage(m);
    // A crash here: the person has the page, the store says SENDING; the
    // restart marks it UNKNOWN and does not send it again.
    CrashPoint("notify.after_send");
    if (!outcome.ok()) {
      spdlog::warn("msg=\"page delivery failed\" page={} error={}", m.page_id,
                   LogQuote(outcome.status().message()));
    }
    store_.Submit(
        [this, id = m.page_id, outcome](store::WriteTxn& txn) {
          return engagements_.RecordSendResult(txn, id, outcome);
        },
        [done_one, id = m.page_id](Status s) {
          if (!s.ok()) {
            spdlog::error("msg=\"cannot record page outcome\" page={} error={}", id,
                          LogQuote(s.message()));
          }
          done_one();
        });
  }
  // The claim condition variable and counter live on this stack frame: every
  // claim callback has run (pending == 0) before it unwinds.
}

}  // namespace tocsin::notify
