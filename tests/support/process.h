// ServerProcess: runs the real `tocsin` binary as a child process for
// end-to-end tests (signals, exit codes, crash recovery). Reads the port from
// the "listening on http://HOST:PORT" line it prints.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace tocsin::test {

// Path of the tocsin binary under test (set by CMake).
std::string TocsinBinary();

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr, interleaved.
};

// Runs `tocsin args...` to completion with extra environment variables (which
// replace inherited ones of the same name; inherited TOCSIN_* are dropped).
RunResult RunTocsin(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env = {});

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts `tocsin serve args...` and waits (up to 30 s) for its listening
  // line. Returns false if it exited or never printed it.
  bool Start(const std::vector<std::string>& args,
             const std::map<std::string, std::string>& env = {});
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits for exit (up to `timeout_ms`); returns the exit code, 128+signal if
  // killed by a signal, or nullopt on timeout.
  std::optional<int> Wait(int timeout_ms);
  // Everything the process printed so far.
  std::string Output();

 private:
  void Drain(int timeout_ms);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  uint16_t port_ = 0;
  std::string output_;
};

}  // namespace tocsin::test
