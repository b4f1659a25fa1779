// Carrier: hands one SMS or voice message to an outside service that reaches
// a phone. Implementations: Twilio's REST API, a generic HTTP webhook (an SMS
// gateway), and a local program (exec). The delivery layer tries a channel's
// carriers in order and fails over on the transient errors documented below.
//
// A carrier does not retry and keeps no per-message state: the outbox
// (DESIGN.md §3) owns retries and records "unknown" when a Send's outcome is
// not known. HTTP carriers reach the network only through net::HttpClient,
// which enforces the outbound guard.
//
// This header also holds what Twilio needs in the other direction: request
// signatures (X-Twilio-Signature), form encoding, the TwiML of a voice page and
// the mapping of status callbacks to delivery receipts.
//
// Thread-safety: Send may be called from several threads at once on every
// carrier made here; the free functions are stateless.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tocsin/core/status.h"
#include "tocsin/domain/contact.h"
#include "tocsin/net/http_client.h"

namespace tocsin::notify {

// One message for one phone.
struct CarrierMessage {
  // Our page/message id (idempotency, templates, logs).
  std::string message_id;
  domain::ChannelType type = domain::ChannelType::kSms;  // kSms or kVoice.
  std::string to;                                        // E.164, e.g. "+15551234567".
  std::string text;                                      // SMS body, or what a voice call says.
  std::string accept_code;                               // Digits the person can answer with.
  // Where the carrier reports delivery; may be empty.
  std::string status_callback_url;
  // VOICE with Twilio: the TwiML URL the call fetches. Empty: the TwiML is
  // sent inline (VoiceTwiml(text, gather_url)).
  std::string voice_url;
  // VOICE with inline TwiML: where the call posts the key pressed (a Gather
  // action). Empty: the call only speaks (nothing could receive a key press).
  std::string gather_url;
};

class Carrier {
 public:
  virtual ~Carrier() = default;

  // Returns the name this carrier was configured under (logs, failover notes).
  virtual const std::string& name() const = 0;

  // Hands `m` to the carrier and returns the carrier's id for it (Twilio's
  // SID "SM…"/"CA…"), which status callbacks refer to. Never retries.
  // Errors:
  //  - kUnavailable / kDeadlineExceeded: not accepted (5xx, 429, timeout,
  //    connection failure, credentials or outbound guard refused, program
  //    failed); the caller may fail over to the next carrier. After
  //    kDeadlineExceeded the carrier may still have accepted the message.
  //  - kFailedPrecondition: the carrier refused this message permanently
  //    (4xx such as Twilio 21211 invalid number); the message holds the
  //    carrier's error code and text.
  //  - kInvalidArgument: `m` cannot be sent by this carrier at all (no `to`,
  //    a type other than SMS/VOICE, a NUL byte in an exec argument).
  virtual Result<std::string> Send(const CarrierMessage& m) = 0;
};

// --- Twilio -----------------------------------------------------------------

struct TwilioOptions {
  std::string account_sid;  // "AC…", letters and digits only.
  std::string auth_token;
  std::string from;  // E.164 sender; required for VOICE.
  std::string api_url = "https://api.twilio.com";
  // SMS: sent instead of From when not empty.
  std::string messaging_service_sid;
};

// Returns a carrier that sends SMS with POST {api_url}/2010-04-01/Accounts/
// {AccountSid}/Messages.json and calls with …/Calls.json (form-encoded, HTTP
// basic auth AccountSid:AuthToken). A call fetches m.voice_url, else carries
// VoiceTwiml(m.text, "") inline; with a status_callback_url it asks for the
// initiated, ringing, answered and completed events. Statuses map as for the
// webhook carrier (below), with Twilio's error code and message in the
// error; a 2xx without a SID is kUnavailable (not Twilio answering).
// kInvalidArgument when the name, account SID, auth token, sender or api_url
// is missing or malformed. Does not take ownership of `http`, which must
// outlive the carrier.
Result<std::unique_ptr<Carrier>> NewTwilioCarrier(std::string name, TwilioOptions options,
                                                  net::HttpClient& http);

// --- Generic webhook ------------------------------------------------------------

struct WebhookCarrierOptions {
  std::string url;  // http:// or https://
  std::string method = "POST";
  std::string content_type = "application/json";
  // Empty: {"to":…,"text":…,"code":…,"id":…,"type":…} (needs a JSON content type).
  std::string body_template;
  net::Headers headers;  // Sent as given (Authorization, …).
};

// Returns a carrier that sends one request per message to `url`, with the
// body made from body_template (see ExpandCarrierTemplate; values are escaped
// for the content type: JSON string escaping for application/json and
// */*+json, form encoding for application/x-www-form-urlencoded, raw
// otherwise). Adds Content-Type, and Idempotency-Key: <message_id>, unless
// `headers` has them. Any 2xx means accepted; the carrier id is the string or
// number field "id", "sid" or "messageId" of a JSON response object, else
// "webhook:<message_id>". 401, 403, 404, 405, 407, 408, 425, 429, 5xx and
// other non-2xx outside 4xx are kUnavailable (the gateway's problem), other
// 4xx kFailedPrecondition (the message's) with the start of the body.
// kInvalidArgument for a bad url or method, an unknown placeholder, or no
// body_template with a non-JSON content type. Does not take ownership of
// `http`, which must outlive the carrier.
Result<std::unique_ptr<Carrier>> NewWebhookCarrier(std::string name, WebhookCarrierOptions options,
                                                   net::HttpClient& http);

// --- Local program --------------------------------------------------------------

struct ExecCarrierOptions {
  // argv[0] is an absolute path and is used as is; later elements may hold
  // placeholders (ExpandCarrierTemplate, unescaped).
  std::vector<std::string> argv;
  std::chrono::milliseconds timeout{10000};
};

// Returns a carrier that runs argv with posix_spawn (no shell: every
// substituted value stays inside its one argument, however it is quoted), in
// its own process group, with all signals at their default, no other open
// descriptors and only PATH=/usr/bin:/bin in the environment. The message
// text is written to its stdin (as is, no newline added), then stdin is
// closed. Exit status 0 means accepted: the carrier id is the first line of
// stdout, trimmed, when it is 1..128 printable characters, else
// "exec:<message_id>". At most 64 KiB of each of stdout and stderr is kept
// (the rest is read and discarded).
// Send errors: kUnavailable when the program cannot be started, exits
// non-zero (with the first line of its stderr) or dies of a signal;
// kDeadlineExceeded after `timeout`, when the whole process group has been
// killed. Send always reaps the child and closes every descriptor it opened.
// kInvalidArgument for an empty argv, a relative argv[0], a placeholder in
// argv[0], an unknown placeholder or a non-positive timeout.
Result<std::unique_ptr<Carrier>> NewExecCarrier(std::string name, ExecCarrierOptions options);

// --- Templates ------------------------------------------------------------------

enum class TemplateEscape {
  kRaw,   // Values as they are.
  kJson,  // Inside a JSON string literal (JsonEscape).
  kForm,  // One application/x-www-form-urlencoded component.
};

// Returns `tmpl` with {{to}} {{text}} {{code}} {{id}} {{type}} replaced by
// m.to, m.text, m.accept_code, m.message_id and "SMS"/"VOICE", each escaped
// as `escape` says. One pass: a value that contains "{{…}}" is not expanded
// again. A "{{" without a closing "}}" is literal text.
// kInvalidArgument naming the first unknown placeholder.
Result<std::string> ExpandCarrierTemplate(std::string_view tmpl, const CarrierMessage& m,
                                          TemplateEscape escape);

// --- Twilio, the other direction ------------------------------------------------

// Returns Twilio's request signature (the X-Twilio-Signature header):
// base64(HMAC-SHA1(auth_token, url + name1 + value1 + name2 + value2 …)) over
// the form parameters sorted by name then value (byte order), with exact
// duplicate pairs counted once, as Twilio's server libraries do. `url` is the
// full URL Twilio was given, query string included.
std::string TwilioSignature(std::string_view auth_token, std::string_view url,
                            const net::Headers& form_params);

// Returns true iff `header_value` is TwilioSignature(auth_token, url,
// form_params), compared in constant time. An empty auth token or header
// never validates.
bool TwilioSignatureValid(std::string_view auth_token, std::string_view url,
                          const net::Headers& form_params, std::string_view header_value);

// Returns `params` as an application/x-www-form-urlencoded body: letters,
// digits and "-._~" as they are, space as "+", every other byte as %XX.
std::string FormEncode(const net::Headers& params);

// Parses an application/x-www-form-urlencoded body, in order: "+" is a
// space, %XX a byte, a pair without "=" has an empty value, empty pairs are
// skipped. kInvalidArgument on a malformed %-escape.
Result<net::Headers> FormDecode(std::string_view body);

// Returns the TwiML of a voice page, XML-escaped:
//   <Response><Gather numDigits="1" action="{gather_url}" method="POST">
//   <Say>{text}. Press 1 to acknowledge.</Say></Gather>
//   <Say>No answer received. Goodbye.</Say></Response>
// With an empty `gather_url` nobody could receive the key press, so the text
// is said twice instead, with no Gather. Characters XML 1.0 forbids become
// spaces.
std::string VoiceTwiml(std::string_view text, std::string_view gather_url);

// Maps a Twilio MessageStatus / CallStatus value to a receipt type:
// sent, ringing → "SENT"; delivered, in-progress, completed → "DELIVERED";
// read → "READ"; undelivered, failed, busy, no-answer, canceled → "ERROR";
// anything else (queued, sending, accepted, initiated, …) → "" (ignore).
// Case-insensitive.
std::string TwilioReceiptType(std::string_view status);

}  // namespace tocsin::notify
