#include "tocsin/http/router.h"

#include <algorithm>

namespace tocsin::http {
namespace {

// Returns true if pattern `a` is more specific than `b`: at the first segment
// where one has a literal and the other a parameter, `a` has the literal. So
// "/rotations/preview" wins over "/rotations/{id}" whatever the order of Add().
bool MoreSpecific(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const bool a_param = a[i] == "{}";
    if (a_param != (b[i] == "{}")) return !a_param;
  }
  return false;
}

}  // namespace

std::optional<std::vector<std::string>> SplitPath(std::string_view raw_path) {
  if (raw_path.empty() || raw_path[0] != '/') return std::nullopt;
  std::vector<std::string> segments;
  size_t start = 1;
  while (start <= raw_path.size()) {
    size_t end = raw_path.find('/', start);
    if (end == std::string_view::npos) end = raw_path.size();
    auto decoded = PercentDecode(raw_path.substr(start, end - start));
    if (!decoded) return std::nullopt;
    segments.push_back(std::move(*decoded));
    start = end + 1;
  }
  // "/a/b/" and "/a/b" are the same resource; "/" is zero segments.
  if (!segments.empty() && segments.back().empty()) segments.pop_back();
  return segments;
}

void Router::Add(Route route) {
  Compiled c;
  auto segments = SplitPath(route.pattern);
  for (auto& s : *segments) {
    c.segments.push_back(s.size() > 1 && s.front() == '{' && s.back() == '}' ? "{}" : s);
  }
  routes_.push_back(std::move(route));
  compiled_.push_back(std::move(c));
}

Router::Match Router::Find(std::string_view method, std::string_view raw_path) const {
  Match match;
  auto segments = SplitPath(raw_path);
  if (!segments) return match;
  const std::string_view wanted = method == "HEAD" ? "GET" : method;
  std::vector<std::string> methods;
  size_t best = 0;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const auto& pattern = compiled_[i].segments;
    if (pattern.size() != segments->size()) continue;
    std::vector<std::string> params;
    bool ok = true;
    for (size_t j = 0; j < pattern.size() && ok; ++j) {
      if (pattern[j] == "{}") {
        ok = !(*segments)[j].empty();
        params.push_back((*segments)[j]);
      } else {
        ok = pattern[j] == (*segments)[j];
      }
    }
    if (!ok) continue;
    methods.push_back(routes_[i].method);
    if (routes_[i].method == wanted &&
        (match.route == nullptr || MoreSpecific(pattern, compiled_[best].segments))) {
      match.route = &routes_[i];
      best = i;
      match.params = std::move(params);
    }
  }
  if (methods.empty()) return match;
  if (std::find(methods.begin(), methods.end(), "GET") != methods.end()) methods.push_back("HEAD");
  methods.push_back("OPTIONS");
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  for (const auto& m : methods) {
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += m;
  }
  match.outcome = match.route != nullptr ? Outcome::kFound : Outcome::kMethodNotAllowed;
  return match;
}

size_t Router::BodyLimit(std::string_view method, std::string_view raw_path) const {
  const Match m = Find(method, raw_path);
  return m.route != nullptr ? m.route->body_limit : kDefaultBodyLimit;
}

}  // namespace tocsin::http
