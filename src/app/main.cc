// tocsin: the command-line entry point.
#include <pthread.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "app/app.h"
#include "app/config.h"
#include "tocsin/core/crash_point.h"
#include "tocsin/core/log.h"
#include "tocsin/domain/account_service.h"
#include "tocsin/store/fault_vfs.h"
#include "tocsin/store/ledger_verify.h"
#include "tocsin/store/store.h"

#include <sys/resource.h>

extern char** environ;

namespace tocsin::app {
namespace {

constexpr const char* kVersion = "0.1.0";

void PrintUsage(std::FILE* out) {
  std::fprintf(
      out,
      "tocsin %s — self-hosted incident management (contacts, on-call, incidents, paging)\n"
      "\n"
      "Usage:\n"
      "  tocsin serve [--config FILE] [--listen HOST:PORT] [--db PATH] [--web-dir DIR]\n"
      "      Run the server until SIGTERM or SIGINT. --web-dir serves the dashboard from\n"
      "      DIR instead of the copy built into the binary (development).\n"
      "  tocsin user add [--admin | --role ROLE] NAME [--config FILE] [--db PATH]\n"
      "  tocsin user passwd NAME [--config FILE] [--db PATH]\n"
      "      Create a dashboard user (ROLE admin, responder or viewer; default responder)\n"
      "      or set its password. The password comes from TOCSIN_PASSWORD, else from a\n"
      "      prompt on a terminal, else from the first line of standard input.\n"
      "  tocsin backup FILE [--config FILE] [--db PATH]\n"
      "      Write an online, consistent copy of the database to FILE (must not exist).\n"
      "  tocsin verify [--db PATH] [--config FILE] [--checkpoint FILE] [--key VERIFIER_KEY]\n"
      "      Check the ledger read-only: hashes, chain, stored checkpoints, and FILE, a\n"
      "      checkpoint exported earlier, whose signature is checked with VERIFIER_KEY\n"
      "      (default: the key recorded in the database). Exit 0 ok, 1 failed, 2 usage.\n"
      "  tocsin version\n"
      "  tocsin --help\n"
      "\n"
      "Configuration keys (YAML file, then TOCSIN_* environment, then flags):\n%s",
      kVersion, DescribeConfigKeys().c_str());
}

std::vector<std::string> Environment() {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
  return out;
}

// Parses flags after the command. Returns false (after printing why) on error.
bool ParseFlags(int argc, char** argv, int first, Flags& flags,
                std::vector<std::string>& positional) {
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::optional<std::string>& slot) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "tocsin: %s needs a value\n", arg.c_str());
        return false;
      }
      slot = argv[++i];
      return true;
    };
    if (arg == "--config") {
      if (!value(flags.config_file)) return false;
    } else if (arg == "--listen") {
      if (!value(flags.listen)) return false;
    } else if (arg == "--db") {
      if (!value(flags.db)) return false;
    } else if (arg == "--web-dir") {
      if (!value(flags.web_dir)) return false;
    } else if (arg.rfind("--", 0) == 0) {
      std::fprintf(stderr, "tocsin: unknown flag %s (see tocsin --help)\n", arg.c_str());
      return false;
    } else {
      positional.push_back(arg);
    }
  }
  return true;
}

void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int Serve(Config config) {
  // Block the stop signals in every thread; this thread waits for them below.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  RaiseFileLimit();

  Overrides overrides;
#ifdef TOCSIN_TEST_HOOKS
  // Test builds only: TOCSIN_TEST_CLOCK_OFFSET_MS shifts the server's
  // clock, so that a crash test can restart the real binary "later" and see
  // overdue jobs fire without waiting in real time.
  static std::unique_ptr<Clock> shifted;
  if (const char* offset = std::getenv("TOCSIN_TEST_CLOCK_OFFSET_MS")) {
    shifted = NewOffsetClock(SystemClock(), Millis(std::atoll(offset)));
    overrides.clock = shifted.get();
  }
  // TOCSIN_TEST_SYNCHRONOUS=normal: the power-loss test shows that without
  // synchronous=FULL acknowledged commits can be lost (so that it has teeth).
  if (const char* sync = std::getenv("TOCSIN_TEST_SYNCHRONOUS")) {
    config.store.synchronous_full = std::string_view(sync) != "normal";
  }
  // TOCSIN_TEST_DISK_FAULT names the control file of the fault-injecting VFS
  // (tocsin/store/fault_vfs.h) for disk-full and I/O-error tests.
  if (const char* control = std::getenv("TOCSIN_TEST_DISK_FAULT")) {
    const char* power_loss = std::getenv("TOCSIN_TEST_POWER_LOSS");
    const bool buffer = power_loss != nullptr && std::string_view(power_loss) == "1";
    if (Status s = store::InstallFaultVfs(control, buffer); !s.ok()) {
      std::fprintf(stderr, "tocsin: %s\n", s.message().c_str());
      return 1;
    }
  }
#endif
  auto app = App::Create(config, overrides);
  if (!app.ok()) {
    spdlog::critical("msg=\"cannot start\" error={}", LogQuote(app.status().message()));
    std::fprintf(stderr, "tocsin: cannot start: %s\n", app.status().message().c_str());
    return 1;
  }
  // Crash points count from here: start-up writes do not shift them.
  ArmCrashPoints();
#ifdef TOCSIN_TEST_HOOKS
  store::ArmFaultVfs();
#endif
  (*app)->Start();
  const std::string host = config.server.host.find(':') != std::string::npos
                               ? "[" + config.server.host + "]"
                               : config.server.host;
  std::printf("tocsin %s listening on http://%s:%u (database %s)\n", kVersion, host.c_str(),
              (*app)->port(), config.store.path.c_str());
  if (const auto& key = (*app)->bootstrap_key()) {
    std::printf(
        "\nAdmin API key (shown once, store it now):\n\n  %s\n\n"
        "Try:  curl -H 'Authorization: Bearer %s' http://%s:%u/api/v1/contacts\n\n",
        key->token.c_str(), key->token.c_str(), host.c_str(), (*app)->port());
  }
  if (const auto& password = (*app)->bootstrap_password()) {
    std::printf(
        "Dashboard: http://%s:%u/  user admin, password %s (shown once; change it under "
        "Users)\n\n",
        host.c_str(), (*app)->port(), password->c_str());
  } else {
    std::printf("Dashboard: http://%s:%u/\n", host.c_str(), (*app)->port());
  }
  std::fflush(stdout);
  spdlog::info("msg=\"serving\" listen={}:{} db={}", config.server.host, (*app)->port(),
               LogQuote(config.store.path));

  int sig = 0;
  sigwait(&stop, &sig);
  spdlog::info("msg=\"shutting down\" signal={}", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  (*app)->Shutdown();
  spdlog::info("msg=\"stopped\"");
  spdlog::default_logger()->flush();
  return 0;
}

int Backup(const Config& config, const std::string& target) {
  auto store = store::OpenSqliteStore(config.store, SystemClock());
  if (!store.ok()) {
    std::fprintf(stderr, "tocsin backup: %s\n", store.status().message().c_str());
    return 1;
  }
  Status s = (*store)->Backup(target);
  (*store)->Shutdown();
  if (!s.ok()) {
    std::fprintf(stderr, "tocsin backup: %s\n", s.message().c_str());
    return 1;
  }
  std::printf("backup written to %s\n", target.c_str());
  return 0;
}

// `tocsin verify`: checks the ledger of a database file without writing it. It parses its own
// flags (--checkpoint and --key belong to it alone) and reads the configuration only to find
// the database, as the other commands do. Prints "ok: ..." and returns 0, or "FAILED ..." and
// returns 1 (a problem, or a database that cannot be read); returns 2 for usage errors.
int Verify(int argc, char** argv) {
  constexpr const char* kUsage =
      "usage: tocsin verify [--db PATH] [--config FILE] [--checkpoint FILE] [--key KEY]\n";
  Flags flags;
  std::optional<std::string> checkpoint_file;
  std::optional<std::string> key;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    std::optional<std::string>* slot = arg == "--db"           ? &flags.db
                                       : arg == "--config"     ? &flags.config_file
                                       : arg == "--checkpoint" ? &checkpoint_file
                                       : arg == "--key"        ? &key
                                                               : nullptr;
    if (slot == nullptr || i + 1 >= argc) {
      std::fprintf(stderr, "tocsin verify: %s %s\n%s",
                   slot == nullptr ? "unexpected argument" : "missing value for", arg.c_str(),
                   kUsage);
      return 2;
    }
    *slot = argv[++i];
  }
  auto config = LoadConfig(flags, Environment());
  if (!config.ok()) {
    std::fprintf(stderr, "tocsin: configuration error: %s\n", config.status().message().c_str());
    return 2;
  }
  store::VerifyOptions options;
  options.verifier_key = key;
  if (checkpoint_file) {
    std::ifstream in(*checkpoint_file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "tocsin verify: cannot read %s\n", checkpoint_file->c_str());
      return 2;
    }
    options.exported_checkpoint.emplace(std::istreambuf_iterator<char>(in),
                                        std::istreambuf_iterator<char>());
  }
  bool progress_line = false;  // A progress line without its newline is on the terminal.
  if (isatty(STDERR_FILENO) == 1) {
    options.progress = [&progress_line](int64_t done, int64_t total) {
      std::fprintf(stderr, "\rverified %lld of %lld entries", static_cast<long long>(done),
                   static_cast<long long>(total));
      progress_line = true;
    };
  }
  auto report = store::VerifyLedgerFile(config->store.path, options);
  if (progress_line) std::fputc('\n', stderr);
  if (!report.ok()) {
    if (report.status().code() == StatusCode::kInvalidArgument) {
      std::fprintf(stderr, "tocsin verify: %s\n%s", report.status().message().c_str(), kUsage);
      return 2;
    }
    std::printf("FAILED: cannot verify %s: %s\n", config->store.path.c_str(),
                report.status().message().c_str());
    return 1;
  }
  if (!report->ok) {
    if (report->first_bad_seq) {
      // The problem sentence may start with the same "entry S: " this line starts with.
      const std::string at = "entry " + std::to_string(*report->first_bad_seq) + ": ";
      std::string problem = report->problem;
      if (problem.rfind(at, 0) == 0) problem.erase(0, at.size());
      std::printf("FAILED at entry %lld: %s\n", static_cast<long long>(*report->first_bad_seq),
                  problem.c_str());
    } else {
      std::printf("FAILED: %s\n", report->problem.c_str());
    }
    return 1;
  }
  std::printf("ok: %lld entries, root %s, %lld checkpoints\n",
              static_cast<long long>(report->entries), report->root.c_str(),
              static_cast<long long>(report->checkpoints_checked));
  switch (report->key_source) {
    case store::VerifierKeySource::kNone:
      std::printf("signatures: not checked (no key given and none recorded; pass --key)\n");
      break;
    case store::VerifierKeySource::kOption:
      std::printf("signatures: checked with %s\n", report->verifier_key.c_str());
      break;
    case store::VerifierKeySource::kDatabase:
      std::printf(
          "signatures: checked with the key recorded in the database, %s (pass --key to use "
          "one you trust)\n",
          report->verifier_key.c_str());
      break;
  }
  if (report->anchored_size) {
    std::printf("exported checkpoint: matches at size %lld\n",
                static_cast<long long>(*report->anchored_size));
  }
  return 0;
}

// Reads the password of `tocsin user`: TOCSIN_PASSWORD, else a prompt (twice,
// without echo) on a terminal, else the first line of standard input.
std::optional<std::string> ReadPassword() {
  if (const char* env = std::getenv("TOCSIN_PASSWORD")) return std::string(env);
  if (isatty(STDIN_FILENO) != 1) {
    std::string line;
    if (!std::getline(std::cin, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  termios saved{};
  tcgetattr(STDIN_FILENO, &saved);
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  std::string first;
  std::string second;
  std::fprintf(stderr, "Password: ");
  std::getline(std::cin, first);
  std::fprintf(stderr, "\nAgain: ");
  std::getline(std::cin, second);
  std::fprintf(stderr, "\n");
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  if (first != second) {
    std::fprintf(stderr, "tocsin user: the passwords differ\n");
    return std::nullopt;
  }
  return first;
}

// `tocsin user add|passwd`: writes the users table directly (the server may be
// running: SQLite serializes the writers). Not recorded in the ledger, which
// only the server appends to.
int UserCommand(int argc, char** argv) {
  constexpr const char* kUsage =
      "usage: tocsin user add [--admin | --role ROLE] NAME [--config FILE] [--db PATH]\n"
      "       tocsin user passwd NAME [--config FILE] [--db PATH]\n";
  if (argc < 3) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  const std::string action = argv[2];
  Flags flags;
  std::string role_text = "responder";
  std::vector<std::string> names;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--admin") {
      role_text = "admin";
      continue;
    }
    std::optional<std::string>* slot = arg == "--db"       ? &flags.db
                                       : arg == "--config" ? &flags.config_file
                                                           : nullptr;
    std::optional<std::string> role;
    if (arg == "--role") slot = &role;
    if (slot != nullptr) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "tocsin user: missing value for %s\n%s", arg.c_str(), kUsage);
        return 2;
      }
      *slot = argv[++i];
      if (role) role_text = *role;
      continue;
    }
    if (arg.rfind("--", 0) == 0) {
      std::fprintf(stderr, "tocsin user: unknown flag %s\n%s", arg.c_str(), kUsage);
      return 2;
    }
    names.push_back(arg);
  }
  if ((action != "add" && action != "passwd") || names.size() != 1) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  auto role = domain::AccountService::ParseUserRole(role_text);
  Status valid = !role.ok() ? role.status() : domain::AccountService::ValidateName(names[0]);
  if (!valid.ok()) {
    std::fprintf(stderr, "tocsin user: %s\n", valid.message().c_str());
    return 2;
  }
  auto config = LoadConfig(flags, Environment());
  if (!config.ok()) {
    std::fprintf(stderr, "tocsin: configuration error: %s\n", config.status().message().c_str());
    return 2;
  }
  auto password = ReadPassword();
  if (!password) return 2;
  if (Status s = domain::AccountService::ValidatePassword(*password); !s.ok()) {
    std::fprintf(stderr, "tocsin user: %s\n", s.message().c_str());
    return 2;
  }
  const domain::AccountService accounts(config->sessions, config->password_params);
  const std::string hash = accounts.HashPassword(*password);
  auto store = store::OpenSqliteStore(config->store, SystemClock());
  if (!store.ok()) {
    std::fprintf(stderr, "tocsin user: %s\n", store.status().message().c_str());
    return 1;
  }
  const domain::Principal who{
      "cli/" + std::string(std::getenv("USER") ? std::getenv("USER") : "root"),
      domain::Role::kAdmin};
  Status s = (*store)->WriteSync([&](store::WriteTxn& txn) {
    if (action == "add") return accounts.CreateUser(txn, who, names[0], *role, hash).status();
    return accounts.UpdateUser(txn, who, names[0], std::nullopt, hash, std::nullopt).status();
  });
  (*store)->Shutdown();
  if (!s.ok()) {
    std::fprintf(stderr, "tocsin user: %s\n", s.message().c_str());
    return 1;
  }
  std::printf(action == "add" ? "user %s created (%s)\n" : "password of %s changed (%s)\n",
              names[0].c_str(), action == "add" ? role_text.c_str() : "sessions ended");
  return 0;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return 2;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    PrintUsage(stdout);
    return 0;
  }
  if (command == "version" || command == "--version") {
    std::printf("tocsin %s (schema %d)\n", kVersion, store::LatestSchemaVersion());
    return 0;
  }
  if (command == "verify") return Verify(argc, argv);
  if (command == "user") return UserCommand(argc, argv);
  Flags flags;
  std::vector<std::string> positional;
  if (!ParseFlags(argc, argv, 2, flags, positional)) return 2;
  auto config = LoadConfig(flags, Environment());
  if (!config.ok()) {
    std::fprintf(stderr, "tocsin: configuration error: %s\n", config.status().message().c_str());
    return 2;
  }
  if (Status s = InitLogging(config->log); !s.ok()) {
    std::fprintf(stderr, "tocsin: %s\n", s.message().c_str());
    return 2;
  }
  if (command == "serve") {
    if (!positional.empty()) {
      std::fprintf(stderr, "tocsin serve: unexpected argument %s\n", positional[0].c_str());
      return 2;
    }
    return Serve(*config);
  }
  if (command == "backup") {
    if (positional.size() != 1) {
      std::fprintf(stderr, "usage: tocsin backup FILE [--config FILE] [--db PATH]\n");
      return 2;
    }
    return Backup(*config, positional[0]);
  }
  std::fprintf(stderr, "tocsin: unknown command %s (see tocsin --help)\n", command.c_str());
  return 2;
}

}  // namespace
}  // namespace tocsin::app

int main(int argc, char** argv) { return tocsin::app::Main(argc, argv); }
