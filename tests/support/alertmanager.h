// Alertmanager: runs Debian's real `prometheus-alertmanager` (0.25) as a child
// process for end-to-end tests and benchmarks, on 127.0.0.1 and an ephemeral
// port, with clustering off and its own storage in a fresh temporary
// directory (so a new instance has an empty notification log). The child gets
// SIGKILL when the object goes away, and also when the thread that started it
// dies (PR_SET_PDEATHSIG), so a crashing test leaves no process behind.
//
// Also: RunProgram, which runs a program (amtool) to completion with a
// timeout and its output captured.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.h"

#include <sys/types.h>

namespace tocsin::test {

struct ProgramResult {
  int exit_code = -1;  // 128+signal if killed by one; -1 if it could not run or timed out.
  std::string out;     // stdout and stderr, interleaved.
};

// Runs argv[0] (a path, or a name looked up in PATH) with `argv` and no stdin;
// kills it after `timeout`.
ProgramResult RunProgram(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

class Alertmanager {
 public:
  Alertmanager() = default;
  ~Alertmanager() { Kill(); }
  Alertmanager(const Alertmanager&) = delete;
  Alertmanager& operator=(const Alertmanager&) = delete;

  // Writes `config_yaml` to a fresh temporary directory and starts
  // prometheus-alertmanager with it, its storage in the same directory, on
  // 127.0.0.1:0; waits (up to 30 s) until /-/ready answers 200. Returns false
  // (why in error(), with the log) otherwise. `extra_args` go last
  // (e.g. "--web.external-url=..."; not a --log.level above info: the port
  // is read from its "Listening on" line).
  bool Start(const std::string& config_yaml, const std::vector<std::string>& extra_args = {});
  // SIGKILL (a crash: no state is saved) and reap; removes the directory, so
  // the next Start begins with an empty notification log. Idempotent.
  void Kill();

  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // "http://127.0.0.1:PORT".
  std::string Url() const;
  // Everything it logged so far.
  std::string Log() const;
  const std::string& error() const { return error_; }

  // The value of one sample on /metrics, named exactly as exposed
  // (`alertmanager_notification_requests_total{integration="webhook"}`);
  // nullopt if absent or unreachable.
  std::optional<double> Metric(const std::string& series) const;
  // The text of GET /metrics ("" if Alertmanager does not answer).
  std::string MetricsText() const;
  // Webhook requests answered with a 2xx: requests_total − requests_failed_total
  // (both counted after the receiver answered, unlike notifications_total).
  // -1 if unreachable.
  double WebhooksDelivered() const;
  double WebhooksFailed() const;

  // Runs `amtool args... --alertmanager.url=Url()`.
  ProgramResult Amtool(std::vector<std::string> args) const;

 private:
  std::unique_ptr<TempDir> dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string error_;
};

}  // namespace tocsin::test
