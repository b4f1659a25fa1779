// CarrierNotifier: the production Notifier (notify.driver: carriers).
//
// Email goes to the SMTP server; SMS and voice go to the channel type's
// carriers in order: when one fails or times out (kUnavailable,
// kDeadlineExceeded) the next is tried, and the failovers are reported with
// the handover; a carrier's permanent refusal (an invalid number) ends the
// attempt, since the next carrier would refuse it too. Each carrier may have
// a rate (messages per second) that its sends are spaced by.
//
// Note the trade-off of failing over on a timeout: the first carrier may have
// delivered after all, and the person then gets the page twice from two
// carriers. A pager prefers a possible duplicate to a possible silence here;
// within one carrier a page is never retried (DESIGN.md §3, outbox semantics).
//
// Activation codes are handed to a thread of their own (SendActivationCode
// runs on the store's writer thread and must not wait for a carrier).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tocsin/core/clock.h"
#include "tocsin/notify/carrier.h"
#include "tocsin/notify/notifier.h"
#include "tocsin/notify/smtp.h"

namespace tocsin::notify {

struct CarrierNotifierOptions {
  std::unique_ptr<Mailer> mailer;               // Null: email pages fail (notify.smtp.url unset).
  std::vector<std::unique_ptr<Carrier>> sms;    // In failover order.
  std::vector<std::unique_ptr<Carrier>> voice;  // In failover order.
  // Base of the callback URLs given to carriers ({public_url}/hooks/twilio/...).
  std::string public_url;
  // Carrier name → messages per second (absent or 0: unlimited).
  std::map<std::string, double> rate_per_second;
  Clock* clock = nullptr;  // Default SystemClock().
};

std::unique_ptr<Notifier> NewCarrierNotifier(CarrierNotifierOptions options);

// The text of an SMS page (≤ 480 characters): subject, content, how to answer.
std::string SmsPageText(const PageMessage& page);
// What a voice page says before "press 1 to acknowledge".
std::string VoicePageText(const PageMessage& page);

}  // namespace tocsin::notify
