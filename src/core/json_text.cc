#include "tocsin/core/json_text.h"

#include <algorithm>
#include <array>

namespace tocsin {

size_t Utf8SequenceLength(std::string_view s) {
  if (s.empty()) return 0;
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    if (lead == 0xE0) lo = 0xA0;
    if (lead == 0xED) hi = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < n || byte(1) < lo || byte(1) > hi) return 0;
  for (size_t i = 2; i < n; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return n;
}

namespace {

// Appends the character at the start of `text` to `out`, or U+FFFD for a byte
// that does not start a valid UTF-8 sequence; returns the bytes consumed.
size_t AppendUtf8Char(std::string& out, std::string_view text) {
  const size_t n = Utf8SequenceLength(text);
  if (n == 0) {
    out += "\xEF\xBF\xBD";
    return 1;
  }
  out.append(text.substr(0, n));
  return n;
}

}  // namespace

std::string TruncateUtf8(std::string_view text, size_t max_chars) {
  std::string out;
  out.reserve(std::min(text.size(), max_chars * 4));
  size_t chars = 0;
  for (size_t i = 0; i < text.size() && chars < max_chars; ++chars) {
    i += AppendUtf8Char(out, text.substr(i));
  }
  return out;
}

namespace {

// The bytes AppendJsonEscaped cannot copy as they are: control characters,
// the quote, the backslash, and every non-ASCII byte (checked as UTF-8).
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (size_t b = 0; b < 256; ++b) t[b] = b < 0x20 || b >= 0x80 || b == '"' || b == '\\';
  return t;
}();

}  // namespace

void AppendJsonEscaped(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  size_t i = 0;
  while (i < text.size()) {
    // Copy the run of bytes that need no escaping in one append: escaping is
    // on every response's hot path.
    size_t run = i;
    while (run < text.size() && !kNeedsEscape[static_cast<unsigned char>(text[run])]) ++run;
    out.append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      // Invalid UTF-8 (possible in echoed user input) would make the whole
      // document invalid JSON; each bad byte becomes U+FFFD.
      i += AppendUtf8Char(out, text.substr(i));
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out += kHex[(c >> 4) & 0xf];
        out += kHex[c & 0xf];
      }
    }
  }
}

void AppendJsonQuoted(std::string& out, std::string_view text) {
  out += '"';
  AppendJsonEscaped(out, text);
  out += '"';
}

std::string JsonEscape(std::string_view text) {
  std::string out;
  AppendJsonEscaped(out, text);
  return out;
}

std::string JsonQuote(std::string_view text) {
  std::string out;
  AppendJsonQuoted(out, text);
  return out;
}

std::string JsonStringArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonQuoted(out, values[i]);
  }
  out += ']';
  return out;
}

void JsonObject::Key(std::string_view key) {
  if (!body_.empty()) body_ += ',';
  AppendJsonQuoted(body_, key);
  body_ += ':';
}

JsonObject& JsonObject::Add(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonQuoted(body_, value);
  return *this;
}

JsonObject& JsonObject::Add(std::string_view key, int64_t value) {
  Key(key);
  body_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::Add(std::string_view key, bool value) {
  Key(key);
  body_ += value ? "true" : "false";
  return *this;
}

JsonObject& JsonObject::Add(std::string_view key, const std::vector<std::string>& values) {
  Key(key);
  body_ += JsonStringArray(values);
  return *this;
}

JsonObject& JsonObject::AddRaw(std::string_view key, std::string_view json) {
  Key(key);
  body_ += json;
  return *this;
}

}  // namespace tocsin
