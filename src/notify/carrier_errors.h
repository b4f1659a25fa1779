// What the HTTP carriers (Twilio, the webhook) make of a failed response.
// Internal to the notify module.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tocsin::notify {

// True for HTTP statuses that say something about the carrier (credentials,
// URL, load) rather than about the message: another carrier may well
// succeed, so the caller may fail over.
inline bool CarrierSideStatus(int status) {
  return status < 400 || status >= 500 || status == 401 || status == 403 || status == 404 ||
         status == 405 || status == 407 || status == 408 || status == 425 || status == 429;
}

// Returns the first `max_bytes` bytes of `text` (a response body, a carrier's
// error text) on one line for an error message that goes into logs and the
// timeline: each control character (C0, DEL) becomes a space, and "..." is
// appended when `text` was longer. Bytes >= 0x80 pass through as they are.
inline std::string ErrorSnippet(std::string_view text, size_t max_bytes) {
  std::string out(text.substr(0, max_bytes));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  if (text.size() > max_bytes) out += "...";
  return out;
}

}  // namespace tocsin::notify
