#include "tocsin/notify/outbox_dispatcher.h"

#include <spdlog/spdlog.h>

#include "tocsin/core/log.h"
#include "tocsin/notify/announce.h"

namespace tocsin::notify {
namespace {

// Whether an HTTP answer or a client error could go away by itself.
bool StatusMayPass(int status) { return status == 408 || status == 429 || status >= 500; }
bool ErrorMayPass(StatusCode code) {
  return code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded ||
         code == StatusCode::kResourceExhausted;
}

}  // namespace

OutboxDispatcher::OutboxDispatcher(store::Store& store, domain::OutboxService& outbox,
                                   net::HttpClient& http, Notifier& notifier, Clock& clock,
                                   int workers)
    : store_(store),
      outbox_(outbox),
      http_(http),
      notifier_(notifier),
      clock_(clock),
      workers_(std::max(1, workers)) {}

OutboxDispatcher::~OutboxDispatcher() { Stop(); }

void OutboxDispatcher::Enqueue(const std::string& id, TimePoint due) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    due_.emplace(due, id);
  }
  cv_.notify_all();
}

void OutboxDispatcher::Start() {
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { Loop(); });
}

void OutboxDispatcher::Stop() {
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

void OutboxDispatcher::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] {
    const bool due_now = !due_.empty() && due_.begin()->first <= clock_.Now();
    return (!due_now || stopping_) && in_hand_ == 0;
  });
}

void OutboxDispatcher::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (due_.empty()) {
      cv_.wait(lock);
      continue;
    }
    if (due_.begin()->first > clock_.Now()) {
      clock_.WaitUntil(cv_, lock, due_.begin()->first);
      continue;
    }
    std::string id = std::move(due_.begin()->second);
    due_.erase(due_.begin());
    ++in_hand_;
    lock.unlock();
    Deliver(id);
    lock.lock();
    --in_hand_;
    ++delivered_;
    cv_.notify_all();
  }
}

void OutboxDispatcher::Deliver(const std::string& id) {
  Result<domain::OutboxMessage> claimed = NotFound("not claimed");
  Status s = store_.WriteSync([&](store::WriteTxn& txn) {
    claimed = outbox_.Claim(txn, id);
    // Not queued any more (delivered by another worker, or a stale cache entry).
    return claimed.status().code() == StatusCode::kFailedPrecondition ? Status::Ok()
                                                                      : claimed.status();
  });
  if (!s.ok()) {
    spdlog::error("msg=\"cannot claim outbox message\" id={} error={}", id, LogQuote(s.message()));
    return;
  }
  if (!claimed.ok()) return;
  bool may_pass = false;
  Result<std::string> outcome = Send(*claimed, may_pass);
  if (!outcome.ok()) {
    spdlog::warn("msg=\"outbox delivery failed\" id={} kind={} target={} attempt={} error={}", id,
                 domain::OutboxKindName(claimed->kind), claimed->target_id, claimed->attempts,
                 LogQuote(outcome.status().message()));
  }
  Result<domain::OutboxMessage> recorded = NotFound("not recorded");
  s = store_.WriteSync([&](store::WriteTxn& txn) {
    recorded = outbox_.RecordResult(txn, id, outcome, may_pass);
    return recorded.status();
  });
  if (!s.ok()) {
    spdlog::error("msg=\"cannot record outbox outcome\" id={} error={}", id, LogQuote(s.message()));
  }
}

Result<std::string> OutboxDispatcher::Send(const domain::OutboxMessage& m, bool& may_pass) {
  net::HttpRequest request;
  request.method = "POST";
  request.body = m.body;
  std::optional<domain::Channel> channel;
  std::optional<domain::NotificationTarget> target;
  Status read = store_.Read([&](store::ReadTxn& txn) -> Status {
    switch (m.kind) {
      case domain::OutboxKind::kChat: {
        auto c = txn.ChatChannels().Get(m.target_id);
        if (!c.ok()) return c.status();
        request.url = c->url;
        return Status::Ok();
      }
      case domain::OutboxKind::kWebhook: {
        auto t = txn.NotificationTargets().Get(m.target_id);
        if (!t.ok()) return t.status();
        target = std::move(*t);
        return Status::Ok();
      }
      case domain::OutboxKind::kTestPage: {
        auto c = txn.Channels().Get(m.target_id);
        if (!c.ok()) return c.status();
        channel = std::move(*c);
        return Status::Ok();
      }
    }
    return Internal("unknown outbox kind");
  });
  if (!read.ok()) return read;  // Deleted since it was queued: nothing to send to.

  if (channel) {
    PageMessage p;
    p.page_id = m.id;
    p.channel_id = channel->meta.id;
    p.channel_type = channel->type;
    p.delivery_address = channel->delivery_address;
    p.sender = "tocsin";
    p.subject = p.public_subject = "Tocsin test page";
    p.content = p.public_content = m.body;
    auto handed = notifier_.SendPage(p);
    if (!handed.ok()) return handed.status();
    return handed->ref;
  }
  if (target) {
    request.url = target->url;
    request.headers = SignedWebhookHeaders(target->secret, m.body, m.id, clock_.Now());
  } else {
    request.headers = {{"Content-Type", "application/json"}};
  }
  auto response = http_.Send(request);
  if (!response.ok()) {
    may_pass = ErrorMayPass(response.status().code());
    return response.status();
  }
  if (response->status >= 200 && response->status < 300) {
    return "http:" + std::to_string(response->status);
  }
  may_pass = StatusMayPass(response->status);
  std::string excerpt = response->body.substr(0, 200);
  return Unavailable(
      "HTTP " + std::to_string(response->status) +
      (response->status >= 300 && response->status < 400 ? " (redirects are not followed)" : "") +
      (excerpt.empty() ? "" : ": " + excerpt));
}

}  // namespace tocsin::notify
