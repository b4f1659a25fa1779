#include "tocsin/ingest/title_template.h"

#include <cctype>

#include "tocsin/core/json_text.h"

namespace tocsin::ingest {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Calls `on_text` for literal runs and `on_path` for placeholder paths
// (trimmed); returns false at the first malformed placeholder.
template <typename OnText, typename OnPath>
bool Walk(std::string_view text, OnText on_text, OnPath on_path) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find("{{", i);
    if (open == std::string_view::npos) {
      on_text(text.substr(i));
      break;
    }
    on_text(text.substr(i, open - i));
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) return false;
    if (!on_path(Trim(text.substr(open + 2, close - open - 2)))) return false;
    i = close + 2;
  }
  return true;
}

bool ValidPath(std::string_view path) {
  if (path.empty()) return false;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string_view seg =
        path.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (seg.empty() || seg.find_first_of("{}") != std::string_view::npos) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

const nlohmann::json* Lookup(const nlohmann::json& root, std::string_view path) {
  const nlohmann::json* at = &root;
  size_t start = 0;
  while (at != nullptr) {
    const size_t dot = path.find('.', start);
    const std::string_view seg =
        path.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (at->is_object()) {
      auto it = at->find(std::string(seg));
      at = it == at->end() ? nullptr : &*it;
    } else if (at->is_array() && AllDigits(seg)) {
      const size_t index = std::stoul(std::string(seg));
      at = index < at->size() ? &(*at)[index] : nullptr;
    } else {
      at = nullptr;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return at;
}

}  // namespace

Status ValidateTitleTemplate(std::string_view text, const std::string& field) {
  bool ok = Walk(
      text, [](std::string_view) {}, [](std::string_view path) { return ValidPath(path); });
  if (!ok) {
    return InvalidArgument(
        "title template has a malformed placeholder: write {{path.to.field}}, e.g. "
        "{{detail.labels.alertname}}",
        field);
  }
  return Status::Ok();
}

std::string RenderTitleTemplate(std::string_view text, const nlohmann::json& event) {
  std::string out;
  Walk(
      text, [&](std::string_view literal) { out.append(literal); },
      [&](std::string_view path) {
        const nlohmann::json* v = Lookup(event, path);
        if (v == nullptr || v->is_null()) return true;
        if (v->is_string()) {
          out += v->get_ref<const std::string&>();
        } else {
          out += v->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        return true;
      });
  return TruncateUtf8(Trim(out), kMaxTitleChars);
}

}  // namespace tocsin::ingest
