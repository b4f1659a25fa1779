// The engagement engine's rules: engaging contacts, escalating stage by
// stage, paging channels with retries, acknowledging, stopping — each as
// part of one write transaction. Timers are data: every future step is a
// Job row; the scheduler (src/scheduler) fires it by calling RunJob in a
// transaction that also marks it DONE, so a step happens exactly once.
//
// Rules (reference/aws-incident-manager.md §3.5; where AWS is silent the
// choice is written here):
//  - A PERSONAL run pages every activated channel of a stage when the stage
//    starts. A channel with retryIntervalInMinutes is paged again every
//    interval until the stage ends (the retries are scheduled up front) or
//    the person acknowledges. After durationInMinutes the next stage starts;
//    after the last one the run is done. A person without stages is paged
//    once on every activated channel.
//  - An ESCALATION run engages each stage's targets as child runs; after the
//    last stage it starts over `repeat_count` more times, then the engagement
//    ends UNACKNOWLEDGED and all its paging stops.
//  - An ONCALL_SCHEDULE run engages whoever is on call when it starts.
//  - A stage that creates no page (nobody on call, no activated channel) is
//    recorded and the next stage starts at once.
//  - Acknowledging (READ) a page acknowledges the person's runs in that
//    engagement: their pending pages and retries stop. The acknowledgement
//    climbs to the parent while the run is essential (an isEssential target,
//    any person under a schedule, the root): an acknowledged root ends the
//    engagement ACKNOWLEDGED and stops everything else.
//  - A page can be acknowledged while its engagement is ENGAGED or has run
//    out (UNACKNOWLEDGED, which then becomes ACKNOWLEDGED): a late answer is
//    still an answer. Not once it was STOPPED or ACKNOWLEDGED.
//  - Stages are read from the contact when they start: an edit applies from
//    the next stage; a contact deleted meanwhile ends its run.
//  - Pages are written QUEUED; the delivery thread claims one (SENDING, with
//    a fresh accept code and link token, stored hashed), hands it to the
//    notifier and records the outcome. A page found SENDING after a restart
//    is marked UNKNOWN and never resent (a person may already have it);
//    QUEUED pages are delivered after a restart.
//
// Every step is written to the incident's timeline (or, without incident,
// to the ledger as an entry without incident). Stateless apart from the
// listeners; safe to share after SetListeners.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tocsin/domain/engagement.h"
#include "tocsin/domain/incident_service.h"
#include "tocsin/domain/plan_service.h"
#include "tocsin/store/store.h"

namespace tocsin::domain {

inline constexpr int kMaxCodeFailures = 5;
inline constexpr int kAcceptCodeDigits = 6;

// Job kinds handled by RunJob.
inline constexpr const char* kStageJob = "engage.stage";  // ref run, step stage, round pass
inline constexpr const char* kRetryJob = "engage.retry";  // + arg channel, attempt

// Timeline event types.
inline constexpr const char* kEngagementStartedEvent = "Engagement Started";
inline constexpr const char* kStageStartedEvent = "Engagement Stage Started";
inline constexpr const char* kStageReachedNobodyEvent = "Engagement Stage Reached Nobody";
inline constexpr const char* kNoOneOnCallEvent = "No One On Call";
inline constexpr const char* kPageSentEvent = "Page Sent";
inline constexpr const char* kPageFailedEvent = "Page Failed";
inline constexpr const char* kPageUnknownEvent = "Page Outcome Unknown";
inline constexpr const char* kPageDeliveredEvent = "Page Delivered";
inline constexpr const char* kPageAcknowledgedEvent = "Page Acknowledged";
inline constexpr const char* kPageReceiptEvent = "Page Receipt";
inline constexpr const char* kEngagementAcknowledgedEvent = "Engagement Acknowledged";
inline constexpr const char* kEngagementStoppedEvent = "Engagement Stopped";
inline constexpr const char* kEngagementUnacknowledgedEvent = "Engagement Ended Unacknowledged";

struct StartEngagementRequest {
  std::string contact;  // Id, alias or ARN of any contact type.
  std::string sender;   // <= 255
  std::string subject;  // 1..2048
  std::string content;  // 1..8192
  std::string public_subject;
  std::string public_content;
  std::string incident;  // Id or ARN; empty for none.
};

enum class AcceptType { kDelivered, kRead };

struct AcceptRequest {
  std::string code;
  AcceptType type = AcceptType::kRead;
  bool enforce_code = true;  // acceptCodeValidation ENFORCE (default) or IGNORE.
  std::string note;          // <= 2048, kept on the receipt.
};

// What the delivery layer needs to send one page.
struct OutgoingPage {
  Page page;
  std::string sender;
  std::string subject;
  std::string content;
  std::string public_subject;
  std::string public_content;
  std::string accept_code;  // Plain text: only in memory, on its way to the person.
  std::string ack_token;    // For the acknowledgement link /ack/{token}.
  // The incident at claim time (empty / 0 without one).
  std::string incident_title;
  int incident_impact = 0;
  std::string incident_summary;
};

// What the delivery layer learned about a page it handed over.
struct SendOutcome {
  // The carrier's reference ("twilio:SM…") when a carrier took the page;
  // else why none did.
  Result<std::string> ref = std::string();
  // Carriers that did not take it before one did ("name: why").
  std::vector<std::string> failovers;
};

// Commit-time notifications (run on the writer thread after the commit).
struct EngagementListeners {
  std::function<void(int64_t job_id, TimePoint due)> job_scheduled;
  std::function<void(const Page& page)> page_queued;
};

class EngagementService final : public IncidentObserver {
 public:
  // `plans` answers who is on call; not owned.
  explicit EngagementService(PlanService& plans) : plans_(plans) {}

  void SetListeners(EngagementListeners listeners) { listeners_ = std::move(listeners); }

  // Engages a contact. kNotFound for an unknown contact or incident,
  // kInvalidArgument for bad text fields.
  Result<Engagement> Start(store::WriteTxn& txn, const Actor& actor,
                           StartEngagementRequest request);
  // kFailedPrecondition unless the engagement is ENGAGED.
  Result<Engagement> Stop(store::WriteTxn& txn, const Actor& actor, std::string_view id,
                          std::string reason);
  // Accepts a page (see AcceptRequest). kInvalidArgument for a wrong code
  // (the failure is counted and kept), kPermissionDenied once the code is
  // locked, kFailedPrecondition when the page's paging has already stopped.
  Result<Page> Accept(store::WriteTxn& txn, const Actor& actor, std::string_view page_id,
                      AcceptRequest request);
  // The page an acknowledgement-link token belongs to; kNotFound if none.
  Result<Page> PageForToken(store::ReadTxn& txn, std::string_view token);

  // Fires one job of kind kStageJob or kRetryJob (already marked DONE by
  // the caller in this transaction). A job whose run has moved on or stopped
  // does nothing.
  Status RunJob(store::WriteTxn& txn, const Job& job);

  // Delivery. Claims a QUEUED page: kFailedPrecondition if it is not queued.
  Result<OutgoingPage> ClaimForSending(store::WriteTxn& txn, std::string_view page_id);
  // Records the notifier's answer for a SENDING page: SENT with the
  // carrier's reference, or FAILED; failovers go on the timeline.
  Status RecordSendResult(store::WriteTxn& txn, std::string_view page_id,
                          const SendOutcome& outcome);
  // A carrier's status callback for the page it knows as `ref`: DELIVERED
  // and READ are kept as receipts (READ does not acknowledge), ERROR too.
  // kNotFound for an unknown reference; a repeated receipt type is ignored.
  Status RecordCarrierReceipt(store::WriteTxn& txn, std::string_view ref, ReceiptType type,
                              std::string info);
  // A reply by SMS ("ACK 123456") from `address`: acknowledges the newest of
  // that address's recent pages whose accept code matches. kNotFound when no
  // recent page to that address has the code.
  Result<Page> AcceptReply(store::WriteTxn& txn, const Actor& actor, std::string_view address,
                           std::string_view code);
  // At start-up, before delivery resumes: SENDING pages become UNKNOWN.
  // Returns the QUEUED pages, which still need delivering, oldest first.
  Result<std::vector<Page>> Recover(store::WriteTxn& txn);

  // IncidentObserver: engage the plan's contacts; stop paging on resolve.
  Status OnIncidentStarted(store::WriteTxn& txn, const Actor& actor,
                           const StartResult& started) override;
  Status OnIncidentResolved(store::WriteTxn& txn, const Actor& actor,
                            const Incident& incident) override;

 private:
  struct Step;  // The transaction-scoped context of one engine step.

  Status StartRun(Step& step, EngagementRun& run);
  Status StartStage(Step& step, EngagementRun& run, int stage, int pass);
  Status StartPersonalStage(Step& step, EngagementRun& run, int stage, int pass);
  Status StartEscalationStage(Step& step, EngagementRun& run, int stage, int pass);
  Status StartSchedule(Step& step, EngagementRun& run);
  // Records how a stage went; if it paged anyone, schedules the next stage
  // after `duration_minutes` and returns true.
  Result<bool> ConcludeStage(Step& step, const EngagementRun& run, int stage, int pass,
                             int pages_before, int duration_minutes);
  Result<Page> CreatePage(Step& step, const EngagementRun& run, const Channel& channel, int stage,
                          int pass, int attempt);
  Status ScheduleJob(Step& step, Job job);
  // Ends a run that ran out of stages, then whatever that finishes above it.
  Status FinishRun(Step& step, EngagementRun& run);
  // Ends a run and its subtree as `state`, cancelling its jobs and queued pages.
  Status HaltRun(Step& step, EngagementRun& run, RunState state);
  Status AcknowledgeRun(Step& step, EngagementRun& run);
  Status EndEngagement(Step& step, EngagementState state, std::string reason);
  Status Record(Step& step, const char* type, std::string data);

  PlanService& plans_;
  EngagementListeners listeners_;
};

}  // namespace tocsin::domain
