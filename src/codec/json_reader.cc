#include "tocsin/codec/json_reader.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace tocsin::codec {
namespace {

constexpr int kMaxDepth = 64;

const char* TypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    case Json::value_t::number_float:
      return "a number";
    default:
      return "a value";
  }
}

// UTF-8 length in code points; JSON strings from nlohmann are valid UTF-8.
size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

Result<Json> ParseJson(std::string_view text) {
  int depth = 0;
  bool too_deep = false;
  Json::parser_callback_t limit = [&](int d, Json::parse_event_t event, Json&) {
    if (event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) {
      depth = d;
      if (d >= kMaxDepth) too_deep = true;
    }
    return !too_deep;
  };
  Json value;
  try {
    value = Json::parse(text.begin(), text.end(), limit, /*allow_exceptions=*/true);
  } catch (const Json::exception& e) {
    // parse_error, or out_of_range for a number like 1e400.
    std::string msg = e.what();
    // nlohmann's message starts with "[json.exception.parse_error.101] "; keep the useful part.
    if (auto pos = msg.find("] "); pos != std::string::npos) msg = msg.substr(pos + 2);
    return InvalidArgument("malformed JSON: " + msg);
  }
  if (too_deep) return InvalidArgument("JSON nested deeper than 64 levels");
  return value;
}

std::string JoinPath(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

std::string IndexPath(std::string_view path, size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

void DecodeErrors::Fail(std::string path, std::string message) {
  if (!status_.ok()) return;
  const std::string subject = path.empty() ? "request body" : path;
  status_ = InvalidArgument(subject + " " + message, std::move(path));
}

ObjectReader::ObjectReader(const Json& value, std::string path, DecodeErrors& errors)
    : value_(value), path_(std::move(path)), errors_(errors) {
  if (!value_.is_object())
    errors_.Fail(path_, std::string("must be an object, not ") + TypeName(value_));
}

bool ObjectReader::Has(std::string_view key) {
  if (!value_.is_object()) return false;
  seen_.emplace_back(key);
  auto it = value_.find(key);
  return it != value_.end() && !it->is_null();
}

const Json* ObjectReader::Lookup(std::string_view key, bool required) {
  if (!ok() || !value_.is_object()) return nullptr;
  seen_.emplace_back(key);
  auto it = value_.find(key);
  if (it == value_.end() || it->is_null()) {
    if (required) errors_.Fail(JoinPath(path_, key), "is required");
    return nullptr;
  }
  return &*it;
}

void ObjectReader::Fail(std::string_view key, std::string message) {
  errors_.Fail(JoinPath(path_, key), std::move(message));
}

std::optional<std::string> ObjectReader::String(std::string_view key, size_t min_len,
                                                size_t max_len, bool required) {
  const Json* v = Lookup(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    Fail(key, std::string("must be a string, not ") + TypeName(*v));
    return std::nullopt;
  }
  const auto& s = v->get_ref<const std::string&>();
  const size_t len = CodePoints(s);
  if (len < min_len) {
    Fail(key, min_len == 1 ? "must not be empty"
                           : "must be at least " + std::to_string(min_len) + " characters");
    return std::nullopt;
  }
  if (len > max_len) {
    Fail(key, "must be at most " + std::to_string(max_len) + " characters");
    return std::nullopt;
  }
  return s;
}

std::optional<int64_t> ObjectReader::Int(std::string_view key, int64_t min, int64_t max,
                                         bool required) {
  const Json* v = Lookup(key, required);
  if (v == nullptr) return std::nullopt;
  int64_t n = 0;
  // is_number_integer() is also true for unsigned numbers, so test those first.
  if (v->is_number_unsigned()) {
    const auto u = v->get<uint64_t>();
    n = u > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(u);
  } else if (v->is_number_integer()) {
    n = v->get<int64_t>();
  } else if (v->is_number_float() && std::trunc(v->get<double>()) == v->get<double>()) {
    // Clamp first: converting a double outside int64's range is undefined.
    constexpr double kTwo63 = 9223372036854775808.0;
    const double d = v->get<double>();
    n = d >= kTwo63 ? INT64_MAX : d < -kTwo63 ? INT64_MIN : static_cast<int64_t>(d);
  } else {
    Fail(key, std::string("must be an integer, not ") + TypeName(*v));
    return std::nullopt;
  }
  if (n < min || n > max) {
    Fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> ObjectReader::Bool(std::string_view key, bool required) {
  const Json* v = Lookup(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    Fail(key, std::string("must be a boolean, not ") + TypeName(*v));
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<TimePoint> ObjectReader::Time(std::string_view key, bool required) {
  const Json* v = Lookup(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    Fail(key, "must be an RFC 3339 timestamp string");
    return std::nullopt;
  }
  auto t = ParseRfc3339(v->get_ref<const std::string&>());
  if (!t) Fail(key, "must be an RFC 3339 timestamp like 2026-03-02T09:00:00Z");
  return t;
}

const Json* ObjectReader::Object(std::string_view key, bool required) {
  const Json* v = Lookup(key, required);
  if (v == nullptr) return nullptr;
  if (!v->is_object()) {
    Fail(key, std::string("must be an object, not ") + TypeName(*v));
    return nullptr;
  }
  return v;
}

const Json* ObjectReader::Array(std::string_view key, size_t max_items, bool required) {
  const Json* v = Lookup(key, required);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    Fail(key, std::string("must be an array, not ") + TypeName(*v));
    return nullptr;
  }
  if (v->size() > max_items) {
    Fail(key, "must have at most " + std::to_string(max_items) + " items");
    return nullptr;
  }
  return v;
}

std::optional<std::vector<std::string>> ObjectReader::StringList(std::string_view key,
                                                                 size_t max_items, size_t min_len,
                                                                 size_t max_len, bool unique,
                                                                 bool required) {
  const Json* v = Array(key, max_items, required);
  if (v == nullptr) return std::nullopt;
  std::vector<std::string> out;
  std::set<std::string> seen;
  const std::string base = JoinPath(path_, key);
  for (size_t i = 0; i < v->size(); ++i) {
    const Json& item = (*v)[i];
    if (!item.is_string()) {
      errors_.Fail(IndexPath(base, i), std::string("must be a string, not ") + TypeName(item));
      return std::nullopt;
    }
    const auto& s = item.get_ref<const std::string&>();
    const size_t len = CodePoints(s);
    if (len < min_len || len > max_len) {
      errors_.Fail(IndexPath(base, i), "must be " + std::to_string(min_len) + " to " +
                                           std::to_string(max_len) + " characters");
      return std::nullopt;
    }
    if (unique && !seen.insert(s).second) {
      errors_.Fail(IndexPath(base, i), "duplicates an earlier item");
      return std::nullopt;
    }
    out.push_back(s);
  }
  return out;
}

std::optional<std::map<std::string, std::string>> ObjectReader::StringMap(std::string_view key,
                                                                          size_t max_items,
                                                                          size_t max_key_len,
                                                                          size_t max_value_len,
                                                                          bool required) {
  const Json* v = Object(key, required);
  if (v == nullptr) return std::nullopt;
  if (v->size() > max_items) {
    Fail(key, "must have at most " + std::to_string(max_items) + " entries");
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  const std::string base = JoinPath(path_, key);
  for (const auto& [k, item] : v->items()) {
    if (k.empty() || CodePoints(k) > max_key_len) {
      errors_.Fail(base, "keys must be 1 to " + std::to_string(max_key_len) + " characters");
      return std::nullopt;
    }
    if (!item.is_string()) {
      errors_.Fail(JoinPath(base, k), std::string("must be a string, not ") + TypeName(item));
      return std::nullopt;
    }
    if (CodePoints(item.get_ref<const std::string&>()) > max_value_len) {
      errors_.Fail(JoinPath(base, k),
                   "must be at most " + std::to_string(max_value_len) + " characters");
      return std::nullopt;
    }
    out.emplace(k, item.get<std::string>());
  }
  return out;
}

Status ObjectReader::Finish() {
  if (ok() && value_.is_object()) {
    for (const auto& [k, v] : value_.items()) {
      if (std::find(seen_.begin(), seen_.end(), k) == seen_.end()) {
        errors_.Fail(JoinPath(path_, k), "is not a known field");
        break;
      }
    }
  }
  return errors_.status();
}

void MergePatch(Json& target, const Json& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = Json::object();
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) {
      target.erase(key);
    } else {
      MergePatch(target[key], value);
    }
  }
}

std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace tocsin::codec
