// Named crash points for crash-recovery tests.
//
// In builds with TOCSIN_TEST_HOOKS, setting the environment variable
// TOCSIN_CRASH_POINT=<name>[:<n>] makes the n-th (default first) arrival at
// CrashPoint("<name>") terminate the process at once with _exit(137), skipping
// destructors and buffered output, as a power cut or SIGKILL would. Arrivals
// count only once ArmCrashPoints() was called (`tocsin serve` arms them when it
// starts serving, so start-up writes do not shift the count). Without
// TOCSIN_TEST_HOOKS the calls compile to nothing.
//
// Thread-safe.
#pragma once

namespace tocsin {

#ifdef TOCSIN_TEST_HOOKS
void CrashPoint(const char* name);
void ArmCrashPoints();
#else
inline void CrashPoint(const char* /*name*/) {}
inline void ArmCrashPoints() {}
#endif

}  // namespace tocsin
