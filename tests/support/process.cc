#include "support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <regex>
#include <thread>

#include <sys/wait.h>

extern char** environ;

namespace tocsin::test {
namespace {

pid_t Spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            int& out_fd) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return -1;
  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    if (entry.rfind("TOCSIN_", 0) == 0) continue;                    // Tests set what they need.
    if (env.count(entry.substr(0, entry.find('='))) != 0) continue;  // Replaced below.
    envs.push_back(entry);
  }
  for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    std::vector<char*> argv;
    std::string binary = TocsinBinary();
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : envs) envp.push_back(e.data());
    envp.push_back(nullptr);
    execve(binary.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  close(pipefd[1]);
  out_fd = pipefd[0];
  return pid;
}

std::optional<int> DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return std::nullopt;
}

}  // namespace

std::string TocsinBinary() { return TOCSIN_BINARY; }

RunResult RunTocsin(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env) {
  RunResult result;
  int fd = -1;
  const pid_t pid = Spawn(args, env, fd);
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) result.out.append(buf, static_cast<size_t>(n));
  close(fd);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = DecodeStatus(status).value_or(-1);
  return result;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    Wait(10'000);
  }
  if (out_fd_ >= 0) close(out_fd_);
}

void ServerProcess::Drain(int timeout_ms) {
  if (out_fd_ < 0) return;
  pollfd p{out_fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return;
  char buf[8192];
  const ssize_t n = read(out_fd_, buf, sizeof(buf));
  if (n > 0) {
    output_.append(buf, static_cast<size_t>(n));
  } else {
    close(out_fd_);
    out_fd_ = -1;
  }
}

bool ServerProcess::Start(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env) {
  std::vector<std::string> full = {"serve"};
  full.insert(full.end(), args.begin(), args.end());
  output_.clear();
  pid_ = Spawn(full, env, out_fd_);
  const std::regex listening("listening on http://[^ ]*:([0-9]+)");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline && out_fd_ >= 0) {
    Drain(100);
    std::smatch m;
    if (std::regex_search(output_, m, listening)) {
      port_ = static_cast<uint16_t>(std::stoi(m[1]));
      return true;
    }
  }
  return false;
}

void ServerProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

std::optional<int> ServerProcess::Wait(int timeout_ms) {
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      while (out_fd_ >= 0) Drain(100);
      return DecodeStatus(status);
    }
    Drain(20);
  }
  return std::nullopt;
}

std::string ServerProcess::Output() {
  Drain(0);
  return output_;
}

}  // namespace tocsin::test
