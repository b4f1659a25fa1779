// Strict decoding of JSON request bodies and stored documents.
//
// ObjectReader walks one JSON object. Each Read* call consumes a key and
// checks its type and rule; the first failure is remembered with the JSON path
// of the offending value ("plan.stages[0].durationInMinutes") and later calls
// do nothing. Finish() also rejects keys nobody read, so unknown or misspelled
// fields are errors rather than silently ignored.
//
// Not thread-safe; a reader lives for one decode.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tocsin/core/status.h"
#include "tocsin/core/time.h"

namespace tocsin::codec {

// Insertion-ordered, so responses list fields in a readable order (id first).
using Json = nlohmann::ordered_json;

// Parses `text` as a JSON document. kInvalidArgument naming the byte offset on
// malformed input. Nesting deeper than 64 levels is refused (stack safety).
Result<Json> ParseJson(std::string_view text);

// Returns the path of member `key` of the object at `path`.
std::string JoinPath(std::string_view path, std::string_view key);
// Returns the path of element `index` of the array at `path`.
std::string IndexPath(std::string_view path, size_t index);

class ObjectReader;

// A shared first-error slot for a whole decode (readers of nested objects
// report into the same one).
class DecodeErrors {
 public:
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // Records `message` about `path` unless an error is already recorded.
  void Fail(std::string path, std::string message);

 private:
  Status status_;
};

class ObjectReader {
 public:
  // Reads the object `value` found at `path`; records a type error if it is
  // not an object. Does not take ownership of `value` or `errors`, which must
  // outlive the reader.
  ObjectReader(const Json& value, std::string path, DecodeErrors& errors);

  bool ok() const { return errors_.ok(); }
  const std::string& path() const { return path_; }
  DecodeErrors& errors() { return errors_; }

  // Returns true if `key` is present (and not null). Marks it as read.
  bool Has(std::string_view key);

  // Each reader returns the value when `key` is present and valid, nullopt when
  // absent (recording "is required" if `required`) or invalid (recording why).
  // JSON null counts as absent.
  std::optional<std::string> String(std::string_view key, size_t min_len, size_t max_len,
                                    bool required = false);
  std::optional<int64_t> Int(std::string_view key, int64_t min, int64_t max, bool required = false);
  std::optional<bool> Bool(std::string_view key, bool required = false);
  std::optional<TimePoint> Time(std::string_view key, bool required = false);
  // Returns the raw value of an object/array member for a nested decoder, and
  // its path. Records a type error if it is not of the expected JSON type.
  const Json* Object(std::string_view key, bool required = false);
  // Returns the raw value of member `key`, of any JSON type (null: absent).
  const Json* Any(std::string_view key, bool required = false) { return Lookup(key, required); }
  const Json* Array(std::string_view key, size_t max_items, bool required = false);
  // A list of strings, each min_len..max_len, at most `max_items`, optionally unique.
  std::optional<std::vector<std::string>> StringList(std::string_view key, size_t max_items,
                                                     size_t min_len, size_t max_len, bool unique,
                                                     bool required = false);
  // A string → string map, at most `max_items` entries.
  std::optional<std::map<std::string, std::string>> StringMap(std::string_view key,
                                                              size_t max_items, size_t max_key_len,
                                                              size_t max_value_len,
                                                              bool required = false);

  // Records an error about member `key` (rule checks done by the caller).
  void Fail(std::string_view key, std::string message);

  // Records an error for the first member nobody read. Returns the overall status.
  Status Finish();

 private:
  const Json* Lookup(std::string_view key, bool required);

  const Json& value_;
  std::string path_;
  DecodeErrors& errors_;
  std::vector<std::string> seen_;
};

// Applies `patch` to `target` per RFC 7396 (JSON Merge Patch): objects merge
// recursively, null removes a member, anything else replaces.
void MergePatch(Json& target, const Json& patch);

// Serialises `value` compactly; UTF-8 is kept, invalid UTF-8 is replaced.
std::string Dump(const Json& value);

}  // namespace tocsin::codec
