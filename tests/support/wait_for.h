// WaitFor: polls, in real time, for what another thread or process does.
#pragma once

#include <chrono>
#include <thread>

namespace tocsin::test {

// Calls `done` every 50 ms until it returns true (then returns true) or
// `timeout` has passed (then returns false).
template <typename Pred>
bool WaitFor(Pred done, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace tocsin::test
