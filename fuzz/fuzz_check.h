// Helpers shared by the fuzz targets: invariant checks that abort (so that
// libFuzzer records a crash and the replay test fails), and input splitting.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace tocsin::fuzz {

// Aborts with `what` when `condition` is false: an invariant of the code under
// test does not hold for this input.
inline void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
  std::abort();
}

// The input as text.
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace tocsin::fuzz
