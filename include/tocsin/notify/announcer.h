// Announcer: turns incident changes into outbox messages, in the transaction
// of the change (an IncidentObserver), so an announcement is durable exactly
// when the change is.
//
//  - chat channels of the incident: a post on start, impact change, note
//    (when `chat_notes`), resolve and reopen, in each product's format;
//  - notification targets of the incident: a signed webhook on start, every
//    update, resolve and reopen.
// Bodies are rendered here, once: a retry sends the same bytes under the same
// Idempotency-Key (the outbox id), and only the signature's timestamp is new.
#pragma once

#include <string>

#include "tocsin/domain/incident_service.h"
#include "tocsin/domain/outbox_service.h"

namespace tocsin::notify {

struct AnnouncerOptions {
  std::string public_url;  // Incident links: {public_url}/#/incidents/{id}.
  bool chat_notes = true;  // Post notes to chat channels.
};

class Announcer final : public domain::IncidentObserver {
 public:
  Announcer(domain::OutboxService& outbox, AnnouncerOptions options)
      : outbox_(outbox), options_(std::move(options)) {}

  Status OnIncidentStarted(store::WriteTxn& txn, const domain::Actor& actor,
                           const domain::StartResult& started) override;
  Status OnIncidentResolved(store::WriteTxn& txn, const domain::Actor& actor,
                            const domain::Incident& incident) override;
  Status OnIncidentChanged(store::WriteTxn& txn, const domain::Actor& actor,
                           const domain::Incident& before, const domain::Incident& after) override;
  Status OnNoteAdded(store::WriteTxn& txn, const domain::Actor& actor,
                     const domain::Incident& incident, const domain::TimelineEvent& note) override;

 private:
  struct Change;
  Status Announce(store::WriteTxn& txn, const domain::Actor& actor, const Change& change);

  domain::OutboxService& outbox_;
  const AnnouncerOptions options_;
};

}  // namespace tocsin::notify
