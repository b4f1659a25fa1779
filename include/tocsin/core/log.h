// Logging setup. Tocsin logs through spdlog in logfmt style ("key=value ..."),
// quiet by default: start-up, shutdown, warnings and the access log at info.
// Every line written while serving a request carries "rid=<request id>".
#pragma once

#include <string>

#include "tocsin/core/status.h"

namespace tocsin {

struct LogOptions {
  std::string level = "info";  // trace, debug, info, warn, error, critical, off
  bool access_log = true;      // One info line per HTTP request.
};

// Configures the default spdlog logger (stderr, logfmt pattern, UTC timestamps).
// Returns kInvalidArgument for an unknown level. Call once, before threads start.
Status InitLogging(const LogOptions& options);

// Quotes `value` for logfmt when it contains spaces, quotes or '=' characters.
std::string LogQuote(std::string_view value);

}  // namespace tocsin
