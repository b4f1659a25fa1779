#include "support/alertmanager.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <thread>

#include "support/http_client.h"

#include <sys/prctl.h>
#include <sys/wait.h>

extern char** environ;

namespace tocsin::test {
namespace {

using Steady = std::chrono::steady_clock;

// Returns the path of `name` (as is if it has a '/'), or "" if not in PATH.
std::string FindProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe): read-only use.
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Forks and runs `argv` with stdin from /dev/null and stdout and stderr on
// `out_fd`, no other descriptor inherited; the child gets SIGKILL when the
// calling thread dies. Only async-signal-safe calls after fork (this process
// has threads). Returns the pid, or -1 with errno.
pid_t Spawn(const std::vector<std::string>& argv, int out_fd, std::string* error) {
  const std::string binary = FindProgram(argv.at(0));
  if (binary.empty()) {
    *error = argv[0] + " not found in PATH (scripts/bootstrap.sh installs it)";
    return -1;
  }
  std::vector<std::string> copy = argv;
  std::vector<char*> args;
  for (std::string& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) {
    *error = std::string("open /dev/null: ") + std::strerror(errno);
    return -1;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // The parent died before prctl.
    ::dup2(null_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(out_fd, 2);
    ::close_range(3, ~0U, 0);
    ::execve(binary.c_str(), args.data(), environ);
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(null_fd);
  if (pid < 0) *error = std::string("fork: ") + std::strerror(fork_errno);
  return pid;
}

// Reaps `pid` if it exited; returns true then.
bool Exited(pid_t pid, int* status) { return ::waitpid(pid, status, WNOHANG) == pid; }

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

ProgramResult RunProgram(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  ProgramResult result;
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) {
    result.out = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  const pid_t pid = Spawn(argv, pipefd[1], &result.out);
  ::close(pipefd[1]);
  if (pid < 0) {
    ::close(pipefd[0]);
    return result;
  }
  const auto deadline = Steady::now() + timeout;
  bool timed_out = false;
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{pipefd[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // Re-checks the deadline.
    char buf[4096];
    const ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the program (and anything it started) closed its output.
    result.out.append(buf, static_cast<size_t>(n));
  }
  ::close(pipefd[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = timed_out ? -1 : DecodeStatus(status);
  if (timed_out) result.out += "\n[killed after " + std::to_string(timeout.count()) + " ms]";
  return result;
}

bool Alertmanager::Start(const std::string& config_yaml,
                         const std::vector<std::string>& extra_args) {
  Kill();
  error_.clear();
  dir_ = std::make_unique<TempDir>();
  if (dir_->path().empty()) {
    error_ = "cannot create a temporary directory";
    return false;
  }
  const std::string config = dir_->File("alertmanager.yml");
  std::ofstream(config) << config_yaml;
  const int log_fd = ::open(dir_->File("alertmanager.log").c_str(),
                            O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    error_ = std::string("open log: ") + std::strerror(errno);
    return false;
  }
  std::vector<std::string> argv = {"prometheus-alertmanager", "--config.file=" + config,
                                   "--storage.path=" + dir_->File("data"),
                                   "--web.listen-address=127.0.0.1:0",
                                   // Empty: no gossip, no cluster port.
                                   "--cluster.listen-address="};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  pid_ = Spawn(argv, log_fd, &error_);
  ::close(log_fd);
  if (pid_ < 0) return false;

  // It logs the bound address: msg="Listening on" address=127.0.0.1:PORT.
  const std::regex listening(R"(msg="Listening on" address=127\.0\.0\.1:([0-9]+))");
  const auto deadline = Steady::now() + std::chrono::seconds(30);
  while (Steady::now() < deadline) {
    int status = 0;
    if (Exited(pid_, &status)) {
      pid_ = -1;
      error_ = "prometheus-alertmanager exited (" + std::to_string(DecodeStatus(status)) +
               ") during start-up:\n" + Log();
      return false;
    }
    if (port_ == 0) {
      std::smatch m;
      const std::string log = Log();
      if (std::regex_search(log, m, listening)) port_ = static_cast<uint16_t>(std::stoi(m[1]));
    }
    if (port_ != 0 && HttpClient(port_).Get("/-/ready").status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "prometheus-alertmanager not ready after 30 s:\n" + Log();
  Kill();
  return false;
}

void Alertmanager::Kill() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
  port_ = 0;
  dir_.reset();
}

std::string Alertmanager::Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string Alertmanager::Log() const {
  return dir_ ? ReadFile(dir_->File("alertmanager.log")) : "";
}

std::string Alertmanager::MetricsText() const {
  if (port_ == 0) return {};
  // A loaded machine occasionally drops one scrape; a missing answer is not
  // a missing series, so ask again before giving up.
  HttpResult r;
  for (int attempt = 0; attempt < 5 && r.status != 200; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r = HttpClient(port_).Get("/metrics");
  }
  return r.status == 200 ? r.body : std::string();
}

namespace {

std::optional<double> FindSeries(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> Alertmanager::Metric(const std::string& series) const {
  return FindSeries(MetricsText(), series);
}

double Alertmanager::WebhooksDelivered() const {
  // Both counters from one scrape, so that they agree.
  const std::string text = MetricsText();
  const auto total =
      FindSeries(text, R"(alertmanager_notification_requests_total{integration="webhook"})");
  const auto failed =
      FindSeries(text, R"(alertmanager_notification_requests_failed_total{integration="webhook"})");
  if (!total || !failed) return -1;
  return *total - *failed;
}

double Alertmanager::WebhooksFailed() const {
  return Metric(R"(alertmanager_notification_requests_failed_total{integration="webhook"})")
      .value_or(-1);
}

ProgramResult Alertmanager::Amtool(std::vector<std::string> args) const {
  args.insert(args.begin(), "amtool");
  args.push_back("--alertmanager.url=" + Url());
  return RunProgram(args);
}

}  // namespace tocsin::test
