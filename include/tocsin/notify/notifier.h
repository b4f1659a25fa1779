// Notifier: how the domain hands messages for people to the delivery layer.
//
// Implementations: a logging notifier for development (`notify.driver: log`),
// a spool file (`notify.driver: file`, one JSON line per message, fsynced), a
// recording notifier in tests (tests/fakes), and the carriers of the
// notifications issue. Implementations must be thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tocsin/core/status.h"
#include "tocsin/domain/contact.h"

namespace tocsin::notify {

// One page to one channel of one person.
struct PageMessage {
  std::string page_id;
  std::string engagement_id;
  std::string incident_id;  // Empty without incident.
  // The incident as it was when the page was claimed (empty / 0 without one).
  std::string incident_title;
  int incident_impact = 0;  // 1 (critical) .. 5 (no impact).
  std::string incident_summary;
  std::string contact_alias;
  std::string channel_id;
  domain::ChannelType channel_type = domain::ChannelType::kEmail;
  std::string delivery_address;
  int attempt = 1;
  std::string sender;
  // Email and voice use subject/content; SMS the public texts.
  std::string subject;
  std::string content;
  std::string public_subject;
  std::string public_content;
  std::string accept_code;  // Digits the person answers with.
  std::string ack_url;      // Opens a page that acknowledges on confirmation.
};

// What a notifier reports for a page a carrier accepted.
struct Handover {
  // "<carrier>:<carrier's id>" (e.g. "twilio:SM0123…", "smtp:<page-…@tocsin>"):
  // status callbacks and replies find the page by it. Unique per page.
  std::string ref;
  // Carriers tried first that did not take the page, each "name: why", in
  // order (recorded on the timeline).
  std::vector<std::string> failovers;
};

class Notifier {
 public:
  virtual ~Notifier() = default;

  // Sends `code` to `channel`'s address so its owner can activate it. Called
  // on the store's writer thread from a commit hook: must return quickly.
  virtual void SendActivationCode(const domain::Channel& channel, const std::string& code) = 0;

  // Hands a page to its carrier (the first of a channel type's carriers that
  // takes it). Returns the handover (kept as the SENT receipt), or an error
  // naming every carrier's failure (the page is marked FAILED with it).
  // Called on the delivery thread, one page at a time; should not block for
  // more than a few seconds.
  virtual Result<Handover> SendPage(const PageMessage& page) = 0;
};

// Returns a Notifier that only logs (with the code, at warning level, so a
// developer running `make run` can activate channels without delivery set up).
std::unique_ptr<Notifier> NewLogNotifier();

// Returns a Notifier that appends every message as one JSON line to `path`
// (created mode 0600) and fsyncs it before returning: a durable spool other
// tools can read, and what crash tests count deliveries with.
Result<std::unique_ptr<Notifier>> NewFileNotifier(const std::string& path);

}  // namespace tocsin::notify
