// Twilio's side of the wire that is not a carrier: request signatures, form
// encoding, voice TwiML and status-callback mapping.

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tocsin/core/escape.h"
#include "tocsin/crypto/crypto.h"
#include "tocsin/notify/carrier.h"

namespace tocsin::notify {
namespace {

std::string HmacSha1(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  // OpenSSL reads a NULL key as "reuse the previous one"; an empty view may
  // have a null data().
  const char* key_bytes = key.empty() ? "" : key.data();
  if (HMAC(EVP_sha1(), key_bytes, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
           &out_len) == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

// Not std::isalnum: the answer must not depend on the locale.
bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

void AppendFormComponent(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c)) {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> DecodeFormComponent(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      const int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
      const int lo = hi >= 0 ? HexValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return InvalidArgument("malformed %-escape in form data at byte " + std::to_string(i));
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// "Disk full" → "Disk full.", "Disk full!" stays: the prompt follows as its
// own sentence.
std::string Sentence(std::string_view text) {
  std::string s(text);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.pop_back();
  if (!s.empty() && s.back() != '.' && s.back() != '!' && s.back() != '?') s += '.';
  return s;
}

}  // namespace

std::string TwilioSignature(std::string_view auth_token, std::string_view url,
                            const net::Headers& form_params) {
  net::Headers sorted = form_params;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string data(url);
  for (const auto& [name, value] : sorted) {
    data += name;
    data += value;
  }
  return crypto::Base64Encode(HmacSha1(auth_token, data));
}

bool TwilioSignatureValid(std::string_view auth_token, std::string_view url,
                          const net::Headers& form_params, std::string_view header_value) {
  if (auth_token.empty() || header_value.empty()) return false;
  return crypto::ConstantTimeEqual(TwilioSignature(auth_token, url, form_params), header_value);
}

std::string FormEncode(const net::Headers& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    AppendFormComponent(out, name);
    out += '=';
    AppendFormComponent(out, value);
  }
  return out;
}

Result<net::Headers> FormDecode(std::string_view body) {
  net::Headers out;
  while (!body.empty()) {
    const size_t amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    Result<std::string> name = DecodeFormComponent(pair.substr(0, eq));
    if (!name.ok()) return name.status();
    Result<std::string> value = DecodeFormComponent(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!value.ok()) return value.status();
    out.emplace_back(std::move(name).value(), std::move(value).value());
  }
  return out;
}

std::string VoiceTwiml(std::string_view text, std::string_view gather_url) {
  const std::string said = XmlEscape(Sentence(text));
  std::string out = "<Response>";
  if (gather_url.empty()) {
    out += "<Say>" + said + "</Say><Pause length=\"1\"/><Say>" + said + "</Say>";
  } else {
    out += "<Gather numDigits=\"1\" action=\"" + XmlEscape(gather_url) + "\" method=\"POST\">";
    out += "<Say>" + said + " Press 1 to acknowledge.</Say></Gather>";
    out += "<Say>No answer received. Goodbye.</Say>";
  }
  out += "</Response>";
  return out;
}

std::string TwilioReceiptType(std::string_view status) {
  std::string s(status);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s == "sent" || s == "ringing") return "SENT";
  if (s == "delivered" || s == "in-progress" || s == "completed") return "DELIVERED";
  if (s == "read") return "READ";
  if (s == "undelivered" || s == "failed" || s == "busy" || s == "no-answer" || s == "canceled") {
    return "ERROR";
  }
  return {};
}

}  // namespace tocsin::notify
