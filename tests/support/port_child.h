// PortChild: a helper program a test runs next to the server (the SMTP sink,
// the fake carrier) that prints the port it listens on as its first stdout
// line. Started without a shell; stopped with SIGTERM (SIGKILL after 10 s)
// when the object goes away.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <sys/types.h>

namespace tocsin::test {

class PortChild {
 public:
  PortChild() = default;
  ~PortChild() { Stop(); }
  PortChild(const PortChild&) = delete;
  PortChild& operator=(const PortChild&) = delete;

  // Runs argv[0] (a path, or a name looked up in PATH) with argv and waits up
  // to 30 s for the port line. Returns false (with why in error()) if it did
  // not start or print one. The child's stdout is a pipe only until then (it
  // is closed after the port line: a child must not write more to stdout);
  // stdin and stderr are this process's.
  bool Start(const std::vector<std::string>& argv);
  void Stop();

  uint16_t port() const { return port_; }
  const std::string& error() const { return error_; }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string error_;
};

// Path of a file in tests/support of the source tree.
std::string SupportFile(const std::string& name);

}  // namespace tocsin::test
