// Router: maps (method, path) to a handler and its request body limit.
//
// Patterns are literal segments and "{name}" parameters, e.g.
// "/api/v1/contacts/{id}/channels". A parameter matches one non-empty
// segment; the raw path is split on '/' first and each segment is then
// percent-decoded, so "%2F" inside an id does not split it.
//
// Add routes before the server starts; after that the router is read-only
// and safe to use from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "tocsin/http/message.h"

namespace tocsin::http {

inline constexpr size_t kDefaultBodyLimit = 64 * 1024;

struct Route {
  std::string method;  // "GET", "POST", "PATCH", "PUT", "DELETE".
  std::string pattern;
  Handler handler;
  size_t body_limit = kDefaultBodyLimit;
  // Log the pattern instead of the path (paths that carry secrets, like
  // integration keys).
  bool redact_path = false;
};

class Router {
 public:
  enum class Outcome { kFound, kNotFound, kMethodNotAllowed };

  struct Match {
    Outcome outcome = Outcome::kNotFound;
    const Route* route = nullptr;
    std::vector<std::string> params;
    // Methods the path supports (for 405 and OPTIONS), e.g. "GET, HEAD, POST, OPTIONS".
    std::string allow;
  };

  void Add(Route route);

  // Matches `raw_path` (not yet percent-decoded). HEAD matches GET routes.
  Match Find(std::string_view method, std::string_view raw_path) const;

  // Returns the body limit for a request, or kDefaultBodyLimit for unknown routes.
  size_t BodyLimit(std::string_view method, std::string_view raw_path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Compiled {
    std::vector<std::string> segments;  // "{}" marks a parameter.
  };

  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;
};

// Splits a raw path into percent-decoded segments. nullopt if malformed.
std::optional<std::vector<std::string>> SplitPath(std::string_view raw_path);

}  // namespace tocsin::http
