// Email delivery over SMTP: composing RFC 5322 / MIME messages and handing them
// to a mail server (a submission server, a relay, or the team's own MTA).
//
// Composition (ComposeMime, RenderPageEmail, RenderActivationEmail,
// ParseMailbox) is made of pure functions; they are thread-safe and do no I/O.
// A Mailer sends one message per call over a connection of its own (libcurl's
// SMTP client, one easy handle per Send), so Send may be called from several
// threads at once and the calls share nothing but the immutable options.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "tocsin/core/status.h"
#include "tocsin/core/time.h"
#include "tocsin/notify/notifier.h"

namespace tocsin::notify {

// When a plain smtp:// connection is upgraded with STARTTLS (RFC 3207).
enum class StartTls {
  // Uses STARTTLS when the server offers it, else continues in the clear.
  // An attacker on the path can strip the offer: use kRequired whenever a
  // username is set, or the password may travel in the clear.
  kAuto,
  kRequired,  // Fails (kUnavailable) unless the session is upgraded.
  kNever,     // Never upgrades (a loopback relay).
};

struct SmtpOptions {
  // smtp://host[:port] (default port 25; STARTTLS per `starttls`) or
  // smtps://host[:port] (default port 465; TLS from the first byte, `starttls`
  // is ignored). No user info, query or fragment; an optional path is sent as
  // the EHLO name (curl's convention), else the local host name is.
  std::string url;
  // The From header and envelope sender: "Tocsin <pager@example.com>" or a
  // bare address. The display name may be any UTF-8.
  std::string from;
  // AUTH (PLAIN or LOGIN, whichever the server offers) when `username` is not
  // empty.
  std::string username;
  std::string password;
  StartTls starttls = StartTls::kAuto;
  // TLS verification of the server's certificate chain and host name. With
  // `ca_file` (a PEM bundle) set, only those CAs are trusted; otherwise the
  // system's.
  bool verify_peer = true;
  std::string ca_file;
  // Bounds each Send as a whole: connect, TLS, SMTP dialogue and upload.
  std::chrono::milliseconds timeout{15000};
};

struct MailMessage {
  std::string to;  // "Name <address>" or a bare address; one recipient.
  std::string subject;
  std::string text;  // The text/plain part.
  std::string html;  // The text/html part; empty for a text-only message.
  // "<left@right>"; a new one is generated when empty.
  std::string message_id;
};

// A mail address split into its parts: "Alice Ng <alice@example.com>" is
// {"Alice Ng", "alice@example.com"}.
struct Mailbox {
  std::string display_name;  // Unquoted; empty for a bare address.
  std::string address;       // local@domain, ASCII.
};

// Parses "address", "Display Name <address>" or "\"Quoted, Name\" <address>".
// The address must be a dot-atom local part (at most 64 characters) and a
// host name or an address literal ("[192.0.2.1]"). Returns kInvalidArgument
// for anything else, including any control character (CR or LF would let a
// value inject headers or SMTP commands) and non-ASCII addresses (SMTPUTF8 is
// not supported).
Result<Mailbox> ParseMailbox(const std::string& text);

// Returns a new globally unique Message-ID, "<uuid@domain>", where domain is
// the part of `address` after its '@' ("tocsin" when it has none).
std::string NewMessageId(const std::string& address);

class Mailer {
 public:
  virtual ~Mailer() = default;

  // Sends `m` to `m.to` and returns the Message-ID that was sent (m.message_id,
  // or the one generated when it is empty). Blocks for at most the configured
  // timeout. Errors:
  //   kInvalidArgument    a bad address or header injection (nothing was sent);
  //   kFailedPrecondition the server refused permanently (5xx: unknown
  //                       recipient, bad credentials, message rejected); the
  //                       message carries the server's reply, e.g. "550 5.1.1";
  //   kUnavailable        a transient refusal (4xx), or the connection or TLS
  //                       failed (including kRequired without STARTTLS, and an
  //                       untrusted certificate); retrying may succeed;
  //   kDeadlineExceeded   the timeout passed first. The message may or may not
  //                       have been delivered.
  virtual Result<std::string> Send(const MailMessage& m) = 0;
};

// Returns a Mailer for `options`, or kInvalidArgument (with the field set)
// naming notify.smtp.url (not smtp:// or smtps://, no host, user info),
// notify.smtp.from (not a mailbox), notify.smtp.ca_file (not readable) or
// notify.smtp.timeout (not positive). Does not connect.
Result<std::unique_ptr<Mailer>> NewSmtpMailer(SmtpOptions options);

// Returns the RFC 5322 message for `m` from `from`, ready for SMTP DATA: the
// headers Date (`date`, in UTC), From, To, Subject (RFC 2047 encoded-words
// when not plain ASCII), Message-ID (generated when m.message_id is empty),
// MIME-Version, Auto-Submitted: auto-generated (so vacation responders stay
// quiet); then multipart/alternative with a text/plain and a text/html part,
// or a single text/plain part when m.html is empty. Bodies are UTF-8 in
// quoted-printable, so every line is at most 76 characters; all line ends are
// CRLF and the message is 7-bit clean. Returns kInvalidArgument when `from`
// or m.to is not a mailbox (see ParseMailbox), when the subject contains a
// control character other than TAB, or when the message id is malformed.
Result<std::string> ComposeMime(const std::string& from, const MailMessage& m, TimePoint date);

// Returns the email for one page to `page.delivery_address`: the subject is
// page.subject, or "[Tocsin] <impact label>: <incident title>" when that is
// empty ("[Tocsin] High: Primary DB down"); the text and HTML bodies carry the
// incident title, impact ("2 (High)"), summary, the page content, the accept
// code with how to use it ("Reply code: 123456", and
// POST /api/v1/pages/{page_id}/accept {"code": "123456"}) and the
// acknowledgement link page.ack_url. Everything in the HTML part is escaped.
// The Message-ID is "<page-{page_id}@tocsin>", so a resend is recognizable.
MailMessage RenderPageEmail(const PageMessage& page);

// Returns the email that carries a channel's activation code to `address`
// ("Your Tocsin activation code is 123456"). The Message-ID is left empty.
MailMessage RenderActivationEmail(const std::string& address, const std::string& code);

}  // namespace tocsin::notify
