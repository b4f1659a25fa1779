// Title templates of rules: text with "{{path}}" placeholders naming fields
// of the event envelope by dotted path ("{{detail.labels.alertname}} on
// {{detail.labels.instance}}", "{{resources.0}}"). A digit-only segment
// indexes an array. Strings are inserted as they are, other values as compact
// JSON, missing fields as nothing.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tocsin/core/status.h"

namespace tocsin::ingest {

inline constexpr size_t kMaxTitleChars = 200;

// kInvalidArgument (field `field`) for an unclosed "{{", an empty path or a
// path with an empty segment.
Status ValidateTitleTemplate(std::string_view text, const std::string& field);

// Renders a valid template against `event`; the result is trimmed and cut
// to kMaxTitleChars characters.
std::string RenderTitleTemplate(std::string_view text, const nlohmann::json& event);

}  // namespace tocsin::ingest
