#include "tocsin/core/crash_point.h"

#ifdef TOCSIN_TEST_HOOKS

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

namespace tocsin {
namespace {

struct Target {
  std::string name;
  long nth = 1;
};

const Target* ReadTarget() {
  const char* spec = std::getenv("TOCSIN_CRASH_POINT");  // NOLINT(concurrency-mt-unsafe)
  if (spec == nullptr || *spec == '\0') return nullptr;
  auto* target = new Target();
  std::string s(spec);
  const auto colon = s.find(':');
  target->name = s.substr(0, colon);
  if (colon != std::string::npos)
    target->nth = std::max(1L, std::strtol(s.c_str() + colon + 1, nullptr, 10));
  return target;
}

std::atomic<bool> armed{false};

}  // namespace

void ArmCrashPoints() { armed.store(true); }

void CrashPoint(const char* name) {
  static const Target* target = ReadTarget();
  static std::atomic<long> hits{0};
  if (target == nullptr || !armed.load() || target->name != name) return;
  if (hits.fetch_add(1) + 1 == target->nth) {
    static const char kMsg[] = "tocsin: crash point reached\n";
    (void)!write(2, kMsg, sizeof(kMsg) - 1);
    _exit(137);
  }
}

}  // namespace tocsin

#endif  // TOCSIN_TEST_HOOKS
