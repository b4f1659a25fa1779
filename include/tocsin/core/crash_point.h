// Named crash points for crash-recovery tests.
//
// In builds with TOCSIN_TEST_HOOKS, setting the environment variable
// TOCSIN_CRASH_POINT=<name>[:<n>] makes the n-th (default first) arrival at
// CrashPoint("<name>") terminate the process at once with _exit(137), skipping
// destructors and buffered output, as a power cut or SIGKILL would. Without
// TOCSIN_TEST_HOOKS the call compiles to nothing.
//
// Thread-safe.
#pragma once

namespace tocsin {

#ifdef TOCSIN_TEST_HOOKS
void CrashPoint(const char* name);
#else
inline void CrashPoint(const char* /*name*/) {}
#endif

}  // namespace tocsin
