#include "tocsin/http/message.h"

#include <strings.h>

#include "tocsin/core/json_text.h"

namespace tocsin::http {

std::string_view Request::HeaderValue(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.name.size() == name.size() && strncasecmp(h.name.data(), name.data(), name.size()) == 0) {
      return h.value;
    }
  }
  return {};
}

std::optional<std::string_view> Request::QueryValue(std::string_view key) const {
  for (const auto& [k, v] : query) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

std::vector<std::string_view> Request::QueryValues(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : query) {
    if (k == key) out.emplace_back(v);
  }
  return out;
}

std::string ErrorBody(std::string_view code, std::string_view message, std::string_view request_id,
                      std::string_view field) {
  std::string out = "{\"error\":{\"code\":\"";
  out += JsonEscape(code);
  out += "\",\"message\":\"";
  out += JsonEscape(message);
  out += "\"";
  if (!field.empty()) {
    out += ",\"field\":\"";
    out += JsonEscape(field);
    out += "\"";
  }
  out += ",\"requestId\":\"";
  out += JsonEscape(request_id);
  out += "\"}}";
  return out;
}

Response ErrorResponse(unsigned status, std::string_view code, std::string_view message,
                       std::string_view request_id) {
  Response r;
  r.status = status;
  r.body = ErrorBody(code, message, request_id);
  return r;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hex(text[i + 1]);
    const int lo = hex(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') return std::nullopt;
    out += c;
    i += 2;
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start < q.size()) {
    size_t end = q.find('&', start);
    if (end == std::string_view::npos) end = q.size();
    const auto part = q.substr(start, end - start);
    if (!part.empty()) {
      const auto eq = part.find('=');
      auto key = PercentDecode(part.substr(0, eq));
      auto value = PercentDecode(eq == std::string_view::npos ? "" : part.substr(eq + 1));
      if (!key || !value) return std::nullopt;
      out.emplace_back(std::move(*key), std::move(*value));
    }
    start = end + 1;
  }
  return out;
}

}  // namespace tocsin::http
