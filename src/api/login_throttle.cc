#include "api/login_throttle.h"

#include <algorithm>

namespace tocsin::api {

Millis LoginThrottle::DelayFor(int failures) {
  Millis delay = kFirstDelay;
  for (int i = 1; i < failures && delay < kMaxDelay; ++i) delay *= 2;
  return std::min(delay, kMaxDelay);
}

Millis LoginThrottle::Fail(std::initializer_list<std::string_view> keys, TimePoint now) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxKeys) {
    // A flood of distinct names or addresses: drop what is stale; if that is
    // not enough, start over rather than grow without bound.
    std::erase_if(entries_, [&](const auto& e) { return now - e.second.last >= kForgetAfter; });
    if (entries_.size() >= kMaxKeys) entries_.clear();
  }
  int most = 0;
  for (std::string_view key : keys) {
    Entry& e = entries_[std::string(key)];
    if (now - e.last >= kForgetAfter) e.failures = 0;
    ++e.failures;
    e.last = now;
    most = std::max(most, e.failures);
  }
  return DelayFor(most);
}

void LoginThrottle::Succeed(std::string_view key) {
  std::lock_guard lock(mu_);
  entries_.erase(std::string(key));
}

}  // namespace tocsin::api
