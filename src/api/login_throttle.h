// Slows password guessing: counts failed logins per key (the lower-cased user
// name, and the client address) and says how long the answer to a failure
// waits: 250 ms after the first, doubling with each further failure up to
// 8 s. A key's count is forgotten 15 minutes after its last failure and when
// its login succeeds. The delay holds only the guesser's own request, so it
// cannot lock the real user out the way an account lockout would.
//
// Thread-safe. Time comes from the caller (the Clock seam).
#pragma once

#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tocsin/core/time.h"

namespace tocsin::api {

class LoginThrottle {
 public:
  static constexpr Millis kFirstDelay{250};
  static constexpr Millis kMaxDelay{8000};
  static constexpr Millis kForgetAfter{15 * 60 * 1000};
  static constexpr size_t kMaxKeys = 100000;

  // Records a failure under every key and returns the delay its answer waits
  // (from the key with the most recent failures).
  Millis Fail(std::initializer_list<std::string_view> keys, TimePoint now);
  // Forgets the failures of `key`.
  void Succeed(std::string_view key);
  // The delay of `failures` consecutive failures (failures >= 1).
  static Millis DelayFor(int failures);

 private:
  struct Entry {
    int failures = 0;
    TimePoint last{};
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // Guarded by mu_.
};

}  // namespace tocsin::api
