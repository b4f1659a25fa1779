#include "tocsin/notify/announcer.h"

#include "tocsin/core/ids.h"
#include "tocsin/notify/announce.h"

namespace tocsin::notify {

struct Announcer::Change {
  IncidentAnnouncement a;
  bool to_chat = true;
  bool to_targets = true;
};

Status Announcer::Announce(store::WriteTxn& txn, const domain::Actor& actor, const Change& c) {
  IncidentAnnouncement a = c.a;
  a.actor = actor.who.id;
  a.at = txn.Now();
  a.incident_url = options_.public_url + "/#/incidents/" + a.incident.id;
  const char* event = IncidentChangeEventName(a.change);
  if (c.to_chat) {
    for (const std::string& id : a.incident.chat_channel_ids) {
      auto channel = txn.ChatChannels().Get(id);
      if (!channel.ok()) continue;  // Deleted since: nothing to post to.
      domain::OutboxMessage m;
      m.kind = domain::OutboxKind::kChat;
      m.incident_id = a.incident.id;
      m.target_id = channel->meta.id;
      m.event = event;
      m.body = RenderChatPost(channel->type, a);
      TOCSIN_RETURN_IF_ERROR(outbox_.Enqueue(txn, actor, std::move(m)).status());
    }
  }
  if (c.to_targets) {
    for (const std::string& id : a.incident.notification_target_ids) {
      auto target = txn.NotificationTargets().Get(id);
      if (!target.ok()) continue;
      domain::OutboxMessage m;
      m.id = NewUuid();
      m.kind = domain::OutboxKind::kWebhook;
      m.incident_id = a.incident.id;
      m.target_id = target->meta.id;
      m.event = event;
      m.body = RenderWebhookBody(a, m.id);
      TOCSIN_RETURN_IF_ERROR(outbox_.Enqueue(txn, actor, std::move(m)).status());
    }
  }
  return Status::Ok();
}

Status Announcer::OnIncidentStarted(store::WriteTxn& txn, const domain::Actor& actor,
                                    const domain::StartResult& started) {
  Change c;
  c.a.change = IncidentChange::kCreated;
  c.a.incident = started.incident;
  return Announce(txn, actor, c);
}

Status Announcer::OnIncidentResolved(store::WriteTxn&, const domain::Actor&,
                                     const domain::Incident&) {
  return Status::Ok();  // Announced by OnIncidentChanged, with everything else that changed.
}

Status Announcer::OnIncidentChanged(store::WriteTxn& txn, const domain::Actor& actor,
                                    const domain::Incident& before, const domain::Incident& after) {
  Change c;
  c.a.incident = after;
  if (before.status != after.status) {
    c.a.change = after.status == domain::IncidentStatus::kResolved ? IncidentChange::kResolved
                                                                   : IncidentChange::kReopened;
  } else if (before.impact != after.impact) {
    c.a.change = IncidentChange::kImpactChanged;
    c.a.previous_impact = before.impact;
  } else {
    // Title, summary, channels, targets: machines hear of it, chats do not.
    c.a.change = IncidentChange::kUpdated;
    c.to_chat = false;
  }
  return Announce(txn, actor, c);
}

Status Announcer::OnNoteAdded(store::WriteTxn& txn, const domain::Actor& actor,
                              const domain::Incident& incident, const domain::TimelineEvent& note) {
  if (!options_.chat_notes) return Status::Ok();
  Change c;
  c.a.change = IncidentChange::kNoteAdded;
  c.a.incident = incident;
  c.a.note = note.event_data;
  c.to_targets = false;
  return Announce(txn, actor, c);
}

}  // namespace tocsin::notify
