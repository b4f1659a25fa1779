// Message composition for email: mailboxes, RFC 2047 headers, quoted-printable
// MIME bodies, and the texts of pages and activation codes.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "tocsin/core/escape.h"
#include "tocsin/core/ids.h"
#include "tocsin/crypto/crypto.h"
#include "tocsin/notify/smtp.h"

namespace tocsin::notify {
namespace {

constexpr std::string_view kCrlf = "\r\n";
// RFC 5322 §2.1.1: lines SHOULD be at most 78 characters; folding keeps
// generated headers within that, bodies are quoted-printable (76).
constexpr size_t kFoldAt = 78;
// Bytes of UTF-8 per encoded-word: 39 bytes are 52 base64 characters, so
// "Subject: =?UTF-8?B?...?=" stays under 78 columns.
constexpr size_t kEncodedWordBytes = 39;

bool IsAtext(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x80) return false;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool IsControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Returns `text` as RFC 2047 "B" encoded-words joined by folding white space,
// each word whole UTF-8 sequences (§5: a word must not split a character).
std::string EncodedWords(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    size_t n = std::min(kEncodedWordBytes, text.size());
    // Back off to the start of a UTF-8 sequence (not a continuation byte).
    while (n < text.size() && n > 1 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?";
    out += crypto::Base64Encode(text.substr(0, n));
    out += "?=";
    text.remove_prefix(n);
  }
  return out;
}

// Returns an unstructured header value (Subject): ASCII folded at spaces, or
// encoded-words when it has non-ASCII bytes, text that a reader would mistake
// for an encoded-word, or a word too long to fold.
std::string EncodeUnstructured(std::string_view value, size_t used) {
  bool encode = !IsAscii(value) || value.find("=?") != std::string_view::npos;
  std::string out;
  size_t column = used;
  size_t start = 0;
  while (!encode && start <= value.size()) {
    size_t end = value.find(' ', start + 1);
    if (end == std::string_view::npos) end = value.size();
    const std::string_view word = value.substr(start, end - start);  // Keeps its leading space.
    if (column + word.size() > kFoldAt && start > 0 && word.size() > 1) {
      out += kCrlf;
      column = 0;
    }
    out += word;
    column += word.size();
    if (column > kFoldAt * 4) encode = true;  // A "word" no folding can shorten.
    start = end;
    if (end == value.size()) break;
  }
  return encode ? EncodedWords(value) : out;
}

// Returns a display name as a phrase: atoms as they are, a quoted-string when
// it has specials, encoded-words when it is not ASCII or too long for one
// line (encoded-words fold).
std::string EncodePhrase(std::string_view name) {
  if (!IsAscii(name) || name.find("=?") != std::string_view::npos || name.size() > 200) {
    return EncodedWords(name);
  }
  bool atoms = true;
  for (char c : name) atoms = atoms && (IsAtext(c) || c == ' ');
  if (atoms) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string FormatMailbox(const Mailbox& m) {
  if (m.display_name.empty()) return m.address;
  return EncodePhrase(m.display_name) + " <" + m.address + ">";
}

bool ValidDomain(std::string_view d) {
  if (d.empty() || d.size() > 253) return false;
  if (d.front() == '[') {
    if (d.size() < 3 || d.back() != ']') return false;
    for (char c : d.substr(1, d.size() - 2)) {
      const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                      c == '.' || c == ':' || c == 'v' || c == 'V';
      if (!ok) return false;
    }
    return true;
  }
  size_t label = 0;
  for (size_t i = 0; i <= d.size(); ++i) {
    if (i == d.size() || d[i] == '.') {
      if (label == 0 || label > 63 || d[i - 1] == '-' || d[i - label] == '-') return false;
      label = 0;
      continue;
    }
    const char c = d[i];
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
    ++label;
  }
  return true;
}

bool ValidAddress(std::string_view a) {
  const size_t at = a.rfind('@');
  if (at == std::string_view::npos || a.size() > 254) return false;
  const std::string_view local = a.substr(0, at);
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : local) {
    if (!IsAtext(c) && c != '.') return false;
  }
  return ValidDomain(a.substr(at + 1));
}

// A msg-id (RFC 5322 §3.6.4), restricted to printable ASCII without spaces.
bool ValidMessageId(std::string_view id) {
  if (id.size() < 5 || id.size() > 250 || id.front() != '<' || id.back() != '>') return false;
  const std::string_view inner = id.substr(1, id.size() - 2);
  const size_t at = inner.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == inner.size() ||
      inner.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (char c : inner) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\') return false;
  }
  return true;
}

// RFC 5322 §3.3 date-time in UTC: "Mon, 02 Mar 2026 14:00:00 +0000".
std::string FormatDate(TimePoint t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(std::chrono::floor<std::chrono::seconds>(t - day));
  const std::chrono::weekday wd(day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000", kDays[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

// RFC 2045 §6.7 quoted-printable. Any line end in `text` (LF, CRLF or CR)
// becomes CRLF; encoded lines are at most 76 characters with the soft break.
// A '.' starting a line is encoded too, so no line of the body can look like
// the end of SMTP DATA whatever the transport does.
std::string QuotedPrintable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 8 + 8);
  size_t column = 0;
  // Soft line break when `n` more characters would pass 75 (76 with the '=').
  auto make_room = [&](size_t n) {
    if (column + n > 75) {
      out += "=\r\n";
      column = 0;
    }
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += kCrlf;
      column = 0;
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    const bool line_end = i + 1 == text.size() || text[i + 1] == '\r' || text[i + 1] == '\n';
    make_room(1);
    const bool literal = (u >= 33 && u <= 126 && c != '=' && !(c == '.' && column == 0)) ||
                         ((c == ' ' || c == '\t') && !line_end);
    if (literal) {
      out += c;
      column += 1;
    } else {
      make_room(3);
      out += '=';
      out += kHex[u >> 4];
      out += kHex[u & 15];
      column += 3;
    }
  }
  return out;
}

// Returns a part's headers and body, and a CRLF that in a multipart message
// belongs to the boundary that follows (RFC 2046 §5.1.1), so a body's own last
// line end survives.
std::string Part(std::string_view content_type, std::string_view body) {
  std::string out = "Content-Type: ";
  out += content_type;
  out += "; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += QuotedPrintable(body);
  out += kCrlf;
  return out;
}

const char* ImpactLabel(int impact) {
  switch (impact) {
    case 1:
      return "Critical";
    case 2:
      return "High";
    case 3:
      return "Medium";
    case 4:
      return "Low";
    case 5:
      return "No impact";
    default:
      return "";
  }
}

bool IsHttpUrl(std::string_view url) {
  return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
}

// Returns a page id usable inside a Message-ID, or "" when it has characters
// that are not (ids are UUIDs, so this is defensive).
std::string MessageIdPart(std::string_view id) {
  if (id.empty() || id.size() > 200) return {};
  for (char c : id) {
    if (!IsAtext(c) && c != '.') return {};
  }
  return std::string(id);
}

constexpr std::string_view kHtmlHead =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n"
    "<body style=\"font-family: sans-serif; line-height: 1.4\">\n";
constexpr std::string_view kHtmlTail = "</body></html>\n";
constexpr std::string_view kPre = "<div style=\"white-space: pre-wrap\">";

}  // namespace

Result<Mailbox> ParseMailbox(const std::string& text) {
  for (char c : text) {
    if (IsControl(c)) {
      return InvalidArgument("mail address contains a control character (CR/LF are not allowed)");
    }
  }
  const std::string_view s = Trim(text);
  Mailbox m;
  std::string_view address = s;
  if (!s.empty() && s.back() == '>') {
    const size_t open = s.rfind('<');
    if (open == std::string_view::npos) return InvalidArgument("mail address has '>' without '<'");
    address = s.substr(open + 1, s.size() - open - 2);
    std::string_view name = Trim(s.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
      for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '\\' && i + 1 < name.size()) {
          ++i;  // A quoted-pair: the next character is literal.
        } else if (name[i] == '"') {
          return InvalidArgument("mail display name has a stray '\"'");
        }
        m.display_name += name[i];
      }
    } else {
      if (name.find_first_of("\"<>") != std::string_view::npos) {
        return InvalidArgument("mail display name must be quoted: \"" + std::string(name) + "\"");
      }
      m.display_name = name;
    }
  }
  if (!ValidAddress(address)) {
    return InvalidArgument("not a mail address: \"" + std::string(address) + "\"");
  }
  m.address = address;
  return m;
}

std::string NewMessageId(const std::string& address) {
  const size_t at = address.rfind('@');
  std::string domain = at == std::string::npos ? "" : address.substr(at + 1);
  if (domain.empty() || domain.front() == '[') domain = "tocsin";
  return "<" + NewUuid() + "@" + domain + ">";
}

Result<std::string> ComposeMime(const std::string& from, const MailMessage& m, TimePoint date) {
  Result<Mailbox> sender = ParseMailbox(from);
  if (!sender.ok()) return InvalidArgument("from: " + sender.status().message(), "from");
  Result<Mailbox> recipient = ParseMailbox(m.to);
  if (!recipient.ok()) return InvalidArgument("to: " + recipient.status().message(), "to");
  for (char c : m.subject) {
    if (IsControl(c) && c != '\t') {
      return InvalidArgument("subject contains a control character (CR/LF are not allowed)",
                             "subject");
    }
  }
  const std::string message_id =
      m.message_id.empty() ? NewMessageId(sender->address) : m.message_id;
  if (!ValidMessageId(message_id)) {
    return InvalidArgument("message id must look like <left@right>", "message_id");
  }

  std::string out;
  out.reserve(1024 + (m.text.size() + m.html.size()) * 5 / 4);
  out += "Date: " + FormatDate(date) + "\r\n";
  out += "From: " + FormatMailbox(*sender) + "\r\n";
  out += "To: " + FormatMailbox(*recipient) + "\r\n";
  out += "Subject: " + EncodeUnstructured(m.subject, 9) + "\r\n";
  out += "Message-ID: " + message_id + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  if (m.html.empty()) {
    out += Part("text/plain", m.text);
    return out;
  }
  // "=_" cannot occur in quoted-printable output ('=' is followed by hex
  // digits or a line end), so the boundary never collides with a body.
  const std::string boundary = "=_tocsin_" + RandomToken(18);
  out += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n" + Part("text/plain", m.text);
  out += "--" + boundary + "\r\n" + Part("text/html", m.html);
  out += "--" + boundary + "--\r\n";
  return out;
}

MailMessage RenderPageEmail(const PageMessage& page) {
  const std::string label = ImpactLabel(page.incident_impact);
  MailMessage m;
  m.to = page.delivery_address;
  m.subject = page.subject;
  if (m.subject.empty()) {
    m.subject = "[Tocsin]";
    if (!label.empty() && !page.incident_title.empty()) m.subject += " " + label + ":";
    m.subject += " " + (page.incident_title.empty() ? std::string("Page") : page.incident_title);
  }
  const std::string id_part = MessageIdPart(page.page_id);
  if (!id_part.empty()) m.message_id = "<page-" + id_part + "@tocsin>";
  const std::string accept_path = "/api/v1/pages/" + page.page_id + "/accept";
  const std::string accept_body = "{\"code\": \"" + page.accept_code + "\"}";
  const std::string impact =
      label.empty() ? std::string() : std::to_string(page.incident_impact) + " (" + label + ")";

  std::string& t = m.text;
  if (!page.incident_title.empty()) t += "Incident: " + page.incident_title + "\n";
  if (!impact.empty()) t += "Impact: " + impact + "\n";
  if (!page.incident_summary.empty()) t += "Summary: " + page.incident_summary + "\n";
  if (!t.empty()) t += "\n";
  if (!page.content.empty()) t += page.content + "\n\n";
  if (!page.accept_code.empty()) {
    t += "Reply code: " + page.accept_code + "\n";
    t += "To accept by API: POST " + accept_path + " " + accept_body + "\n";
  }
  if (!page.ack_url.empty()) t += "Acknowledge: " + page.ack_url + "\n";
  t += "\n-- \nTocsin page " + page.page_id + ", attempt " + std::to_string(page.attempt) + "\n";

  std::string& h = m.html;
  h += kHtmlHead;
  if (!page.incident_title.empty()) h += "<h2>" + XmlEscape(page.incident_title) + "</h2>\n";
  if (!impact.empty()) h += "<p><strong>Impact:</strong> " + XmlEscape(impact) + "</p>\n";
  if (!page.incident_summary.empty()) {
    h += "<p><strong>Summary:</strong></p>\n";
    h += std::string(kPre) + XmlEscape(page.incident_summary) + "</div>\n";
  }
  if (!page.content.empty()) {
    h += "<hr>\n" + std::string(kPre) + XmlEscape(page.content) + "</div>\n<hr>\n";
  }
  if (!page.ack_url.empty() && IsHttpUrl(page.ack_url)) {
    h +=
        "<p><a href=\"" + XmlEscape(page.ack_url) + "\"><strong>Acknowledge this page</strong></a>";
    h += "<br><small>" + XmlEscape(page.ack_url) + "</small></p>\n";
  } else if (!page.ack_url.empty()) {
    h += "<p>Acknowledge: " + XmlEscape(page.ack_url) + "</p>\n";
  }
  if (!page.accept_code.empty()) {
    h += "<p>Reply code: <strong>" + XmlEscape(page.accept_code) + "</strong><br>\n";
    h += "To accept by API: <code>POST " + XmlEscape(accept_path) + " " + XmlEscape(accept_body) +
         "</code></p>\n";
  }
  h += "<p><small>Tocsin page " + XmlEscape(page.page_id) + ", attempt " +
       std::to_string(page.attempt) + "</small></p>\n";
  h += kHtmlTail;
  return m;
}

MailMessage RenderActivationEmail(const std::string& address, const std::string& code) {
  MailMessage m;
  m.to = address;
  m.subject = "Your Tocsin activation code is " + code;
  m.text = "Your Tocsin activation code is " + code +
           ".\n\nEnter it where this address was added as a contact channel (or POST "
           "{\"code\": \"" +
           code +
           "\"} to /api/v1/channels/{channel id}/activate) to receive "
           "pages here.\n\nIf you did not expect this message, you can ignore it.\n";
  m.html = std::string(kHtmlHead) + "<p>Your Tocsin activation code is <strong>" + XmlEscape(code) +
           "</strong>.</p>\n<p>Enter it where this address was added as a contact channel (or "
           "<code>POST {&quot;code&quot;: &quot;" +
           XmlEscape(code) +
           "&quot;}</code> to <code>/api/v1/channels/{channel id}/activate</code>) to receive "
           "pages here.</p>\n<p><small>If you did not expect this message, you can ignore "
           "it.</small></p>\n" +
           std::string(kHtmlTail);
  return m;
}

}  // namespace tocsin::notify
