#include "tocsin/domain/engagement_service.h"

#include <algorithm>

#include "tocsin/core/crash_point.h"
#include "tocsin/core/ids.h"
#include "tocsin/core/json_text.h"
#include "tocsin/crypto/crypto.h"

namespace tocsin::domain {

struct EngagementService::Step {
  store::WriteTxn& txn;
  const Actor& actor;
  Engagement eng;
  int pages = 0;  // Pages created by this step so far.
};

namespace {

constexpr size_t kMaxSender = 255;
constexpr size_t kMaxSubject = 2048;
constexpr size_t kMaxContent = 8192;
constexpr size_t kMaxReason = 255;
constexpr size_t kMaxNote = 2048;

std::string HashHex(std::string_view text) { return crypto::HexEncode(crypto::Sha256(text)); }

std::string CodeHash(std::string_view page_id, std::string_view code) {
  return HashHex(std::string(page_id) + ":" + std::string(code));
}

// "arn:aws:ssm-contacts:...:contact/alias" → "alias"; anything else as is.
std::string_view StripArn(std::string_view ref) {
  if (ref.rfind("arn:", 0) != 0) return ref;
  const auto slash = ref.rfind('/');
  return slash == std::string_view::npos ? ref : ref.substr(slash + 1);
}

Status CheckText(std::string_view text, size_t min, size_t max, const char* field) {
  if (text.size() < min || text.size() > max) {
    return InvalidArgument(std::string(field) + " must be " + std::to_string(min) + " to " +
                               std::to_string(max) + " characters",
                           field);
  }
  return Status::Ok();
}

Status CheckSender(std::string_view sender) {
  TOCSIN_RETURN_IF_ERROR(CheckText(sender, 0, kMaxSender, "sender"));
  // AWS: ^[\\a-zA-Z0-9_@#%*+=:?.\/!\s-]*$
  const bool ok = std::all_of(sender.begin(), sender.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("\\_@#%*+=:?./! \t\n\r-").find(c) != std::string_view::npos;
  });
  if (!ok) {
    return InvalidArgument("sender may contain letters, digits, spaces and \\_@#%*+=:?./!-",
                           "sender");
  }
  return Status::Ok();
}

// The stages a person's run follows: their plan, or one stage paging every
// channel once when they have none.
Result<std::vector<Stage>> PersonalStages(store::ReadTxn& txn, const Contact& person) {
  if (!person.stages.empty()) return person.stages;
  store::ListOptions options;
  options.parent_id = person.meta.id;
  options.limit = 100;
  auto channels = txn.Channels().List(options);
  if (!channels.ok()) return channels.status();
  Stage stage;
  for (const Channel& c : channels->items) {
    StageTarget t;
    t.channel_id = c.meta.id;
    stage.targets.push_back(std::move(t));
  }
  return std::vector<Stage>{std::move(stage)};
}

// The fields every timeline entry about one page carries.
JsonObject PageEventData(const Page& page) {
  JsonObject data;
  data.Add("engagementId", page.engagement_id).Add("pageId", page.id);
  data.Add("contact", page.contact_alias).Add("channel", page.channel_id);
  return data;
}

// Whether any run engaged by `parent` is still paging.
Result<bool> HasActiveChild(store::WriteTxn& txn, const EngagementRun& parent) {
  auto runs = txn.Engagements().ListRuns(parent.engagement_id);
  if (!runs.ok()) return runs.status();
  return std::any_of(runs->begin(), runs->end(), [&](const EngagementRun& r) {
    return r.parent_id == parent.id && r.state == RunState::kActive;
  });
}

}  // namespace

Status EngagementService::Record(Step& step, const char* type, std::string data) {
  TimelineEvent e;
  e.incident_id = step.eng.incident_id;
  e.event_id = NewUuid();
  e.event_time = step.txn.Now();
  e.event_type = type;
  e.event_data = std::move(data);
  e.actor = step.actor.who.id;
  e.request_id = step.actor.request_id;
  e.system = true;
  return step.txn.AppendTimeline(std::move(e)).status();
}

Status EngagementService::ScheduleJob(Step& step, Job job) {
  job.owner = step.eng.id;
  auto id = step.txn.Jobs().InsertJob(job);
  if (!id.ok()) return id.status();
  if (listeners_.job_scheduled) {
    step.txn.OnCommit([fn = listeners_.job_scheduled, id = *id, due = job.due] { fn(id, due); });
  }
  return Status::Ok();
}

Result<Page> EngagementService::CreatePage(Step& step, const EngagementRun& run,
                                           const Channel& channel, int stage, int pass,
                                           int attempt) {
  Page p;
  p.id = NewUuid();
  p.engagement_id = step.eng.id;
  p.run_id = run.id;
  p.contact_id = run.contact_id;
  p.contact_alias = run.contact_alias;
  p.channel_id = channel.meta.id;
  p.channel_type = channel.type;
  p.delivery_address = channel.delivery_address;
  p.incident_id = step.eng.incident_id;
  p.stage = stage;
  p.pass = pass;
  p.attempt = attempt;
  p.state = PageState::kQueued;
  p.created_at = step.txn.Now();
  TOCSIN_RETURN_IF_ERROR(step.txn.Engagements().InsertPage(p));
  ++step.pages;
  if (listeners_.page_queued) {
    step.txn.OnCommit([fn = listeners_.page_queued, p] {
      // A crash here leaves the page QUEUED: it is delivered after the restart.
      CrashPoint("engage.page_committed");
      fn(p);
    });
  }
  return p;
}

Result<Engagement> EngagementService::Start(store::WriteTxn& txn, const Actor& actor,
                                            StartEngagementRequest r) {
  TOCSIN_RETURN_IF_ERROR(CheckSender(r.sender));
  TOCSIN_RETURN_IF_ERROR(CheckText(r.subject, 1, kMaxSubject, "subject"));
  TOCSIN_RETURN_IF_ERROR(CheckText(r.content, 1, kMaxContent, "content"));
  TOCSIN_RETURN_IF_ERROR(CheckText(r.public_subject, 0, kMaxSubject, "publicSubject"));
  TOCSIN_RETURN_IF_ERROR(CheckText(r.public_content, 0, kMaxContent, "publicContent"));
  auto contact = txn.Contacts().Get(StripArn(r.contact));
  if (!contact.ok()) {
    if (contact.status().code() != StatusCode::kNotFound) return contact.status();
    return NotFound("contact \"" + r.contact + "\" not found");
  }
  Engagement e;
  if (!r.incident.empty()) {
    auto incident = txn.GetIncident(r.incident);
    if (!incident.ok()) {
      if (incident.status().code() != StatusCode::kNotFound) return incident.status();
      return NotFound("incident \"" + r.incident + "\" not found");
    }
    e.incident_id = incident->id;
  }
  e.id = NewUuid();
  e.contact_id = contact->meta.id;
  e.contact_alias = contact->alias;
  e.contact_type = contact->type;
  e.sender = std::move(r.sender);
  e.subject = std::move(r.subject);
  e.content = std::move(r.content);
  e.public_subject = std::move(r.public_subject);
  e.public_content = std::move(r.public_content);
  e.state = EngagementState::kEngaged;
  e.started_at = txn.Now();
  e.created_by = actor.who.id;
  TOCSIN_RETURN_IF_ERROR(txn.Engagements().InsertEngagement(e));

  Step step{txn, actor, e};
  JsonObject data;
  data.Add("engagementId", e.id).Add("contact", e.contact_alias);
  data.Add("contactType", ContactTypeName(e.contact_type)).Add("sender", e.sender);
  TOCSIN_RETURN_IF_ERROR(Record(step, kEngagementStartedEvent, data.Build()));

  EngagementRun root;
  root.id = NewUuid();
  root.engagement_id = e.id;
  root.contact_id = e.contact_id;
  root.contact_alias = e.contact_alias;
  root.kind = e.contact_type;
  root.essential = true;
  TOCSIN_RETURN_IF_ERROR(txn.Engagements().InsertRun(root));
  TOCSIN_RETURN_IF_ERROR(StartRun(step, root));
  return step.eng;
}

Status EngagementService::StartRun(Step& step, EngagementRun& run) {
  if (run.kind == ContactType::kOncallSchedule) return StartSchedule(step, run);
  return StartStage(step, run, 0, 0);
}

Status EngagementService::StartStage(Step& step, EngagementRun& run, int stage, int pass) {
  if (run.kind == ContactType::kEscalation) return StartEscalationStage(step, run, stage, pass);
  return StartPersonalStage(step, run, stage, pass);
}

Result<bool> EngagementService::ConcludeStage(Step& step, const EngagementRun& run, int stage,
                                              int pass, int pages_before, int duration_minutes) {
  JsonObject data;
  data.Add("engagementId", step.eng.id).Add("contact", run.contact_alias);
  data.Add("stage", stage).Add("pass", pass);
  if (step.pages == pages_before) {
    TOCSIN_RETURN_IF_ERROR(Record(step, kStageReachedNobodyEvent, data.Build()));
    return false;
  }
  data.Add("pages", step.pages - pages_before).Add("durationInMinutes", duration_minutes);
  TOCSIN_RETURN_IF_ERROR(Record(step, kStageStartedEvent, data.Build()));
  Job next;
  next.kind = kStageJob;
  next.due = step.txn.Now() + std::chrono::minutes(duration_minutes);
  next.ref = run.id;
  next.step = stage + 1;
  next.round = pass;
  TOCSIN_RETURN_IF_ERROR(ScheduleJob(step, std::move(next)));
  return true;
}

Status EngagementService::StartPersonalStage(Step& step, EngagementRun& run, int stage, int pass) {
  store::WriteTxn& txn = step.txn;
  auto person = txn.Contacts().Get(run.contact_id);
  if (!person.ok()) {
    if (person.status().code() != StatusCode::kNotFound) return person.status();
    return FinishRun(step, run);  // Deleted since it was engaged.
  }
  auto stages = PersonalStages(txn, *person);
  if (!stages.ok()) return stages.status();
  for (; stage < static_cast<int>(stages->size()); ++stage) {
    const Stage& s = (*stages)[static_cast<size_t>(stage)];
    run.stage = stage;
    run.pass = pass;
    TOCSIN_RETURN_IF_ERROR(txn.Engagements().UpdateRun(run));
    const int before = step.pages;
    const auto stage_length = std::chrono::minutes(s.duration_minutes);
    for (const StageTarget& target : s.targets) {
      auto channel = txn.Channels().Get(target.channel_id);
      if (!channel.ok()) {
        if (channel.status().code() != StatusCode::kNotFound) return channel.status();
        continue;
      }
      if (channel->activation_status != ActivationStatus::kActivated) continue;
      auto page = CreatePage(step, run, *channel, stage, pass, 1);
      if (!page.ok()) return page.status();
      // Retries until the stage ends, scheduled now: each is its own job.
      if (target.retry_interval_minutes <= 0) continue;
      const auto interval = std::chrono::minutes(target.retry_interval_minutes);
      int attempt = 2;
      for (auto at = interval; at < stage_length; at += interval, ++attempt) {
        Job retry;
        retry.kind = kRetryJob;
        retry.due = txn.Now() + at;
        retry.ref = run.id;
        retry.arg = channel->meta.id;
        retry.step = stage;
        retry.round = pass;
        retry.attempt = attempt;
        TOCSIN_RETURN_IF_ERROR(ScheduleJob(step, std::move(retry)));
      }
    }
    auto reached = ConcludeStage(step, run, stage, pass, before, s.duration_minutes);
    if (!reached.ok()) return reached.status();
    if (*reached) return Status::Ok();
    // Nobody to wait for: the next stage starts now.
  }
  return FinishRun(step, run);
}

Status EngagementService::StartEscalationStage(Step& step, EngagementRun& run, int stage,
                                               int pass) {
  store::WriteTxn& txn = step.txn;
  auto plan = txn.Contacts().Get(run.contact_id);
  if (!plan.ok()) {
    if (plan.status().code() != StatusCode::kNotFound) return plan.status();
    return FinishRun(step, run);
  }
  const auto& stages = plan->stages;
  while (true) {
    if (stage >= static_cast<int>(stages.size())) {
      if (pass >= plan->repeat_count || stages.empty()) return FinishRun(step, run);
      stage = 0;
      ++pass;
    }
    const Stage& s = stages[static_cast<size_t>(stage)];
    run.stage = stage;
    run.pass = pass;
    TOCSIN_RETURN_IF_ERROR(txn.Engagements().UpdateRun(run));
    const int before = step.pages;
    for (const StageTarget& target : s.targets) {
      auto contact = txn.Contacts().Get(target.contact_id);
      if (!contact.ok()) {
        if (contact.status().code() != StatusCode::kNotFound) return contact.status();
        continue;
      }
      EngagementRun child;
      child.id = NewUuid();
      child.engagement_id = step.eng.id;
      child.parent_id = run.id;
      child.contact_id = contact->meta.id;
      child.contact_alias = contact->alias;
      child.kind = contact->type;
      child.parent_stage = stage;
      child.essential = target.is_essential;
      TOCSIN_RETURN_IF_ERROR(txn.Engagements().InsertRun(child));
      TOCSIN_RETURN_IF_ERROR(StartRun(step, child));
      // The child's acknowledgement may already have ended this run (not in
      // practice: nobody acknowledges inside the step that pages them).
    }
    auto reached = ConcludeStage(step, run, stage, pass, before, s.duration_minutes);
    if (!reached.ok()) return reached.status();
    if (*reached) return Status::Ok();
    ++stage;
  }
}

Status EngagementService::StartSchedule(Step& step, EngagementRun& run) {
  store::WriteTxn& txn = step.txn;
  auto people = plans_.ScheduleOnCall(txn, run.contact_id, txn.Now());
  if (!people.ok() && people.status().code() != StatusCode::kNotFound) return people.status();
  if (people.ok()) {
    for (const std::string& id : *people) {
      auto person = txn.Contacts().Get(id);
      if (!person.ok()) {
        if (person.status().code() != StatusCode::kNotFound) return person.status();
        continue;
      }
      EngagementRun child;
      child.id = NewUuid();
      child.engagement_id = step.eng.id;
      child.parent_id = run.id;
      child.contact_id = person->meta.id;
      child.contact_alias = person->alias;
      child.kind = ContactType::kPersonal;
      child.parent_stage = run.parent_stage;
      child.essential = true;  // One on-call person answering answers the schedule.
      TOCSIN_RETURN_IF_ERROR(txn.Engagements().InsertRun(child));
      TOCSIN_RETURN_IF_ERROR(StartRun(step, child));
    }
  }
  if (!people.ok() || people->empty()) {
    JsonObject data;
    data.Add("engagementId", step.eng.id).Add("schedule", run.contact_alias);
    TOCSIN_RETURN_IF_ERROR(Record(step, kNoOneOnCallEvent, data.Build()));
  }
  // Children that reached nobody have finished already; if all did, so has this run.
  auto refreshed = txn.Engagements().GetRun(run.id);
  if (!refreshed.ok()) return refreshed.status();
  run = std::move(*refreshed);
  if (run.state != RunState::kActive) return Status::Ok();
  auto busy = HasActiveChild(txn, run);
  if (!busy.ok()) return busy.status();
  return *busy ? Status::Ok() : FinishRun(step, run);
}

Status EngagementService::FinishRun(Step& step, EngagementRun& run) {
  if (run.state != RunState::kActive) return Status::Ok();
  run.state = RunState::kDone;
  TOCSIN_RETURN_IF_ERROR(step.txn.Engagements().UpdateRun(run));
  // Its retries end with it; pages already queued are still delivered.
  auto cancelled = step.txn.Jobs().CancelJobs(step.eng.id, run.id);
  if (!cancelled.ok()) return cancelled.status();
  if (run.parent_id.empty()) {
    return EndEngagement(step, EngagementState::kUnacknowledged, "");
  }
  auto parent = step.txn.Engagements().GetRun(run.parent_id);
  if (!parent.ok()) return parent.status();
  // An escalation moves on by its own clock; a schedule is done when every
  // person it engaged is.
  if (parent->kind != ContactType::kOncallSchedule || parent->state != RunState::kActive) {
    return Status::Ok();
  }
  auto busy = HasActiveChild(step.txn, *parent);
  if (!busy.ok()) return busy.status();
  return *busy ? Status::Ok() : FinishRun(step, *parent);
}

Status EngagementService::HaltRun(Step& step, EngagementRun& run, RunState state) {
  store::WriteTxn& txn = step.txn;
  auto runs = txn.Engagements().ListRuns(step.eng.id);
  if (!runs.ok()) return runs.status();
  // The run and its descendants (runs are listed parents first).
  std::vector<std::string> subtree{run.id};
  for (EngagementRun& r : *runs) {
    const bool in_subtree =
        r.id == run.id || std::find(subtree.begin(), subtree.end(), r.parent_id) != subtree.end();
    if (!in_subtree) continue;
    if (r.id != run.id) subtree.push_back(r.id);
    if (r.state != RunState::kActive) continue;
    r.state = r.id == run.id ? state : RunState::kStopped;
    TOCSIN_RETURN_IF_ERROR(txn.Engagements().UpdateRun(r));
    auto cancelled = txn.Jobs().CancelJobs(step.eng.id, r.id);
    if (!cancelled.ok()) return cancelled.status();
    auto pages = txn.Engagements().ListRunPages(r.id);
    if (!pages.ok()) return pages.status();
    for (Page& p : *pages) {
      if (p.acknowledged) continue;
      const bool queued = p.state == PageState::kQueued;
      const bool outstanding = p.state == PageState::kSending || p.state == PageState::kSent;
      if (!queued && !outstanding) continue;
      if (queued) {
        p.state = PageState::kCancelled;
        TOCSIN_RETURN_IF_ERROR(txn.Engagements().UpdatePage(p));
      }
      TOCSIN_RETURN_IF_ERROR(txn.Engagements().AddReceipt(
          {p.id, ReceiptType::kStop,
           state == RunState::kAcknowledged ? "acknowledged" : "paging stopped", txn.Now()}));
    }
    if (r.id == run.id) run.state = r.state;
  }
  return Status::Ok();
}

Status EngagementService::EndEngagement(Step& step, EngagementState state, std::string reason) {
  // A late acknowledgement still turns a run-out engagement into an acknowledged one.
  const bool late_ack =
      step.eng.state == EngagementState::kUnacknowledged && state == EngagementState::kAcknowledged;
  if (step.eng.state != EngagementState::kEngaged && !late_ack) return Status::Ok();
  store::WriteTxn& txn = step.txn;
  auto runs = txn.Engagements().ListRuns(step.eng.id);
  if (!runs.ok()) return runs.status();
  for (EngagementRun& r : *runs) {
    if (r.parent_id.empty() && r.state == RunState::kActive) {
      TOCSIN_RETURN_IF_ERROR(HaltRun(
          step, r,
          state == EngagementState::kAcknowledged ? RunState::kAcknowledged : RunState::kStopped));
    }
  }
  // Anything else still running (an escalation that ran out leaves the people
  // it engaged) stops too.
  auto cancelled = txn.Jobs().CancelJobs(step.eng.id, "");
  if (!cancelled.ok()) return cancelled.status();
  auto rest = txn.Engagements().ListRuns(step.eng.id);
  if (!rest.ok()) return rest.status();
  for (EngagementRun& r : *rest) {
    if (r.state != RunState::kActive) continue;
    r.state = RunState::kStopped;
    TOCSIN_RETURN_IF_ERROR(txn.Engagements().UpdateRun(r));
  }
  step.eng.state = state;
  step.eng.stopped_at = txn.Now();
  step.eng.stop_reason = std::move(reason);
  TOCSIN_RETURN_IF_ERROR(txn.Engagements().UpdateEngagement(step.eng));
  JsonObject data;
  data.Add("engagementId", step.eng.id).Add("contact", step.eng.contact_alias);
  if (!step.eng.stop_reason.empty()) data.Add("reason", step.eng.stop_reason);
  const char* type = state == EngagementState::kAcknowledged ? kEngagementAcknowledgedEvent
                     : state == EngagementState::kStopped    ? kEngagementStoppedEvent
                                                             : kEngagementUnacknowledgedEvent;
  return Record(step, type, data.Build());
}

Status EngagementService::AcknowledgeRun(Step& step, EngagementRun& run) {
  EngagementRun current = run;
  while (true) {
    if (current.state == RunState::kActive) {
      TOCSIN_RETURN_IF_ERROR(HaltRun(step, current, RunState::kAcknowledged));
    } else if (current.state == RunState::kDone) {
      // It ran out of stages, but its page is still being answered.
      current.state = RunState::kAcknowledged;
      TOCSIN_RETURN_IF_ERROR(step.txn.Engagements().UpdateRun(current));
    }
    if (current.parent_id.empty()) {
      return EndEngagement(step, EngagementState::kAcknowledged, "");
    }
    if (!current.essential) return Status::Ok();
    auto parent = step.txn.Engagements().GetRun(current.parent_id);
    if (!parent.ok()) return parent.status();
    current = std::move(*parent);
  }
}

Result<Engagement> EngagementService::Stop(store::WriteTxn& txn, const Actor& actor,
                                           std::string_view id, std::string reason) {
  TOCSIN_RETURN_IF_ERROR(CheckText(reason, 0, kMaxReason, "reason"));
  auto e = txn.Engagements().GetEngagement(id);
  if (!e.ok()) return e.status();
  if (e->state != EngagementState::kEngaged) {
    return FailedPrecondition(std::string("engagement has already ended (") +
                              EngagementStateName(e->state) + ")");
  }
  Step step{txn, actor, std::move(*e)};
  TOCSIN_RETURN_IF_ERROR(EndEngagement(step, EngagementState::kStopped,
                                       reason.empty() ? "stopped by request" : std::move(reason)));
  return step.eng;
}

Result<Page> EngagementService::Accept(store::WriteTxn& txn, const Actor& actor,
                                       std::string_view page_id, AcceptRequest r) {
  TOCSIN_RETURN_IF_ERROR(CheckText(r.note, 0, kMaxNote, "note"));
  auto page = txn.Engagements().GetPage(page_id);
  if (!page.ok()) return page.status();
  auto e = txn.Engagements().GetEngagement(page->engagement_id);
  if (!e.ok()) return e.status();
  auto run = txn.Engagements().GetRun(page->run_id);
  if (!run.ok()) return run.status();
  // A person may answer after their own plan ran out, and even after the
  // whole engagement did (the answer still counts); not after it was stopped
  // or answered.
  const bool open =
      e->state == EngagementState::kEngaged || e->state == EngagementState::kUnacknowledged;
  if (page->state == PageState::kCancelled || page->acknowledged || !open ||
      run->state == RunState::kStopped) {
    return FailedPrecondition("paging for this page has already stopped");
  }
  if (r.enforce_code) {
    if (page->code_failures >= kMaxCodeFailures) {
      return PermissionDenied(
          "this page's accept code is locked after too many wrong codes; use the "
          "acknowledgement link or another page");
    }
    if (page->code_hash.empty() ||
        !crypto::ConstantTimeEqual(CodeHash(page->id, r.code), page->code_hash)) {
      ++page->code_failures;
      TOCSIN_RETURN_IF_ERROR(txn.Engagements().UpdatePage(*page));
      txn.KeepChangesOnError();  // The count must outlive the 400.
      return InvalidArgument("code does not match this page's accept code", "code");
    }
  }
  Step step{txn, actor, std::move(*e)};
  JsonObject data = PageEventData(*page);
  if (r.type == AcceptType::kDelivered) {
    if (!page->delivered_at) page->delivered_at = txn.Now();
    TOCSIN_RETURN_IF_ERROR(txn.Engagements().UpdatePage(*page));
    TOCSIN_RETURN_IF_ERROR(txn.Engagements().AddReceipt(
        {page->id, ReceiptType::kDelivered, r.note.empty() ? "delivered" : r.note, txn.Now()}));
    TOCSIN_RETURN_IF_ERROR(Record(step, kPageDeliveredEvent, data.Build()));
    return *page;
  }
  page->read_at = txn.Now();
  if (!page->delivered_at) page->delivered_at = txn.Now();
  page->acknowledged = true;
  TOCSIN_RETURN_IF_ERROR(txn.Engagements().UpdatePage(*page));
  TOCSIN_RETURN_IF_ERROR(txn.Engagements().AddReceipt(
      {page->id, ReceiptType::kRead, r.note.empty() ? "acknowledged" : r.note, txn.Now()}));
  data.Add("by", actor.who.id);
  TOCSIN_RETURN_IF_ERROR(Record(step, kPageAcknowledgedEvent, data.Build()));
  // The person is acknowledged where this page reached them, and wherever
  // else this engagement is still paging them.
  TOCSIN_RETURN_IF_ERROR(AcknowledgeRun(step, *run));
  auto runs = txn.Engagements().ListRuns(step.eng.id);
  if (!runs.ok()) return runs.status();
  for (EngagementRun& other : *runs) {
    if (step.eng.state != EngagementState::kEngaged) break;
    if (other.contact_id != page->contact_id || other.kind != ContactType::kPersonal) continue;
    auto fresh = txn.Engagements().GetRun(other.id);  // Earlier iterations may have halted it.
    if (!fresh.ok()) return fresh.status();
    if (fresh->state != RunState::kActive) continue;
    TOCSIN_RETURN_IF_ERROR(AcknowledgeRun(step, *fresh));
  }
  return *page;
}

Result<Page> EngagementService::PageForToken(store::ReadTxn& txn, std::string_view token) {
  if (token.empty() || token.size() > 100) return NotFound("unknown acknowledgement link");
  auto page = txn.Engagements().FindPageByToken(HashHex(token));
  if (!page.ok() && page.status().code() == StatusCode::kNotFound) {
    return NotFound("unknown acknowledgement link");
  }
  return page;
}

Status EngagementService::RunJob(store::WriteTxn& txn, const Job& job) {
  auto e = txn.Engagements().GetEngagement(job.owner);
  if (!e.ok()) return e.status().code() == StatusCode::kNotFound ? Status::Ok() : e.status();
  if (e->state != EngagementState::kEngaged) return Status::Ok();
  auto run = txn.Engagements().GetRun(job.ref);
  if (!run.ok()) return run.status().code() == StatusCode::kNotFound ? Status::Ok() : run.status();
  if (run->state != RunState::kActive) return Status::Ok();
  const Actor actor{SystemPrincipal(), "job-" + std::to_string(job.id)};
  Step step{txn, actor, std::move(*e)};
  if (job.kind == kStageJob) {
    // Only the successor of the stage now running; anything else is stale.
    if (run->stage + 1 != job.step || run->pass != job.round) return Status::Ok();
    return StartStage(step, *run, job.step, job.round);
  }
  if (job.kind == kRetryJob) {
    if (run->stage != job.step || run->pass != job.round) return Status::Ok();
    auto channel = txn.Channels().Get(job.arg);
    if (!channel.ok()) {
      return channel.status().code() == StatusCode::kNotFound ? Status::Ok() : channel.status();
    }
    if (channel->activation_status != ActivationStatus::kActivated) return Status::Ok();
    auto page = CreatePage(step, *run, *channel, job.step, job.round, job.attempt);
    return page.status();
  }
  return Internal("unknown job kind " + job.kind);
}

Result<OutgoingPage> EngagementService::ClaimForSending(store::WriteTxn& txn,
                                                        std::string_view page_id) {
  auto page = txn.Engagements().GetPage(page_id);
  if (!page.ok()) return page.status();
  if (page->state != PageState::kQueued) return FailedPrecondition("page is not queued");
  auto e = txn.Engagements().GetEngagement(page->engagement_id);
  if (!e.ok()) return e.status();
  OutgoingPage out;
  out.accept_code = RandomDigits(kAcceptCodeDigits);
  out.ack_token = RandomToken(24);
  page->state = PageState::kSending;
  page->code_hash = CodeHash(page->id, out.accept_code);
  page->token_hash = HashHex(out.ack_token);
  TOCSIN_RETURN_IF_ERROR(txn.Engagements().UpdatePage(*page));
  out.page = std::move(*page);
  out.sender = e->sender;
  out.subject = e->subject;
  out.content = e->content;
  out.public_subject = e->public_subject.empty() ? e->subject : e->public_subject;
  out.public_content = e->public_content.empty() ? e->content : e->public_content;
  if (!e->incident_id.empty()) {
    auto incident = txn.GetIncident(e->incident_id);
    if (incident.ok()) {
      out.incident_title = incident->title;
      out.incident_impact = incident->impact;
      out.incident_summary = incident->summary;
    }
  }
  return out;
}

Status EngagementService::RecordSendResult(store::WriteTxn& txn, std::string_view page_id,
                                           const SendOutcome& outcome) {
  auto page = txn.Engagements().GetPage(page_id);
  if (!page.ok()) return page.status();
  if (page->state != PageState::kSending) return Status::Ok();
  auto e = txn.Engagements().GetEngagement(page->engagement_id);
  if (!e.ok()) return e.status();
  const Actor actor{SystemPrincipal(), "delivery"};
  Step step{txn, actor, std::move(*e)};
  JsonObject data = PageEventData(*page);
  data.Add("channelType", ChannelTypeName(page->channel_type)).Add("attempt", page->attempt);
  if (!outcome.failovers.empty()) {
    std::vector<std::string> failovers;
    for (const std::string& f : outcome.failovers) failovers.push_back(f.substr(0, 512));
    data.Add("failovers", failovers);
  }
  const Result<std::string>& ref = outcome.ref;
  if (ref.ok()) {
    page->state = PageState::kSent;
    page->sent_at = txn.Now();
    page->provider_ref = ref->substr(0, 512);
    const std::string info = ref->empty() ? "sent" : page->provider_ref;
    Status updated = txn.Engagements().UpdatePage(*page);
    if (updated.code() == StatusCode::kAlreadyExists) {
      // Two pages cannot share a carrier reference; keep the page, not the ref.
      page->provider_ref.clear();
      updated = txn.Engagements().UpdatePage(*page);
    }
    TOCSIN_RETURN_IF_ERROR(updated);
    TOCSIN_RETURN_IF_ERROR(
        txn.Engagements().AddReceipt({page->id, ReceiptType::kSent, info, txn.Now()}));
    if (!info.empty()) data.Add("carrierRef", info);
    return Record(step, kPageSentEvent, data.Build());
  }
  page->state = PageState::kFailed;
  const std::string info = ref.status().message().substr(0, 2048);
  TOCSIN_RETURN_IF_ERROR(txn.Engagements().UpdatePage(*page));
  TOCSIN_RETURN_IF_ERROR(txn.Engagements().AddReceipt(
      {page->id, ReceiptType::kError, info.empty() ? "error" : info, txn.Now()}));
  data.Add("error", info);
  return Record(step, kPageFailedEvent, data.Build());
}

Status EngagementService::RecordCarrierReceipt(store::WriteTxn& txn, std::string_view ref,
                                               ReceiptType type, std::string info) {
  auto page = txn.Engagements().FindPageByProviderRef(ref);
  if (!page.ok()) return page.status();
  if (type == ReceiptType::kSent) return Status::Ok();  // Known since the handover.
  auto receipts = txn.Engagements().ListReceipts(page->id);
  if (!receipts.ok()) return receipts.status();
  // Carriers repeat callbacks (retries, several events per call): one each.
  const bool seen = std::any_of(receipts->begin(), receipts->end(), [&](const Receipt& r) {
    return r.type == type && r.info.rfind("carrier:", 0) == 0;
  });
  if (seen) return Status::Ok();
  if (type == ReceiptType::kDelivered && !page->delivered_at) page->delivered_at = txn.Now();
  if (type == ReceiptType::kRead && !page->read_at) page->read_at = txn.Now();
  TOCSIN_RETURN_IF_ERROR(txn.Engagements().UpdatePage(*page));
  TOCSIN_RETURN_IF_ERROR(txn.Engagements().AddReceipt(
      {page->id, type, "carrier: " + info.substr(0, 1024), txn.Now()}));
  auto e = txn.Engagements().GetEngagement(page->engagement_id);
  if (!e.ok()) return e.status();
  const Actor actor{SystemPrincipal(), "carrier"};
  Step step{txn, actor, std::move(*e)};
  JsonObject data = PageEventData(*page);
  data.Add("receipt", ReceiptTypeName(type)).Add("info", info.substr(0, 1024));
  return Record(step, type == ReceiptType::kDelivered ? kPageDeliveredEvent : kPageReceiptEvent,
                data.Build());
}

Result<Page> EngagementService::AcceptReply(store::WriteTxn& txn, const Actor& actor,
                                            std::string_view address, std::string_view code) {
  // A person answers the page they just got; older pages to the same number
  // are looked at too, but only a few, and only those still open.
  constexpr size_t kRecentPages = 20;
  auto pages = txn.Engagements().ListRecentPagesTo(address, kRecentPages);
  if (!pages.ok()) return pages.status();
  for (const Page& p : *pages) {
    if (p.acknowledged || p.code_hash.empty() || p.code_failures >= kMaxCodeFailures) continue;
    if (!crypto::ConstantTimeEqual(CodeHash(p.id, code), p.code_hash)) continue;
    AcceptRequest r;
    r.code = std::string(code);
    r.note = "reply from " + std::string(address);
    return Accept(txn, actor, p.id, std::move(r));
  }
  return NotFound("no recent page to this number has that code");
}

Result<std::vector<Page>> EngagementService::Recover(store::WriteTxn& txn) {
  while (true) {
    auto sending = txn.Engagements().ListPageIdsInState(PageState::kSending, 500);
    if (!sending.ok()) return sending.status();
    if (sending->empty()) break;
    for (const std::string& id : *sending) {
      auto page = txn.Engagements().GetPage(id);
      if (!page.ok()) return page.status();
      auto e = txn.Engagements().GetEngagement(page->engagement_id);
      if (!e.ok()) return e.status();
      page->state = PageState::kUnknown;
      TOCSIN_RETURN_IF_ERROR(txn.Engagements().UpdatePage(*page));
      TOCSIN_RETURN_IF_ERROR(txn.Engagements().AddReceipt(
          {page->id, ReceiptType::kError,
           "delivery outcome unknown: the server stopped while handing the page over; not "
           "resent",
           txn.Now()}));
      const Actor actor{SystemPrincipal(), "recovery"};
      Step step{txn, actor, std::move(*e)};
      TOCSIN_RETURN_IF_ERROR(Record(step, kPageUnknownEvent, PageEventData(*page).Build()));
    }
  }
  auto queued = txn.Engagements().ListPageIdsInState(PageState::kQueued, 1'000'000);
  if (!queued.ok()) return queued.status();
  std::vector<Page> pages;
  pages.reserve(queued->size());
  for (const std::string& id : *queued) {
    auto page = txn.Engagements().GetPage(id);
    if (!page.ok()) return page.status();
    pages.push_back(std::move(*page));
  }
  return pages;
}

Status EngagementService::OnIncidentStarted(store::WriteTxn& txn, const Actor& actor,
                                            const StartResult& started) {
  const Incident& i = started.incident;
  for (const std::string& contact_id : started.plan.engagement_ids) {
    StartEngagementRequest r;
    r.contact = contact_id;
    r.sender = "tocsin";
    r.subject = "[Impact " + std::to_string(i.impact) + "] " + i.title;
    r.content = i.title + "\n\nImpact: " + std::to_string(i.impact) +
                "\nResponse plan: " + i.response_plan_name;
    if (!i.summary.empty()) r.content += "\n\n" + i.summary;
    r.content = r.content.substr(0, kMaxContent);
    r.subject = r.subject.substr(0, kMaxSubject);
    r.incident = i.id;
    auto e = Start(txn, actor, std::move(r));
    // A contact deleted since the plan was saved is skipped, not fatal.
    if (!e.ok() && e.status().code() != StatusCode::kNotFound) return e.status();
  }
  return Status::Ok();
}

Status EngagementService::OnIncidentResolved(store::WriteTxn& txn, const Actor& actor,
                                             const Incident& incident) {
  store::EngagementQuery q;
  q.incident_id = incident.id;
  q.state = EngagementState::kEngaged;
  q.limit = 100;
  while (true) {
    auto page = txn.Engagements().ListEngagements(q);
    if (!page.ok()) return page.status();
    for (Engagement& e : page->items) {
      Step step{txn, actor, std::move(e)};
      TOCSIN_RETURN_IF_ERROR(EndEngagement(step, EngagementState::kStopped, "incident resolved"));
    }
    if (page->next_cursor.empty()) return Status::Ok();
    q.cursor = page->next_cursor;
  }
}

}  // namespace tocsin::domain
