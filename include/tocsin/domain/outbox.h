// The outbox: every outgoing message that is not a page (pages have their own
// table, engagement.h). Machine messages (chat posts, notification-target
// webhooks) are retried with backoff under the same Idempotency-Key (the row
// id); messages to people (test pages) are tried once and never repeated.
//
// Value types only; rules live in outbox_service.h. Not synchronized.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tocsin/core/time.h"

namespace tocsin::domain {

enum class OutboxKind { kTestPage, kChat, kWebhook };
const char* OutboxKindName(OutboxKind kind);  // "TEST_PAGE", "CHAT", "WEBHOOK"
std::optional<OutboxKind> ParseOutboxKind(std::string_view text);

enum class OutboxState {
  kQueued,   // Committed; due at next_at.
  kSending,  // Claimed by a delivery worker.
  kSent,     // The receiver answered 2xx (or a carrier took a test page).
  kFailed,   // Gave up: attempts exhausted or a permanent refusal.
  kUnknown,  // A crash hid the outcome of a message to a person; not resent.
};
const char* OutboxStateName(OutboxState state);
std::optional<OutboxState> ParseOutboxState(std::string_view text);

struct OutboxMessage {
  std::string id;  // Also the Idempotency-Key of a webhook.
  OutboxKind kind = OutboxKind::kWebhook;
  std::string incident_id;  // Empty for none.
  std::string target_id;    // Chat channel, notification target, or contact channel.
  std::string event;        // "incident.created", ..., "test".
  std::string body;         // What is sent (JSON for machines; the text for people).
  OutboxState state = OutboxState::kQueued;
  int attempts = 0;
  int max_attempts = 1;
  TimePoint next_at{};
  std::string last_error;
  std::string provider_ref;  // The carrier's reference for a test page.
  TimePoint created_at{};
  std::optional<TimePoint> sent_at;

  bool for_people() const { return kind == OutboxKind::kTestPage; }
};

}  // namespace tocsin::domain
