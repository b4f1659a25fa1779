// Small JSON texts without a JSON library, for modules that may not include
// one (the domain builds timeline event data with it). Deterministic: keys
// appear in the order they are added. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin {

// Returns the length in bytes (1 to 4) of the well-formed UTF-8 sequence that
// starts `s` (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF; an ASCII byte is a sequence of 1), or 0 when `s` is empty or does
// not start with one (a stray continuation byte, a truncated sequence, ...).
// Never reads past the end of `s`.
size_t Utf8SequenceLength(std::string_view s);

// Returns the first `max_chars` characters (code points) of `text`, never
// cutting a UTF-8 sequence; ill-formed bytes become U+FFFD.
std::string TruncateUtf8(std::string_view text, size_t max_chars);

// Escapes `text` as the inside of a JSON string literal (quotes, backslash,
// control characters; other UTF-8 passes through).
std::string JsonEscape(std::string_view text);

// Returns `text` as a JSON string literal, quotes included.
std::string JsonQuote(std::string_view text);

// JsonEscape and JsonQuote, appending to `out` (no temporary strings).
void AppendJsonEscaped(std::string& out, std::string_view text);
void AppendJsonQuoted(std::string& out, std::string_view text);

// Returns a JSON array of strings.
std::string JsonStringArray(const std::vector<std::string>& values);

class JsonObject {
 public:
  JsonObject& Add(std::string_view key, std::string_view value);
  JsonObject& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  JsonObject& Add(std::string_view key, int64_t value);
  JsonObject& Add(std::string_view key, int value) { return Add(key, static_cast<int64_t>(value)); }
  JsonObject& Add(std::string_view key, bool value);
  JsonObject& Add(std::string_view key, const std::vector<std::string>& values);
  // `json` must already be valid JSON text (an object built by another JsonObject, ...).
  JsonObject& AddRaw(std::string_view key, std::string_view json);
  std::string Build() const { return "{" + body_ + "}"; }

 private:
  void Key(std::string_view key);
  std::string body_;
};

}  // namespace tocsin
