// Engagements (AWS ssm-contacts StartEngagement): the paging of one contact,
// its runs, pages and receipts, and the durable jobs that drive them.
//
// An engagement of contact C is a tree of runs. The root run executes C: a
// PERSONAL contact runs its own stages of channels; an ESCALATION contact runs
// its stages of contacts, each target becoming a child run; an
// ONCALL_SCHEDULE run has one child run per person on call when it starts.
// Pages belong to the person run that sent them and to the engagement.
//
// Value types only; rules live in engagement_service.h. Not synchronized.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tocsin/core/time.h"
#include "tocsin/domain/contact.h"

namespace tocsin::domain {

enum class EngagementState {
  kEngaged,         // Paging is in progress.
  kAcknowledged,    // Someone whose acknowledgement counts accepted a page.
  kStopped,         // Stopped by request or because its incident was resolved.
  kUnacknowledged,  // Every stage (and repeat) ran out without an acknowledgement.
};
const char* EngagementStateName(EngagementState state);  // "ENGAGED", ...
std::optional<EngagementState> ParseEngagementState(std::string_view text);

struct Engagement {
  std::string id;
  std::string contact_id;
  std::string contact_alias;  // As it was when engaged (ARNs use it).
  ContactType contact_type = ContactType::kPersonal;
  std::string sender;          // <= 255
  std::string subject;         // 1..2048; "secure" text for email and voice.
  std::string content;         // 1..8192
  std::string public_subject;  // <= 2048; SMS text. Empty: subject.
  std::string public_content;  // <= 8192. Empty: content.
  std::string incident_id;     // Empty for a manual engagement without incident.
  EngagementState state = EngagementState::kEngaged;
  TimePoint started_at{};
  std::optional<TimePoint> stopped_at;
  std::string stop_reason;  // <= 255
  std::string created_by;   // Principal id.
};

enum class RunState { kActive, kAcknowledged, kDone, kStopped };
const char* RunStateName(RunState state);  // "ACTIVE", "ACKNOWLEDGED", "DONE", "STOPPED"
std::optional<RunState> ParseRunState(std::string_view text);

// One contact being executed inside an engagement.
struct EngagementRun {
  std::string id;
  std::string engagement_id;
  std::string parent_id;  // Empty for the root run.
  std::string contact_id;
  std::string contact_alias;
  ContactType kind = ContactType::kPersonal;
  int parent_stage = 0;  // The parent's stage that engaged this run (resolution path).
  // Whether this run's acknowledgement also acknowledges its parent: the
  // target's isEssential under an escalation plan, always under an on-call
  // schedule (one on-call person answering answers the schedule).
  bool essential = true;
  RunState state = RunState::kActive;
  int stage = -1;  // The stage of its own plan now running; -1 before the first.
  int pass = 0;    // Escalation repeats: 0 for the first pass over the stages.
};

enum class PageState {
  kQueued,     // Committed, waiting for the delivery thread.
  kSending,    // Claimed by the delivery thread; handed (or about to be) to the notifier.
  kSent,       // The notifier accepted it.
  kFailed,     // The notifier refused it.
  kUnknown,    // The server stopped while it was being handed over; never resent.
  kCancelled,  // Stopped before it was handed over.
};
const char* PageStateName(PageState state);
std::optional<PageState> ParsePageState(std::string_view text);

// One message to one channel of one person: (run, channel, pass, stage, attempt) is unique.
struct Page {
  std::string id;
  std::string engagement_id;
  std::string run_id;
  std::string contact_id;  // The person reached.
  std::string contact_alias;
  std::string channel_id;
  ChannelType channel_type = ChannelType::kEmail;
  std::string delivery_address;
  std::string incident_id;
  int stage = 0;
  int pass = 0;
  int attempt = 1;  // 1 for the stage's page, 2.. for retries.
  PageState state = PageState::kQueued;
  std::string code_hash;   // Hex SHA-256 of "<page id>:<accept code>"; set when sent.
  std::string token_hash;  // Hex SHA-256 of the acknowledgement link token.
  int code_failures = 0;   // Wrong codes so far; at kMaxCodeFailures the code is locked.
  bool acknowledged = false;
  TimePoint created_at{};
  std::optional<TimePoint> sent_at;
  std::optional<TimePoint> delivered_at;
  std::optional<TimePoint> read_at;
  // "<carrier>:<carrier's id>" once a carrier took the page; empty before.
  std::string provider_ref;
};

enum class ReceiptType { kSent, kDelivered, kRead, kError, kStop };
const char* ReceiptTypeName(ReceiptType type);  // "SENT", "DELIVERED", "READ", "ERROR", "STOP"
std::optional<ReceiptType> ParseReceiptType(std::string_view text);

// "PERSONAL", "ESCALATION", "ONCALL_SCHEDULE" (inverse of ContactTypeName).
std::optional<ContactType> ParseContactTypeName(std::string_view text);

struct Receipt {
  std::string page_id;
  ReceiptType type = ReceiptType::kSent;
  std::string info;  // 1..2048: provider message id, accept note, error text.
  TimePoint at{};
};

// A durable timer: "do `kind` for `ref` at `due`". The scheduler's heap is
// only a cache of the PENDING rows; a job fires by committing its effects and
// its DONE state in one transaction, so it fires exactly once.
enum class JobState { kPending, kDone, kCancelled };

struct Job {
  int64_t id = 0;  // Assigned by the store.
  TimePoint due{};
  std::string kind;   // Names the handler: "engage.stage", "engage.retry", ...
  std::string owner;  // What cancels it as a group (an engagement id).
  std::string ref;    // What it acts on (a run id).
  std::string arg;    // Kind-specific (a channel id).
  int step = 0;       // Kind-specific numbers (stage, pass, attempt).
  int round = 0;
  int attempt = 0;
  JobState state = JobState::kPending;
};

}  // namespace tocsin::domain
