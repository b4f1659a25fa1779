// A local program as carrier (a modem script, a vendor CLI). posix_spawn with
// an argv vector: no shell ever sees the message (reliability.md §3.9).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tocsin/notify/carrier.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

namespace tocsin::notify {
namespace {

constexpr size_t kMaxOutput = 64 * 1024;
constexpr size_t kMaxCarrierIdSize = 128;
constexpr size_t kMaxErrorLineSize = 200;
// How often to look for the child's exit while something else (a
// grandchild) still holds its pipes open.
constexpr int kExitPollMs = 20;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }

  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Moves `fd` above the standard descriptors, so that dup2-ing the child's
// ends onto 0, 1 and 2 cannot overwrite one of them (when this process runs
// with a standard descriptor closed).
Fd AboveStdio(int fd) {
  if (fd < 0 || fd > 2) return Fd(fd);
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return Fd(moved);
}

std::string_view TrimSpace(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view FirstLine(std::string_view s) { return TrimSpace(s.substr(0, s.find('\n'))); }

bool Printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7F; });
}

std::string ErrorLine(std::string_view stderr_text) {
  std::string out(FirstLine(stderr_text).substr(0, kMaxErrorLineSize));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return out.empty() ? "(no stderr)" : out;
}

// Reads what `fd` has now into `out` (keeping at most kMaxOutput bytes) and
// closes it at end of file or on error. Reads at most kMaxOutput bytes per
// call, so that a child that never stops writing cannot keep the caller from
// its deadline.
void Drain(Fd& fd, std::string& out) {
  char buf[4096];
  for (size_t total = 0; fd.open() && total < kMaxOutput;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;  // EWOULDBLOCK == EAGAIN on Linux.
    if (n <= 0) {
      fd.Close();
      return;
    }
    total += static_cast<size_t>(n);
    const size_t room = kMaxOutput - std::min(kMaxOutput, out.size());
    out.append(buf, std::min(room, static_cast<size_t>(n)));
  }
}

enum class ChildState { kRunning, kExited, kGone };

// Looks for the child's exit without reaping it (WNOWAIT): until it is
// reaped its pid, which is also its process group id, cannot be reused, so
// killing the group cannot hit a stranger. kGone when something else reaped
// it (SIGCHLD ignored process-wide).
ChildState CheckChild(pid_t pid) {
  siginfo_t info{};
  while (true) {
    const int rc = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (rc == 0) return info.si_pid == pid ? ChildState::kExited : ChildState::kRunning;
    if (errno != EINTR) return ChildState::kGone;
  }
}

// Kills whatever is left of the process group and reaps the child; returns
// its wait status, or nullopt when it was already reaped elsewhere.
std::optional<int> KillGroupAndReap(pid_t pid, ChildState state) {
  if (state == ChildState::kGone) return std::nullopt;
  ::kill(-pid, SIGKILL);
  int status = 0;
  while (true) {
    if (::waitpid(pid, &status, 0) == pid) return status;
    if (errno != EINTR) return std::nullopt;
  }
}

class ExecCarrier final : public Carrier {
 public:
  ExecCarrier(std::string name, ExecCarrierOptions options)
      : name_(std::move(name)), options_(std::move(options)) {}

  const std::string& name() const override { return name_; }

  Result<std::string> Send(const CarrierMessage& m) override {
    const std::string what = "exec carrier " + name_;
    if (m.type != domain::ChannelType::kSms && m.type != domain::ChannelType::kVoice) {
      return InvalidArgument(what + " sends SMS and VOICE only");
    }
    if (m.to.empty()) return InvalidArgument(what + ": no destination");
    std::vector<std::string> args{options_.argv.front()};
    for (size_t i = 1; i < options_.argv.size(); ++i) {
      Result<std::string> arg = ExpandCarrierTemplate(options_.argv[i], m, TemplateEscape::kRaw);
      if (!arg.ok()) return arg.status();
      if (arg->find('\0') != std::string::npos) {
        return InvalidArgument(what + ": argument " + std::to_string(i) + " would hold a NUL byte");
      }
      args.push_back(std::move(arg).value());
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    // stdin is a socket so that writing to a child that does not read it is
    // EPIPE (MSG_NOSIGNAL), not a SIGPIPE for the whole server.
    int in[2];
    int out[2];
    int err[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) return SysError(what);
    Fd in_parent = AboveStdio(in[0]);
    Fd in_child = AboveStdio(in[1]);
    if (::pipe2(out, O_CLOEXEC) != 0) return SysError(what);
    Fd out_parent = AboveStdio(out[0]);
    Fd out_child = AboveStdio(out[1]);
    if (::pipe2(err, O_CLOEXEC) != 0) return SysError(what);
    Fd err_parent = AboveStdio(err[0]);
    Fd err_child = AboveStdio(err[1]);
    if (!in_parent.open() || !in_child.open() || !out_parent.open() || !out_child.open() ||
        !err_parent.open() || !err_child.open()) {
      return SysError(what);
    }

    pid_t pid = -1;
    const int spawn_rc = Spawn(argv, in_child.get(), out_child.get(), err_child.get(), &pid);
    in_child.Close();
    out_child.Close();
    err_child.Close();
    if (spawn_rc != 0) {
      return Unavailable(what + ": cannot run " + args.front() + ": " + std::strerror(spawn_rc));
    }
    for (const Fd* fd : {&in_parent, &out_parent, &err_parent}) {
      ::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) | O_NONBLOCK);
    }

    // Real time, not the Clock seam: the child runs in real time.
    const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    std::string stdout_text;
    std::string stderr_text;
    size_t written = 0;
    if (m.text.empty()) in_parent.Close();
    ChildState state = ChildState::kRunning;
    while (state == ChildState::kRunning) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        KillGroupAndReap(pid, CheckChild(pid));
        return DeadlineExceeded(what + ": " + args.front() + " did not finish within " +
                                std::to_string(options_.timeout.count()) + " ms; killed");
      }
      pollfd fds[3];
      nfds_t n = 0;
      if (in_parent.open()) fds[n++] = {in_parent.get(), POLLOUT, 0};
      if (out_parent.open()) fds[n++] = {out_parent.get(), POLLIN, 0};
      if (err_parent.open()) fds[n++] = {err_parent.get(), POLLIN, 0};
      const int wait_ms = static_cast<int>(std::min<int64_t>(left.count(), kExitPollMs));
      if (::poll(fds, n, wait_ms) < 0 && errno != EINTR) {
        const Status error = SysError(what);
        KillGroupAndReap(pid, CheckChild(pid));
        return error;
      }
      if (in_parent.open()) WriteSome(in_parent, m.text, written);
      Drain(out_parent, stdout_text);
      Drain(err_parent, stderr_text);
      state = CheckChild(pid);
    }
    // What the child wrote before exiting is in the pipes already.
    Drain(out_parent, stdout_text);
    Drain(err_parent, stderr_text);
    const std::optional<int> reaped = KillGroupAndReap(pid, state);
    if (!reaped.has_value()) {
      return Unavailable(what + ": the exit status of " + args.front() +
                         " was lost (reaped elsewhere)");
    }
    const int status = *reaped;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      const std::string_view id = FirstLine(stdout_text);
      if (!id.empty() && id.size() <= kMaxCarrierIdSize && Printable(id)) return std::string(id);
      return "exec:" + m.message_id;
    }
    if (WIFEXITED(status)) {
      return Unavailable(what + ": " + args.front() + " exited with status " +
                         std::to_string(WEXITSTATUS(status)) + ": " + ErrorLine(stderr_text));
    }
    return Unavailable(what + ": " + args.front() + " died of signal " +
                       std::to_string(WTERMSIG(status)) + ": " + ErrorLine(stderr_text));
  }

 private:
  static Status SysError(const std::string& what) {
    return Unavailable(what + ": " + std::strerror(errno));
  }

  // Returns posix_spawn's error number (0 on success).
  static int Spawn(std::vector<char*>& argv, int in, int out, int err, pid_t* pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    if (const int rc = ::posix_spawn_file_actions_init(&actions); rc != 0) return rc;
    if (const int rc = ::posix_spawnattr_init(&attr); rc != 0) {
      ::posix_spawn_file_actions_destroy(&actions);
      return rc;
    }
    int rc = ::posix_spawn_file_actions_adddup2(&actions, in, 0);
    if (rc == 0) rc = ::posix_spawn_file_actions_adddup2(&actions, out, 1);
    if (rc == 0) rc = ::posix_spawn_file_actions_adddup2(&actions, err, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    // Descriptors other threads opened without O_CLOEXEC (SQLite's, ...)
    // must not reach the program.
    if (rc == 0) rc = ::posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
    sigset_t no_signals;
    sigset_t all_signals;
    sigemptyset(&no_signals);
    sigfillset(&all_signals);
    sigdelset(&all_signals, SIGKILL);
    sigdelset(&all_signals, SIGSTOP);
    if (rc == 0) {
      rc = ::posix_spawnattr_setflags(
          &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    }
    if (rc == 0) rc = ::posix_spawnattr_setpgroup(&attr, 0);
    if (rc == 0) rc = ::posix_spawnattr_setsigmask(&attr, &no_signals);
    if (rc == 0) rc = ::posix_spawnattr_setsigdefault(&attr, &all_signals);
    if (rc == 0) {
      // The server's environment holds secrets (bootstrap key, ...).
      char path[] = "PATH=/usr/bin:/bin";
      char* env[] = {path, nullptr};
      rc = ::posix_spawn(pid, argv.front(), &actions, &attr, argv.data(), env);
    }
    ::posix_spawnattr_destroy(&attr);
    ::posix_spawn_file_actions_destroy(&actions);
    return rc;
  }

  // Writes what the socket takes of text[written..]; closes it when all is
  // written or the child stopped reading.
  static void WriteSome(Fd& fd, const std::string& text, size_t& written) {
    while (written < text.size()) {
      const ssize_t n =
          ::send(fd.get(), text.data() + written, text.size() - written, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;  // EWOULDBLOCK == EAGAIN on Linux.
      if (n < 0) break;
      written += static_cast<size_t>(n);
    }
    fd.Close();
  }

  const std::string name_;
  const ExecCarrierOptions options_;
};

}  // namespace

Result<std::unique_ptr<Carrier>> NewExecCarrier(std::string name, ExecCarrierOptions options) {
  if (name.empty()) return InvalidArgument("exec carrier: empty name");
  const std::string what = "exec carrier " + name;
  if (options.argv.empty() || options.argv.front().empty() || options.argv.front()[0] != '/') {
    return InvalidArgument(what + ": argv[0] must be an absolute path", "argv");
  }
  if (options.argv.front().find("{{") != std::string::npos) {
    return InvalidArgument(what + ": argv[0] cannot hold placeholders", "argv");
  }
  if (options.timeout.count() <= 0)
    return InvalidArgument(what + ": timeout must be positive", "timeout");
  for (size_t i = 1; i < options.argv.size(); ++i) {
    Result<std::string> probe =
        ExpandCarrierTemplate(options.argv[i], CarrierMessage{}, TemplateEscape::kRaw);
    if (!probe.ok()) {
      return Status(probe.status()).WithField("argv[" + std::to_string(i) + "]");
    }
  }
  return std::unique_ptr<Carrier>(
      std::make_unique<ExecCarrier>(std::move(name), std::move(options)));
}

}  // namespace tocsin::notify
