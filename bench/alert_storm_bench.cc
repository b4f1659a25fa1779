// tocsin_alert_storm_bench: an alert storm against local carriers (the
// notifications issue, item 9).
//
// In one process: a minimal SMTP server and a minimal HTTP server speaking
// Twilio's REST wire format (POST /2010-04-01/Accounts/{sid}/Messages.json),
// both on loopback, each a pool of threads serving one connection at a time;
// an app::App with notify.driver=carriers pointed at them; and HTTP clients
// on loopback that do what users do:
//
//  1. set-up through the API: 3 people, each with an EMAIL and an SMS channel
//     activated with the code that reached the sink, and one response plan
//     engaging all three;
//  2. isolated costs: one durable write through the store, one SMTP send and
//     one Twilio send (the carrier clients the app uses, one at a time);
//  3. the storm: N incident starts (default 1,000) from 16 connections, each
//     sending its next POST when the previous one is answered (closed loop;
//     connections=N sends them all at once); each incident pages 3 people ×
//     2 channels, so 6·N first pages. Handover time = the sink's acceptance
//     (SMTP "250" after DATA, or the Twilio request read) − the moment the
//     incident's POST was sent. carrier_delay_ms makes the sinks wait that
//     long before accepting, like a remote carrier's API;
//  4. duplicates (the same incident, person and channel arriving twice at a
//     sink) and the outbox: no page or outbox row QUEUED or SENDING after the
//     storm (read-only SQLite connection);
//  5. where the time went: on-CPU and run-queue time of the store writer,
//     the delivery workers, the HTTP server, the sinks and the clients.
//
// Usage: tocsin_alert_storm_bench [incidents=1000] [workers=8] [connections=16]
//                                  [carrier_delay_ms=0]
// (prints Markdown tables; see bench/README.md)
#include <dirent.h>
#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "app/config.h"
#include "tocsin/core/log.h"
#include "tocsin/net/outbound.h"
#include "tocsin/notify/carrier.h"
#include "tocsin/notify/smtp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

using namespace tocsin;  // NOLINT: a benchmark driver.
using Steady = std::chrono::steady_clock;
using Json = nlohmann::json;

namespace {

constexpr const char* kKey = "tcn_alert_storm_bench_key_0123456789abcdef";
constexpr const char* kSid = "AC0123456789abcdef0123456789abcdef";
constexpr const char* kAuthToken = "storm-auth-token";
constexpr int kPeople = 3;
constexpr int kChannelsPerPerson = 2;

// How long a sink takes to accept a message (a remote carrier's latency); 0 by default.
std::atomic<int> g_carrier_delay_ms{0};

double Ms(Steady::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "alert_storm_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) Die(std::string(what) + ": " + s.ToString());
}

// --- Per-thread CPU accounting (/proc schedstat: on-CPU ns, run-queue wait ns).

struct Sched {
  double cpu_s = 0;
  double wait_s = 0;
  Sched& operator+=(const Sched& o) {
    cpu_s += o.cpu_s;
    wait_s += o.wait_s;
    return *this;
  }
  Sched operator-(const Sched& o) const { return {cpu_s - o.cpu_s, wait_s - o.wait_s}; }
};

Sched ReadSched(const std::string& path) {
  std::ifstream in(path);
  unsigned long long cpu = 0;
  unsigned long long wait = 0;
  in >> cpu >> wait;
  return {static_cast<double>(cpu) / 1e9, static_cast<double>(wait) / 1e9};
}

std::vector<int> Tids() {
  std::vector<int> out;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') out.push_back(std::atoi(e->d_name));
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::map<int, Sched> SchedAll() {
  std::map<int, Sched> out;
  for (int tid : Tids()) {
    out[tid] = ReadSched("/proc/self/task/" + std::to_string(tid) + "/schedstat");
  }
  return out;
}

// Short-lived threads (the storm's clients) add theirs when they end.
std::mutex g_sched_mu;
Sched g_client_sched;

void AddOwnSched(Sched* into) {
  const Sched s = ReadSched("/proc/thread-self/schedstat");
  std::lock_guard<std::mutex> lock(g_sched_mu);
  *into += s;
}

double ProcessCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// --- Sockets -------------------------------------------------------------------

void NoDelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Buffered reads of lines and byte counts from one socket.
class Reader {
 public:
  explicit Reader(int fd) : fd_(fd) {}

  // One line without its CRLF (or LF); false at EOF or error.
  bool Line(std::string* out) {
    while (true) {
      const size_t nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        out->assign(buf_, pos_, nl - pos_);
        if (!out->empty() && out->back() == '\r') out->pop_back();
        pos_ = nl + 1;
        return true;
      }
      if (!Fill()) return false;
    }
  }

  bool Bytes(size_t n, std::string* out) {
    while (buf_.size() - pos_ < n) {
      if (!Fill()) return false;
    }
    out->assign(buf_, pos_, n);
    pos_ += n;
    return true;
  }

 private:
  bool Fill() {
    if (pos_ > 0) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    char tmp[16384];
    while (true) {
      const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buf_.append(tmp, static_cast<size_t>(n));
      return true;
    }
  }

  int fd_;
  std::string buf_;
  size_t pos_ = 0;
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The number after "storm-" in `text` (the incident titles are storm-NNNNNN), or -1.
int StormIndex(std::string_view text) {
  const size_t at = text.find("storm-");
  if (at == std::string_view::npos) return -1;
  size_t i = at + 6;
  if (i >= text.size() || std::isdigit(static_cast<unsigned char>(text[i])) == 0) return -1;
  int n = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0; ++i) {
    n = n * 10 + (text[i] - '0');
  }
  return n;
}

// The `digits` digits right after `prefix` in `text`, or "".
std::string DigitsAfter(std::string_view text, std::string_view prefix, size_t digits) {
  const size_t at = text.find(prefix);
  if (at == std::string_view::npos || at + prefix.size() + digits > text.size()) return {};
  std::string out(text.substr(at + prefix.size(), digits));
  for (char c : out) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return {};
  }
  return out;
}

// The threads of the sinks, for the CPU table.
std::mutex g_sink_tids_mu;
std::vector<int> g_sink_tids;

// A loopback listener served by a fixed pool of threads, each taking one
// connection at a time (accept, serve to the end, accept the next): a thread
// per connection without paying for a thread start per connection, which on
// this 2-core machine would take CPU from the server under test. Stop() wakes
// and joins them all.
class LoopbackServer {
 public:
  using Serve = std::function<void(int fd)>;

  ~LoopbackServer() { Stop(); }

  void Start(Serve serve, int threads) {
    serve_ = std::move(serve);
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 1024) != 0) {
      Die("sink cannot listen");
    }
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    for (int i = 0; i < threads; ++i) pool_.emplace_back([this] { Run(); });
  }

  uint16_t port() const { return port_; }

  // Every finished connection: accepted, closed.
  std::vector<std::pair<Steady::time_point, Steady::time_point>> Sessions() {
    std::lock_guard<std::mutex> lock(mu_);
    return sessions_;
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_ || listen_fd_ < 0) return;
      stopping_ = true;
      ::shutdown(listen_fd_, SHUT_RDWR);  // Wakes every accept().
      for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : pool_) t.join();
    ::close(listen_fd_);
  }

 private:
  void Run() {
    {
      std::lock_guard<std::mutex> lock(g_sink_tids_mu);
      g_sink_tids.push_back(static_cast<int>(::gettid()));
    }
    while (true) {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;  // Stopped.
      }
      const auto accepted = Steady::now();
      NoDelay(fd);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) {
          ::close(fd);
          return;
        }
        open_.insert(fd);
      }
      serve_(fd);
      const auto closed = Steady::now();
      std::lock_guard<std::mutex> lock(mu_);
      sessions_.emplace_back(accepted, closed);
      open_.erase(fd);
      ::close(fd);
    }
  }

  Serve serve_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::vector<std::thread> pool_;
  std::mutex mu_;
  std::set<int> open_;                                                       // Guarded by mu_.
  std::vector<std::pair<Steady::time_point, Steady::time_point>> sessions_;  // Guarded by mu_.
  bool stopping_ = false;                                                    // Guarded by mu_.
};

// One message a sink accepted.
struct Arrival {
  Steady::time_point at;
  std::string to;          // RCPT address or the SMS To.
  std::string id;          // Message-ID, or the SID we answered with.
  int storm = -1;          // Incident number from the title, -1 for other messages.
  std::string activation;  // An activation code, if this was one.
};

// A loopback server that records what arrives; subclasses speak the protocol.
class Sink {
 public:
  virtual ~Sink() = default;
  uint16_t port() const { return server_.port(); }
  void Stop() { server_.Stop(); }
  std::vector<std::pair<Steady::time_point, Steady::time_point>> Sessions() {
    return server_.Sessions();
  }
  std::vector<Arrival> Arrivals() const {
    std::lock_guard<std::mutex> lock(mu_);
    return arrivals_;
  }
  size_t storm_count() const { return storm_count_.load(); }
  // Waits up to 10 s for an activation code sent to `to`.
  std::string WaitActivation(const std::string& to) const {
    for (int i = 0; i < 1000; ++i) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        for (const Arrival& a : arrivals_) {
          if (a.to == to && !a.activation.empty()) return a.activation;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return {};
  }

 protected:
  // Serves each connection with Serve() on `threads` threads. Call from the
  // subclass constructor (Serve is virtual).
  void Listen(int threads) {
    server_.Start([this](int fd) { Serve(fd); }, threads);
  }
  virtual void Serve(int fd) = 0;

  void Record(Arrival a) {
    if (a.storm >= 0) storm_count_.fetch_add(1);
    std::lock_guard<std::mutex> lock(mu_);
    arrivals_.push_back(std::move(a));
  }

 private:
  mutable std::mutex mu_;
  std::vector<Arrival> arrivals_;
  std::atomic<size_t> storm_count_{0};
  LoopbackServer server_;
};

// (a) SMTP: 220, EHLO/HELO, MAIL, RCPT, DATA … ".", RSET, NOOP, QUIT; no
// STARTTLS, no AUTH. Accepts every message.
class SmtpSink final : public Sink {
 public:
  explicit SmtpSink(int threads) { Listen(threads); }
  ~SmtpSink() override { Stop(); }

 private:
  void Serve(int fd) override {
    Reader in(fd);
    if (!WriteAll(fd, "220 storm-sink ESMTP\r\n")) return;
    std::string line;
    std::vector<std::string> rcpts;
    while (in.Line(&line)) {
      const std::string verb = Lower(line.substr(0, 4));
      std::string reply = "250 2.0.0 OK\r\n";
      if (verb == "ehlo") {
        reply = "250-storm-sink\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n";
      } else if (verb == "helo") {
        reply = "250 storm-sink\r\n";
      } else if (verb == "mail") {
        rcpts.clear();
      } else if (verb == "rcpt") {
        const size_t open = line.find('<');
        const size_t close = line.find('>', open == std::string::npos ? 0 : open);
        if (open == std::string::npos || close == std::string::npos) {
          reply = "501 5.1.3 bad address\r\n";
        } else {
          rcpts.push_back(line.substr(open + 1, close - open - 1));
        }
      } else if (verb == "data") {
        if (rcpts.empty()) {
          reply = "503 5.5.1 no recipient\r\n";
        } else {
          if (!WriteAll(fd, "354 end with <CRLF>.<CRLF>\r\n")) return;
          std::string message;
          while (true) {
            if (!in.Line(&line)) return;
            if (line == ".") break;
            if (!line.empty() && line[0] == '.') line.erase(0, 1);  // Dot-stuffing.
            message += line;
            message += '\n';
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(g_carrier_delay_ms.load()));
          if (!WriteAll(fd, "250 2.0.0 queued\r\n")) return;
          const auto at = Steady::now();
          Accept(at, rcpts, message);
          rcpts.clear();
          continue;
        }
      } else if (verb == "rset") {
        rcpts.clear();
      } else if (verb == "noop") {
      } else if (verb == "quit") {
        WriteAll(fd, "221 2.0.0 bye\r\n");
        return;
      } else {
        reply = "502 5.5.2 not implemented\r\n";
      }
      if (!WriteAll(fd, reply)) return;
    }
  }

  void Accept(Steady::time_point at, const std::vector<std::string>& rcpts,
              const std::string& message) {
    const size_t head_end = message.find("\n\n");
    const std::string_view head(message.data(), std::min(head_end, message.size()));
    Arrival a;
    a.at = at;
    // Header names are case-insensitive; Tocsin writes "Message-ID:" and "Subject:".
    const std::string lower_head = Lower(std::string(head));
    const size_t mid = lower_head.find("\nmessage-id:");
    if (mid != std::string::npos) {
      const size_t end = head.find('\n', mid + 1);
      a.id = std::string(head.substr(mid + 12, end - mid - 12));
      a.id.erase(0, a.id.find_first_not_of(' '));
    }
    const size_t subject = lower_head.find("\nsubject:");
    if (subject != std::string::npos) {
      a.storm = StormIndex(head.substr(subject, head.find('\n', subject + 1) - subject));
    }
    // Quoted-printable soft line breaks would split the code.
    std::string text = message;
    for (size_t p; (p = text.find("=\n")) != std::string::npos;) text.erase(p, 2);
    a.activation = DigitsAfter(text, "activation code is ", 6);
    for (const std::string& r : rcpts) {
      a.to = r;
      Record(a);
    }
  }
};

// (b) Twilio: POST /2010-04-01/Accounts/{sid}/Messages.json with a form body,
// answered 201 {"sid":"SM<32 hex>","status":"queued"}; keep-alive.
class TwilioSink final : public Sink {
 public:
  explicit TwilioSink(int threads) { Listen(threads); }
  ~TwilioSink() override { Stop(); }

 private:
  void Serve(int fd) override {
    Reader in(fd);
    std::string line;
    while (in.Line(&line)) {
      if (line.empty()) continue;
      const size_t sp1 = line.find(' ');
      const size_t sp2 = line.find(' ', sp1 + 1);
      if (sp1 == std::string::npos || sp2 == std::string::npos) return;
      const std::string method = line.substr(0, sp1);
      const std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
      size_t length = 0;
      bool close = false;
      bool expect_continue = false;
      while (in.Line(&line) && !line.empty()) {
        const size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        const std::string name = Lower(line.substr(0, colon));
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        if (name == "content-length") length = std::strtoul(value.c_str(), nullptr, 10);
        if (name == "connection" && Lower(value) == "close") close = true;
        if (name == "expect" && Lower(value) == "100-continue") expect_continue = true;
      }
      if (expect_continue && !WriteAll(fd, "HTTP/1.1 100 Continue\r\n\r\n")) return;
      std::string body;
      if (!in.Bytes(length, &body)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(g_carrier_delay_ms.load()));
      const auto at = Steady::now();
      const std::string path = std::string("/2010-04-01/Accounts/") + kSid + "/Messages.json";
      int status = 201;
      std::string reply;
      auto form = notify::FormDecode(body);
      if (method != "POST" || target != path || !form.ok()) {
        status = 404;
        reply = R"({"code":20404,"message":"not found","status":404})";
      } else {
        Arrival a;
        a.at = at;
        std::string text;
        for (const auto& [k, v] : *form) {
          if (k == "To") a.to = v;
          if (k == "Body") text = v;
        }
        char sid[40];
        std::snprintf(sid, sizeof sid, "SM%016llx%016llx", kSidSalt,
                      static_cast<unsigned long long>(next_sid_.fetch_add(1)));
        a.id = sid;
        a.storm = StormIndex(text);
        a.activation = DigitsAfter(text, "activation code is ", 6);
        reply = Json{{"sid", a.id}, {"status", "queued"}, {"to", a.to}}.dump();
        Record(std::move(a));
      }
      const std::string head =
          "HTTP/1.1 " + std::to_string(status) + (status == 201 ? " Created" : " Not Found") +
          "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(reply.size()) +
          (close ? "\r\nConnection: close" : "") + "\r\n\r\n";
      if (!WriteAll(fd, head + reply) || close) return;
    }
  }

  static constexpr unsigned long long kSidSalt = 0x5713a0b1c2d3e4f5ULL;
  std::atomic<unsigned long long> next_sid_{1};
};

// --- A keep-alive HTTP/1.1 client for the Tocsin API (one per thread) -----------

struct ApiResponse {
  int status = 0;  // 0: no response.
  std::string body;
  Json json() const {
    auto j = Json::parse(body, nullptr, false);
    return j.is_discarded() ? Json::object() : j;
  }
};

class ApiClient {
 public:
  explicit ApiClient(uint16_t port) : port_(port) {}
  ~ApiClient() { Close(); }
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // Never retried: a POST that reached the server must not be sent twice.
  ApiResponse Call(const std::string& method, const std::string& target,
                   const std::string& body = "") {
    if (fd_ < 0 && !Connect()) return {};
    std::string req =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kKey +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    ApiResponse r;
    if (!WriteAll(fd_, req) || !ReadResponse(&r)) {
      Close();
      return {};
    }
    return r;
  }
  ApiResponse Post(const std::string& target, const Json& body) {
    return Call("POST", target, body.dump());
  }

 private:
  bool Connect() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port_);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      Close();
      return false;
    }
    NoDelay(fd_);
    reader_ = std::make_unique<Reader>(fd_);
    return true;
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    reader_.reset();
  }

  bool ReadResponse(ApiResponse* r) {
    std::string line;
    if (!reader_->Line(&line) || line.size() < 12) return false;
    r->status = std::atoi(line.c_str() + 9);
    size_t length = 0;
    bool chunked = false;
    bool close = false;
    while (reader_->Line(&line) && !line.empty()) {
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      const std::string name = Lower(line.substr(0, colon));
      std::string value = Lower(line.substr(colon + 1));
      value.erase(0, value.find_first_not_of(' '));
      if (name == "content-length") length = std::strtoul(value.c_str(), nullptr, 10);
      if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) chunked = true;
      if (name == "connection" && value == "close") close = true;
    }
    if (chunked) {
      while (true) {
        if (!reader_->Line(&line)) return false;
        const size_t n = std::strtoul(line.c_str(), nullptr, 16);
        if (n == 0) {
          while (reader_->Line(&line) && !line.empty()) {
          }
          break;
        }
        std::string part;
        if (!reader_->Bytes(n, &part) || !reader_->Line(&line)) return false;
        r->body += part;
      }
    } else if (!reader_->Bytes(length, &r->body)) {
      return false;
    }
    if (close) Close();
    return true;
  }

  uint16_t port_;
  int fd_ = -1;
  std::unique_ptr<Reader> reader_;
};

uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// --- The database, read-only ---------------------------------------------------

struct DbCounts {
  std::map<std::string, long long> pages;     // By state.
  long long first_pages = 0;                  // stage 0, pass 0, attempt 1.
  long long outbox_in_flight = 0;             // QUEUED or SENDING.
  long long ledger = 0;                       // Ledger entries.
  std::map<std::string, long long> timeline;  // Timeline entries by type.
  long long in_flight() const {
    auto get = [&](const char* s) {
      auto it = pages.find(s);
      return it == pages.end() ? 0LL : it->second;
    };
    return get("QUEUED") + get("SENDING") + outbox_in_flight;
  }
};

DbCounts ReadDb(const std::string& path, bool full = false) {
  DbCounts out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    Die("cannot open the database read-only");
  }
  sqlite3_busy_timeout(db, 5000);
  auto each = [&](const char* sql, const std::function<void(sqlite3_stmt*)>& row) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
      Die(std::string("sqlite: ") + sqlite3_errmsg(db));
    }
    while (sqlite3_step(st) == SQLITE_ROW) row(st);
    sqlite3_finalize(st);
  };
  each("SELECT state, COUNT(*) FROM pages GROUP BY state", [&](sqlite3_stmt* st) {
    out.pages[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] =
        sqlite3_column_int64(st, 1);
  });
  each("SELECT COUNT(*) FROM pages WHERE stage = 0 AND pass = 0 AND attempt = 1",
       [&](sqlite3_stmt* st) { out.first_pages = sqlite3_column_int64(st, 0); });
  each("SELECT COUNT(*) FROM outbox WHERE state IN ('QUEUED', 'SENDING')",
       [&](sqlite3_stmt* st) { out.outbox_in_flight = sqlite3_column_int64(st, 0); });
  if (full) {
    each("SELECT COUNT(*) FROM ledger",
         [&](sqlite3_stmt* st) { out.ledger = sqlite3_column_int64(st, 0); });
    each("SELECT event_type, COUNT(*) FROM timeline GROUP BY event_type", [&](sqlite3_stmt* st) {
      out.timeline[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] =
          sqlite3_column_int64(st, 1);
    });
  }
  sqlite3_close(db);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int workers = argc > 2 ? std::atoi(argv[2]) : 8;
  const int connections = argc > 3 ? std::atoi(argv[3]) : 16;
  const int carrier_delay_ms = argc > 4 ? std::atoi(argv[4]) : 0;
  if (n <= 0 || workers <= 0 || connections <= 0 || carrier_delay_ms < 0) {
    Die("usage: tocsin_alert_storm_bench [incidents=1000] [workers=8] [connections=16] "
        "[carrier_delay_ms=0]");
  }
  std::string loadavg;
  std::getline(std::ifstream("/proc/loadavg"), loadavg);
  Check(InitLogging({"warn", false}), "logging");

  // More sink threads than could ever talk to a sink at once (page and outbox
  // workers, the activation sender, the probes).
  const int sink_threads = std::max(32, workers + 16);
  SmtpSink smtp(sink_threads);
  TwilioSink twilio(sink_threads);
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tocsin-alert-storm-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string db_path = (dir / "storm.db").string();

  app::Config config;
  config.store.path = db_path;
  config.server.host = "127.0.0.1";
  config.server.port = FreePort();  // Named in publicUrl (Twilio's StatusCallback).
  config.server.access_log = false;
  config.log = {"warn", false};
  config.api.public_url = "http://127.0.0.1:" + std::to_string(config.server.port);
  config.notify_driver = "carriers";
  config.notify_workers = workers;
  // notify_per_number_interval stays at its default (1 minute): first pages are exempt.
  config.carriers.allow = {"127.0.0.1/32"};
  config.carriers.smtp.url = "smtp://127.0.0.1:" + std::to_string(smtp.port());
  config.carriers.smtp.from = "Tocsin <pager@example.com>";
  config.carriers.smtp.starttls = notify::StartTls::kNever;
  config.carriers.sms = {"twilio"};
  config.carriers.twilio.account_sid = kSid;
  config.carriers.twilio.auth_token = kAuthToken;
  config.carriers.twilio.from = "+15005550006";
  config.carriers.twilio.api_url = "http://127.0.0.1:" + std::to_string(twilio.port());
  config.bootstrap_key = kKey;

  const std::vector<int> tids_before_create = Tids();
  auto created = app::App::Create(config);
  Check(created.status(), "app");
  std::unique_ptr<app::App> app = std::move(*created);
  const std::vector<int> tids_after_create = Tids();
  app->Start();
  const std::vector<int> tids_after_start = Tids();

  // 1. Set-up through the API, as a user would.
  ApiClient api(app->port());
  std::vector<std::string> aliases;
  for (int p = 0; p < kPeople; ++p) {
    const std::string alias = "storm-person-" + std::string(1, static_cast<char>('a' + p));
    aliases.push_back(alias);
    auto c = api.Post("/api/v1/contacts", {{"alias", alias}});
    if (c.status != 201) Die("create contact: " + std::to_string(c.status) + " " + c.body);
    const std::string email = alias + "@example.com";
    const std::string phone = "+1555555010" + std::to_string(p);
    for (const auto& [type, address, sink] :
         {std::tuple<std::string, std::string, Sink*>{"EMAIL", email, &smtp},
          std::tuple<std::string, std::string, Sink*>{"SMS", phone, &twilio}}) {
      auto ch = api.Post("/api/v1/contacts/" + alias + "/channels",
                         {{"name", Lower(type)}, {"type", type}, {"deliveryAddress", address}});
      if (ch.status != 201) Die("create channel: " + std::to_string(ch.status) + " " + ch.body);
      const std::string code = sink->WaitActivation(address);
      if (code.empty()) Die("no activation code reached the sink for " + address);
      auto act = api.Post("/api/v1/channels/" + ch.json()["id"].get<std::string>() + "/activate",
                          {{"code", code}});
      if (act.status != 200) Die("activate: " + std::to_string(act.status) + " " + act.body);
    }
  }
  auto plan =
      api.Post("/api/v1/response-plans", {{"name", "storm"},
                                          {"incidentTemplate", {{"title", "storm"}, {"impact", 2}}},
                                          {"engagements", aliases}});
  if (plan.status != 201) Die("create plan: " + std::to_string(plan.status) + " " + plan.body);

  // 2. Isolated costs, one at a time: a durable write, an SMTP send, a Twilio send.
  std::vector<double> write_ms;
  for (int i = 0; i < 200; ++i) {
    const auto t0 = Steady::now();
    Check(app->store().WriteSync([i](store::WriteTxn& t) {
      return t.PutMeta("storm_bench_probe", std::to_string(i));
    }),
          "probe write");
    write_ms.push_back(Ms(Steady::now() - t0));
  }
  std::vector<double> smtp_ms;
  std::vector<double> sms_ms;
  {
    auto mailer = notify::NewSmtpMailer(config.carriers.smtp);
    Check(mailer.status(), "mailer");
    net::OutboundPolicy policy;
    policy.allow = config.carriers.allow;
    auto http = net::NewGuardedHttpClient(policy);
    Check(http.status(), "http client");
    auto carrier = notify::NewTwilioCarrier("twilio", config.carriers.twilio, **http);
    Check(carrier.status(), "twilio carrier");
    for (int i = 0; i < 200; ++i) {
      notify::MailMessage m;
      m.to = "probe@example.com";
      m.subject = "probe";
      m.text = "probe " + std::to_string(i);
      auto t0 = Steady::now();
      Check((*mailer)->Send(m).status(), "probe mail");
      smtp_ms.push_back(Ms(Steady::now() - t0));
      notify::CarrierMessage s;
      s.message_id = "probe-" + std::to_string(i);
      s.to = "+15555550999";
      s.text = "probe";
      t0 = Steady::now();
      Check((*carrier)->Send(s).status(), "probe sms");
      sms_ms.push_back(Ms(Steady::now() - t0));
    }
  }

  const DbCounts db_before = ReadDb(db_path, true);

  // 3. The storm.
  g_carrier_delay_ms = carrier_delay_ms;
  const size_t expected = static_cast<size_t>(n) * kPeople * kChannelsPerPerson;
  std::vector<Steady::time_point> sent_at(static_cast<size_t>(n));
  std::vector<Steady::time_point> answered_at(static_cast<size_t>(n));
  std::vector<int> status(static_cast<size_t>(n), 0);
  std::atomic<int> next{0};
  const std::map<int, Sched> sched0 = SchedAll();
  const double cpu0 = ProcessCpuSeconds();
  const auto storm0 = Steady::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < connections; ++c) {
    clients.emplace_back([&] {
      {
        ApiClient client(app->port());
        while (true) {
          const int i = next.fetch_add(1);
          if (i >= n) break;
          char title[32];
          std::snprintf(title, sizeof title, "storm-%06d", i);
          const std::string body = Json{{"responsePlan", "storm"}, {"title", title}}.dump();
          const auto k = static_cast<size_t>(i);
          sent_at[k] = Steady::now();
          auto r = client.Call("POST", "/api/v1/incidents", body);
          answered_at[k] = Steady::now();
          status[k] = r.status;
        }
      }
      AddOwnSched(&g_client_sched);
    });
  }
  for (auto& t : clients) t.join();
  const auto ingest_done = Steady::now();
  const std::map<int, Sched> sched_ingest = SchedAll();
  const auto deadline = Steady::now() + std::chrono::seconds(120 + n / 10);
  while (smtp.storm_count() + twilio.storm_count() < expected && Steady::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const auto handed_all = Steady::now();
  // The outbox: every page's outcome recorded, nothing QUEUED or SENDING.
  DbCounts db;
  Steady::time_point drained_at{};
  while (Steady::now() < deadline + std::chrono::seconds(30)) {
    db = ReadDb(db_path);
    if (db.in_flight() == 0) {
      drained_at = Steady::now();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double cpu1 = ProcessCpuSeconds();
  const std::map<int, Sched> sched1 = SchedAll();
  const auto window_end = drained_at == Steady::time_point{} ? handed_all : drained_at;
  // Carrier conversations in flight, averaged over the storm (sink's view:
  // connection accepted → closed), and how long one took.
  double carrier_busy_s = 0;
  std::vector<double> smtp_session_ms;
  std::vector<double> sms_session_ms;
  for (auto* sessions : {&smtp_session_ms, &sms_session_ms}) {
    for (const auto& [from, to] :
         sessions == &smtp_session_ms ? smtp.Sessions() : twilio.Sessions()) {
      if (to < storm0 || from > window_end) continue;
      sessions->push_back(Ms(to - from));
      carrier_busy_s += Ms(std::min(to, window_end) - std::max(from, storm0)) / 1000;
    }
  }
  // Anything late (a duplicate) would arrive now.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const DbCounts db_final = ReadDb(db_path, true);

  // 4. Per page: first arrival at a sink of (incident, person, channel).
  std::map<std::string, Steady::time_point> first;  // "E|to|incident" → arrival
  size_t storm_msgs = 0;
  size_t unexpected = 0;
  std::vector<double> email_ms;
  std::vector<double> sms_page_ms;
  Steady::time_point last_arrival = storm0;
  std::set<std::string> message_ids;
  size_t email_id_dups = 0;
  for (const auto& [tag, sink] :
       {std::pair<char, Sink*>{'E', &smtp}, std::pair<char, Sink*>{'S', &twilio}}) {
    for (const Arrival& a : sink->Arrivals()) {
      if (a.storm < 0) {
        if (a.activation.empty() && a.to != "probe@example.com" && a.to != "+15555550999") {
          ++unexpected;
        }
        continue;
      }
      ++storm_msgs;
      if (a.storm >= n) {
        ++unexpected;
        continue;
      }
      if (tag == 'E' && !message_ids.insert(a.id).second) ++email_id_dups;
      const std::string key = std::string(1, tag) + "|" + a.to + "|" + std::to_string(a.storm);
      if (!first.emplace(key, a.at).second) continue;
      const double ms = Ms(a.at - sent_at[static_cast<size_t>(a.storm)]);
      (tag == 'E' ? email_ms : sms_page_ms).push_back(ms);
      last_arrival = std::max(last_arrival, a.at);
    }
  }
  const size_t duplicates = storm_msgs - first.size();
  std::vector<double> all_ms = email_ms;
  all_ms.insert(all_ms.end(), sms_page_ms.begin(), sms_page_ms.end());
  // Per incident: its last of six pages; and the time after its 201.
  std::vector<double> incident_ms(static_cast<size_t>(n), 0);
  std::vector<double> after_201_ms;
  std::vector<int> pages_of(static_cast<size_t>(n), 0);
  for (const auto& [key, at] : first) {
    const auto k = static_cast<size_t>(std::atoi(key.substr(key.rfind('|') + 1).c_str()));
    incident_ms[k] = std::max(incident_ms[k], Ms(at - sent_at[k]));
    after_201_ms.push_back(Ms(at - answered_at[k]));
    ++pages_of[k];
  }
  std::vector<double> complete_incident_ms;
  for (size_t k = 0; k < incident_ms.size(); ++k) {
    if (pages_of[k] == kPeople * kChannelsPerPerson) complete_incident_ms.push_back(incident_ms[k]);
  }
  std::vector<double> post_ms;
  int non_201 = 0;
  for (size_t k = 0; k < sent_at.size(); ++k) {
    post_ms.push_back(Ms(answered_at[k] - sent_at[k]));
    if (status[k] != 201) ++non_201;
  }
  // Handover time by position in the storm: the first and the last tenth of incidents.
  auto decile = [&](bool last) {
    std::vector<double> v;
    const size_t tenth = std::max<size_t>(1, static_cast<size_t>(n) / 10);
    for (const auto& [key, at] : first) {
      const auto k = static_cast<size_t>(std::atoi(key.substr(key.rfind('|') + 1).c_str()));
      if (last ? k >= static_cast<size_t>(n) - tenth : k < tenth) v.push_back(Ms(at - sent_at[k]));
    }
    return v;
  };
  const std::vector<double> first_tenth = decile(false);
  const std::vector<double> last_tenth = decile(true);

  const double storm_s = Ms(last_arrival - storm0) / 1000;
  const double ingest_s = Ms(ingest_done - storm0) / 1000;
  std::vector<double> arrivals_sorted;
  for (const auto& [key, at] : first) arrivals_sorted.push_back(Ms(at - storm0));
  std::sort(arrivals_sorted.begin(), arrivals_sorted.end());
  const double first_handover_s = arrivals_sorted.empty() ? 0 : arrivals_sorted.front() / 1000;
  // Delivery rate while incidents were still being started, and after.
  const auto during_ingest = static_cast<size_t>(
      std::upper_bound(arrivals_sorted.begin(), arrivals_sorted.end(), ingest_s * 1000) -
      arrivals_sorted.begin());
  const double after_ingest_s = std::max(1e-9, storm_s - ingest_s);
  const double per_type = static_cast<double>(expected) / 2;
  const double goalert_s = per_type / (5.0 / 5.0);  // 5 messages per 5 s per message type.

  // 5. Thread groups, told apart by creation order (thread ids grow): App::Create
  // makes [activation sender, WAL checkpointer, store writer, then others such
  // as the ledger stream]; App::Start makes [scheduler, page delivery workers…,
  // others such as the outbox dispatcher's workers, HTTP I/O thread].
  auto delta = [&](int tid) {
    auto a = sched0.find(tid);
    auto b = sched1.find(tid);
    if (a == sched0.end() || b == sched1.end()) return Sched{};
    return b->second - a->second;
  };
  std::vector<int> made_by_create;
  std::set_difference(tids_after_create.begin(), tids_after_create.end(),
                      tids_before_create.begin(), tids_before_create.end(),
                      std::back_inserter(made_by_create));
  std::vector<int> made_by_start;
  std::set_difference(tids_after_start.begin(), tids_after_start.end(), tids_after_create.begin(),
                      tids_after_create.end(), std::back_inserter(made_by_start));
  const auto w = static_cast<size_t>(workers);
  std::vector<std::pair<std::string, Sched>> groups;
  std::string writer_split;
  if (made_by_create.size() >= 3 && made_by_start.size() >= w + 2) {
    groups.push_back({"store writer thread", delta(made_by_create[2])});
    const int writer = made_by_create[2];
    const double during = sched_ingest.at(writer).cpu_s - sched0.at(writer).cpu_s;
    const double after = sched1.at(writer).cpu_s - sched_ingest.at(writer).cpu_s;
    const auto pages_after = static_cast<double>(first.size() - during_ingest);
    const double per_page = after / std::max(1.0, pages_after);
    char buf[640];
    if (pages_after >= 1000) {
      std::snprintf(
          buf, sizeof buf,
          "Store writer CPU: %.2f s while the incidents were being started (%d incidents, %zu "
          "pages delivered), %.2f s after (%.0f pages delivered, nothing else to do): %.3f ms "
          "per page delivered (its claim and its outcome), so ≈ %.3f ms per incident start "
          "(with its engagements, pages and stage jobs).\n\n",
          during, n, during_ingest, after, pages_after, per_page * 1000,
          (during - per_page * static_cast<double>(during_ingest)) / n * 1000);
    } else {
      std::snprintf(buf, sizeof buf,
                    "Store writer CPU: %.2f s while the incidents were being started (%d "
                    "incidents, %zu pages delivered), %.2f s after (%.0f pages: too few to tell "
                    "the cost of a page from that of an incident).\n\n",
                    during, n, during_ingest, after, pages_after);
    }
    writer_split = buf;
    groups.push_back({"WAL checkpoint thread", delta(made_by_create[1])});
    groups.push_back({"activation sender thread", delta(made_by_create[0])});
    groups.push_back({"scheduler thread", delta(made_by_start[0])});
    Sched delivery;
    for (size_t i = 1; i <= w; ++i) delivery += delta(made_by_start[i]);
    groups.push_back({"page delivery workers (" + std::to_string(workers) + ", sum)", delivery});
    groups.push_back({"HTTP server I/O thread", delta(made_by_start.back())});
    Sched other;
    for (size_t i = 3; i < made_by_create.size(); ++i) other += delta(made_by_create[i]);
    for (size_t i = w + 1; i + 1 < made_by_start.size(); ++i) other += delta(made_by_start[i]);
    groups.push_back({"other Tocsin threads (" +
                          std::to_string(made_by_create.size() - 3 + made_by_start.size() - w - 2) +
                          ": ledger stream, outbox dispatcher…)",
                      other});
  } else {
    Sched all;
    for (int tid : made_by_create) all += delta(tid);
    for (int tid : made_by_start) all += delta(tid);
    groups.push_back({"Tocsin threads (unlabelled: " + std::to_string(made_by_create.size()) +
                          " made by Create, " + std::to_string(made_by_start.size()) + " by Start)",
                      all});
  }
  Sched sinks;
  {
    std::lock_guard<std::mutex> lock(g_sink_tids_mu);
    for (int tid : g_sink_tids) sinks += delta(tid);
  }
  groups.push_back(
      {"carrier sinks (2 × " + std::to_string(sink_threads) + " threads, sum)", sinks});
  groups.push_back({"bench main thread", delta(static_cast<int>(::getpid()))});
  groups.push_back(
      {"storm HTTP clients (" + std::to_string(connections) + ", sum)", g_client_sched});
  const double window_s = Ms(window_end - storm0) / 1000;

  app->Shutdown();
  smtp.Stop();
  twilio.Stop();
  std::filesystem::remove_all(dir);

  auto pages_in = [&](const char* s) {
    auto it = db_final.pages.find(s);
    return it == db_final.pages.end() ? 0LL : it->second;
  };
  std::printf(
      "Alert storm: %d incidents × %d people × %d channels (EMAIL via SMTP, SMS via Twilio "
      "REST) = %zu first pages; %d delivery workers; %d client connections; "
      "notify.perNumberInterval at its default (1 min; first pages are exempt); carrier "
      "delay %d ms. Load average before the run: %s.\n\n",
      n, kPeople, kChannelsPerPerson, expected, workers, connections, carrier_delay_ms,
      loadavg.c_str());
  std::printf("| measure | value | target |\n|---|---|---|\n");
  std::printf(
      "| durable write baseline p50 / p99 (PutMeta through the store) | %.2f / %.2f ms | |\n",
      Percentile(write_ms, .5), Percentile(write_ms, .99));
  std::printf("| one SMTP send, isolated, p50 / p99 (new connection each) | %.2f / %.2f ms | |\n",
              Percentile(smtp_ms, .5), Percentile(smtp_ms, .99));
  std::printf("| one Twilio send, isolated, p50 / p99 (new connection each) | %.2f / %.2f ms | |\n",
              Percentile(sms_ms, .5), Percentile(sms_ms, .99));
  std::printf(
      "| %d incident starts (POST, %d connections): all answered after | %.3f s (%.0f/s); POST "
      "p50 / p99 %.1f / %.1f ms; non-201: %d | |\n",
      n, connections, ingest_s, n / std::max(1e-9, ingest_s), Percentile(post_ms, .5),
      Percentile(post_ms, .99), non_201);
  std::printf("| first pages handed to a carrier | %zu of %zu | all |\n", first.size(), expected);
  std::printf(
      "| **handover time** (start request sent → sink accepted) p50 / p90 / p99 / max | "
      "%.0f / %.0f / %.0f / %.0f ms | p99 ≤ 1,000 ms: **%s** |\n",
      Percentile(all_ms, .5), Percentile(all_ms, .9), Percentile(all_ms, .99),
      all_ms.empty() ? 0.0 : *std::max_element(all_ms.begin(), all_ms.end()),
      first.size() == expected && Percentile(all_ms, .99) <= 1000 ? "met" : "not met");
  std::printf("| handover time, email / SMS, p50 / p99 | %.0f / %.0f ms, %.0f / %.0f ms | |\n",
              Percentile(email_ms, .5), Percentile(email_ms, .99), Percentile(sms_page_ms, .5),
              Percentile(sms_page_ms, .99));
  std::printf("| handover time of the first / last tenth of incidents, p50 | %.0f / %.0f ms | |\n",
              Percentile(first_tenth, .5), Percentile(last_tenth, .5));
  std::printf("| incident 201 → page handed over, p50 / p99 | %.0f / %.0f ms | |\n",
              Percentile(after_201_ms, .5), Percentile(after_201_ms, .99));
  std::printf(
      "| incident with all 6 pages handed over (its last page), p50 / p99 | %.0f / %.0f ms | |\n",
      Percentile(complete_incident_ms, .5), Percentile(complete_incident_ms, .99));
  std::printf(
      "| storm wall time: first start → last handover | %.2f s (first handover at %.3f s; %.0f "
      "pages/s) | |\n",
      storm_s, first_handover_s,
      static_cast<double>(first.size()) / std::max(1e-9, storm_s - first_handover_s));
  std::printf(
      "| pages handed over while incidents were being started / after the last 201 | %zu in "
      "%.2f s (%.0f/s) / %zu in %.2f s (%.0f/s) | |\n",
      during_ingest, ingest_s, static_cast<double>(during_ingest) / std::max(1e-9, ingest_s),
      first.size() - during_ingest, after_ingest_s,
      static_cast<double>(first.size() - during_ingest) / after_ingest_s);
  std::printf(
      "| GoAlert's global throttle (5 messages / 5 s per type): %.0f per type | %.0f s = %.0f "
      "min (%.0f× this storm's %.2f s) | |\n",
      per_type, goalert_s, goalert_s / 60, goalert_s / std::max(1e-9, storm_s), storm_s);
  std::printf(
      "| duplicates (same incident, person, channel twice at a sink) | %zu (repeated "
      "Message-IDs: %zu); other unexpected messages: %zu | 0 |\n",
      duplicates, email_id_dups, unexpected);
  std::printf(
      "| outbox drained (pages QUEUED or SENDING + outbox rows QUEUED or SENDING) | %s; "
      "pages: %lld SENT, %lld FAILED, %lld UNKNOWN, %lld first pages stored | 0 in flight |\n",
      drained_at == Steady::time_point{}
          ? ("**not drained**: " + std::to_string(db.in_flight()) + " in flight").c_str()
          : ("yes, " + std::to_string(static_cast<long long>(Ms(drained_at - handed_all))) +
             " ms after the last handover was seen")
                .c_str(),
      pages_in("SENT"), pages_in("FAILED"), pages_in("UNKNOWN"), db_final.first_pages);
  std::printf(
      "\nWhere the time went, storm start → outbox drained (%.2f s wall, 2 cores = %.2f "
      "core-s; process CPU %.2f s):\n\n",
      window_s, 2 * window_s, cpu1 - cpu0);
  std::printf(
      "Carrier conversations in flight (sink's view, connection accepted → closed), averaged "
      "over that window: %.2f of %d delivery workers. One conversation under load, p50 / p99: "
      "SMTP %.1f / %.1f ms (%zu), Twilio %.1f / %.1f ms (%zu).\n\n",
      carrier_busy_s / std::max(1e-9, window_s), workers, Percentile(smtp_session_ms, .5),
      Percentile(smtp_session_ms, .99), smtp_session_ms.size(), Percentile(sms_session_ms, .5),
      Percentile(sms_session_ms, .99), sms_session_ms.size());
  std::printf("%s", writer_split.c_str());
  std::printf("Written during the storm: %lld ledger entries (%.1f per incident); timeline:",
              db_final.ledger - db_before.ledger,
              static_cast<double>(db_final.ledger - db_before.ledger) / n);
  for (const auto& [type, count] : db_final.timeline) {
    auto before = db_before.timeline.find(type);
    const long long d = count - (before == db_before.timeline.end() ? 0 : before->second);
    if (d > 0) std::printf(" %s %lld;", type.c_str(), d);
  }
  std::printf("\n\n");
  std::printf("| threads | on CPU | waiting for a CPU (run queue) |\n|---|---|---|\n");
  double accounted = 0;
  for (const auto& [name, s] : groups) {
    std::printf("| %s | %.2f s (%.0f %% of wall) | %.2f s |\n", name.c_str(), s.cpu_s,
                100 * s.cpu_s / std::max(1e-9, window_s), s.wait_s);
    accounted += s.cpu_s;
  }
  std::printf("| rest of the process CPU (thread start/exit, threads that ended) | %.2f s | |\n",
              cpu1 - cpu0 - accounted);
  return 0;
}
