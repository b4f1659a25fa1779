// tocsin_ingest_bench: ingestion of Alertmanager webhooks (the events issue,
// item 9), next to Alertmanager's own ingestion measured in the same run.
//
//  1. Alerts: `distinct` alerts (default 2,000) in groups of `per_payload`
//     (10) sharing an alertname, like Alertmanager's group_by: [alertname];
//     fingerprints computed as Alertmanager does (FNV-1a over the sorted
//     label set), startsAt fixed, as Prometheus re-sends them.
//  2. The sequence of payloads (default 20,000 = 200,000 alerts): every
//     group once first (new incidents), then groups drawn at random
//     (re-sent firing alerts: dedupe hits, 99 % of all alerts by default).
//  3. Tocsin: an app::App in-process (real SQLite file, WAL, synchronous=FULL)
//     with one response plan without engagements and one alertmanager
//     integration; each payload is a webhook v4 body POSTed to the
//     integration's ingest URL.
//  4. Baseline: Debian's prometheus-alertmanager (null receiver, its default
//     route: group_wait 30 s, so it notifies nothing during the run) started
//     on loopback; each payload's alerts are POSTed as one v2 array to
//     /api/v2/alerts.
//
// Both are driven the same way: `connections` keep-alive HTTP/1.1
// connections (default 16), closed loop (a connection sends its next payload
// when the previous one is answered), every request prebuilt. With 2 or more
// CPUs, the server under test (Tocsin's threads, or the Alertmanager process)
// runs on CPU 0 and the clients on CPU 1, as bench/run_all.sh pins server and
// wrk. Prints Markdown: alerts/s, p50/p99 per request, the server's CPU time,
// the ratio Tocsin/Alertmanager, and Tocsin's outcome counts (from its 202
// answers), which must be exactly `distinct` started and the rest
// deduplicated.
//
// Usage: tocsin_ingest_bench [payloads=20000] [connections=16] [distinct=2000]
//                            [per_payload=10] [pin=1] [io_threads=1]
// (io_threads is Tocsin's server.ioThreads; its default is 1)
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "app/config.h"
#include "support/alertmanager.h"
#include "support/http_client.h"
#include "support/temp_dir.h"
#include "tocsin/core/log.h"
#include "tocsin/core/time.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

using namespace tocsin;  // NOLINT: a benchmark driver.
using Steady = std::chrono::steady_clock;
using Json = nlohmann::json;

namespace {

constexpr const char* kAdminKey = "tcn_ingest_bench_admin_key_0123456789abcdef";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "ingest_bench: %s\n", what.c_str());
  std::exit(1);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

std::string Thousands(double value) {
  std::string digits = std::to_string(static_cast<long long>(value + 0.5));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<size_t>(i), ",");
  }
  return digits;
}

void PinThisThread(size_t cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) Die("cannot pin a thread");
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double ProcessCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// utime + stime of another process, from /proc/PID/stat.
double ChildCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  // Fields after the command: state(3) ... utime(14) stime(15).
  std::vector<std::string> fields;
  size_t pos = close + 2;
  while (pos < stat.size() && fields.size() < 13) {
    const size_t space = stat.find(' ', pos);
    fields.push_back(stat.substr(pos, space - pos));
    pos = space == std::string::npos ? stat.size() : space + 1;
  }
  if (fields.size() < 13) return 0;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return (std::strtod(fields[11].c_str(), nullptr) + std::strtod(fields[12].c_str(), nullptr)) /
         ticks;
}

// --- The alerts --------------------------------------------------------------

// Alertmanager's fingerprint (prometheus/common model.LabelSet.Fingerprint):
// FNV-1a 64 over name, 0xff, value, 0xff of each label in name order, as 16
// hex digits. Checked against real payloads (tests/testdata/ingest).
std::string Fingerprint(const std::vector<std::pair<std::string, std::string>>& sorted_labels) {
  uint64_t h = 14695981039346656037ULL;
  auto add = [&h](std::string_view s) {
    for (const char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ULL;
    }
  };
  for (const auto& [name, value] : sorted_labels) {
    add(name);
    add("\xff");
    add(value);
    add("\xff");
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

constexpr const char* kAlertNames[] = {
    "DiskFull",       "HighLatency",     "InstanceDown",    "HighErrorRate",  "CertExpiringSoon",
    "MemoryPressure", "CPUThrottling",   "QueueBacklog",    "ReplicationLag", "TooManyRestarts",
    "NodeNotReady",   "PodCrashLooping", "ConnectionsHigh", "SlowQueries",    "BackupFailed",
    "ClockSkew",      "NetworkErrors",   "FileDescriptors", "InodesLow",      "TargetMissing"};

struct Group {
  std::string alertname;
  Json alerts = Json::array();  // Webhook form (with status and fingerprint).
  Json v2 = Json::array();      // POST /api/v2/alerts form.
};

std::vector<Group> MakeGroups(int distinct, int per_payload, const std::string& starts_at) {
  std::vector<Group> groups(static_cast<size_t>(distinct / per_payload));
  for (size_t g = 0; g < groups.size(); ++g) {
    Group& group = groups[g];
    group.alertname = kAlertNames[g % std::size(kAlertNames)];
    for (int k = 0; k < per_payload; ++k) {
      const size_t i = g * static_cast<size_t>(per_payload) + static_cast<size_t>(k);
      char host[64];
      std::snprintf(host, sizeof host, "host-%05zu.example.com", i);
      // Sorted by name, as the fingerprint needs.
      const std::vector<std::pair<std::string, std::string>> labels = {
          {"alertname", group.alertname},
          {"cluster", "prod-eu-" + std::to_string(1 + g % 3)},
          {"instance", std::string(host) + ":9100"},
          {"job", "node"},
          {"severity", i % 4 == 0 ? "critical" : "warning"}};
      Json label_json = Json::object();
      for (const auto& [name, value] : labels) label_json[name] = value;
      const Json annotations = {
          {"summary", group.alertname + " on " + host},
          {"description", group.alertname + " has been firing on " + host + " for 5 minutes."},
          {"runbook_url", "https://runbooks.example.com/" + group.alertname}};
      const std::string generator =
          "http://prometheus.example.com:9090/graph?g0.expr=" + group.alertname;
      group.alerts.push_back({{"status", "firing"},
                              {"labels", label_json},
                              {"annotations", annotations},
                              {"startsAt", starts_at},
                              {"endsAt", "0001-01-01T00:00:00Z"},
                              {"generatorURL", generator},
                              {"fingerprint", Fingerprint(labels)}});
      group.v2.push_back({{"labels", label_json},
                          {"annotations", annotations},
                          {"startsAt", starts_at},
                          {"generatorURL", generator}});
    }
  }
  return groups;
}

// A webhook v4 body as Alertmanager sends it for group_by: [alertname].
std::string WebhookBody(const Group& group) {
  Json common_labels = {{"alertname", group.alertname}, {"job", "node"}};
  Json body = {{"receiver", "tocsin"},
               {"status", "firing"},
               {"alerts", group.alerts},
               {"groupLabels", {{"alertname", group.alertname}}},
               {"commonLabels", common_labels},
               {"commonAnnotations", Json::object()},
               {"externalURL", "http://alertmanager.example.com:9093"},
               {"version", "4"},
               {"groupKey", "{}:{alertname=\"" + group.alertname + "\"}"},
               {"truncatedAlerts", 0}};
  return body.dump();
}

std::string PostRequest(const std::string& target, const std::string& body) {
  return "POST " + target +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: tocsin-ingest-bench\r\n"
         "Content-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Payload k's group: every group once, in order, then groups at random
// (splitmix64 of k, so the sequence is the same for both systems and runs).
size_t GroupOf(size_t k, size_t groups) {
  if (k < groups) return k;
  uint64_t z = k + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return static_cast<size_t>((z ^ (z >> 31)) % groups);
}

// --- A keep-alive HTTP/1.1 client on loopback ----------------------------------

class Connection {
 public:
  explicit Connection(uint16_t port) : port_(port) {}
  ~Connection() { Close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends a prebuilt request and reads the response; status 0 on failure.
  // Never retried: a POST that reached the server is not sent twice.
  int Exchange(const std::string& request, std::string* body) {
    if (fd_ < 0 && !Connect()) return 0;
    std::string_view out = request;
    while (!out.empty()) {
      const ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Fail();
      out.remove_prefix(static_cast<size_t>(n));
    }
    size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return Fail();
    }
    const std::string_view head(buf_.data(), head_end);
    if (head.size() < 12) return Fail();
    const int status = std::atoi(buf_.c_str() + 9);
    size_t length = 0;
    bool chunked = false;
    bool close = false;
    size_t line = head.find("\r\n");
    while (line != std::string_view::npos && line < head.size()) {
      const size_t next = head.find("\r\n", line + 2);
      std::string h(
          head.substr(line + 2, (next == std::string_view::npos ? head.size() : next) - line - 2));
      for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (h.rfind("content-length:", 0) == 0) length = std::strtoul(h.c_str() + 15, nullptr, 10);
      if (h.rfind("transfer-encoding:", 0) == 0 && h.find("chunked") != std::string::npos) {
        chunked = true;
      }
      if (h.rfind("connection:", 0) == 0 && h.find("close") != std::string::npos) close = true;
      line = next;
    }
    buf_.erase(0, head_end + 4);
    body->clear();
    if (chunked) {
      while (true) {
        size_t eol;
        while ((eol = buf_.find("\r\n")) == std::string::npos) {
          if (!Fill()) return Fail();
        }
        const size_t n = std::strtoul(buf_.c_str(), nullptr, 16);
        while (buf_.size() < eol + 2 + n + 2) {
          if (!Fill()) return Fail();
        }
        body->append(buf_, eol + 2, n);
        buf_.erase(0, eol + 2 + n + 2);
        if (n == 0) break;  // No trailers from either server.
      }
    } else {
      while (buf_.size() < length) {
        if (!Fill()) return Fail();
      }
      body->assign(buf_, 0, length);
      buf_.erase(0, length);
    }
    if (close) Close();
    return status;
  }

  int connects() const { return connects_; }

 private:
  bool Connect() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port_);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      Close();
      return false;
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ++connects_;
    return true;
  }
  bool Fill() {
    char tmp[16384];
    while (true) {
      const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buf_.append(tmp, static_cast<size_t>(n));
      return true;
    }
  }
  int Fail() {
    Close();
    return 0;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }

  uint16_t port_;
  int fd_ = -1;
  std::string buf_;
  int connects_ = 0;
};

// --- One closed-loop run ---------------------------------------------------------

struct RunResult {
  double wall_s = 0;
  std::vector<double> latency_ms;   // By payload index.
  std::vector<int> status;          // By payload index.
  std::vector<std::string> bodies;  // By payload index, when kept.
  double client_cpu_s = 0;          // CPU time of the client threads.
  int connects = 0;
  int non_2xx = 0;
};

// Sends payload k = requests[GroupOf(k)] for k in [0, payloads) over
// `connections` connections. Client threads run on `client_cpu` (-1: anywhere).
RunResult Drive(uint16_t port, const std::vector<std::string>& requests, size_t payloads,
                int connections, int client_cpu, bool keep_bodies) {
  RunResult r;
  r.latency_ms.assign(payloads, 0);
  r.status.assign(payloads, 0);
  if (keep_bodies) r.bodies.assign(payloads, "");
  std::atomic<size_t> next{0};
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<double> cpu(static_cast<size_t>(connections), 0);
  std::vector<int> connects(static_cast<size_t>(connections), 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      if (client_cpu >= 0) PinThisThread(static_cast<size_t>(client_cpu));
      Connection conn(port);
      std::string body;
      ready.fetch_add(1);
      while (!go.load()) std::this_thread::yield();
      const double cpu_start = ThreadCpuSeconds();
      for (size_t k; (k = next.fetch_add(1)) < payloads;) {
        const auto start = Steady::now();
        const int status = conn.Exchange(requests[GroupOf(k, requests.size())], &body);
        r.latency_ms[k] = std::chrono::duration<double, std::milli>(Steady::now() - start).count();
        r.status[k] = status;
        if (keep_bodies) r.bodies[k] = body;
      }
      cpu[static_cast<size_t>(t)] = ThreadCpuSeconds() - cpu_start;
      connects[static_cast<size_t>(t)] = conn.connects();
    });
  }
  while (ready.load() < connections) std::this_thread::yield();
  const auto start = Steady::now();
  go.store(true);
  for (auto& th : threads) th.join();
  r.wall_s = std::chrono::duration<double>(Steady::now() - start).count();
  for (double c : cpu) r.client_cpu_s += c;
  for (int c : connects) r.connects += c;
  for (int s : r.status) r.non_2xx += (s < 200 || s > 299) ? 1 : 0;
  return r;
}

struct Row {
  std::string name;
  RunResult run;
  double server_cpu_s = 0;
  size_t alerts = 0;
  double alerts_per_s() const { return static_cast<double>(alerts) / run.wall_s; }
};

void PrintRow(const Row& row) {
  std::printf("| %s | **%s** | %s | %.2f | %.2f | %.1f | %.1f | %d | %d |\n", row.name.c_str(),
              Thousands(row.alerts_per_s()).c_str(),
              Thousands(static_cast<double>(row.run.status.size()) / row.run.wall_s).c_str(),
              Percentile(row.run.latency_ms, 0.50), Percentile(row.run.latency_ms, 0.99),
              row.run.wall_s, row.server_cpu_s, row.run.non_2xx, row.run.connects);
}

// A small blocking API client for the set-up (one request per connection).
Json Call(uint16_t port, const std::string& method, const std::string& target, const Json& body,
          int expect) {
  Connection conn(port);
  const std::string payload = body.dump();
  const std::string request =
      method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kAdminKey +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(payload.size()) +
      "\r\n\r\n" + payload;
  std::string out;
  const int status = conn.Exchange(request, &out);
  if (status != expect) {
    Die(method + " " + target + ": " + std::to_string(status) + " " + out);
  }
  Json j = Json::parse(out, nullptr, false);
  return j.is_discarded() ? Json::object() : j;
}

}  // namespace

int main(int argc, char** argv) {
  const long payloads_arg = argc > 1 ? std::atol(argv[1]) : 20000;
  const int connections = argc > 2 ? std::atoi(argv[2]) : 16;
  const int distinct_arg = argc > 3 ? std::atoi(argv[3]) : 2000;
  const int per_payload = argc > 4 ? std::atoi(argv[4]) : 10;
  const bool pin_arg = argc > 5 ? std::atoi(argv[5]) != 0 : true;
  const int io_threads = argc > 6 ? std::atoi(argv[6]) : 1;
  if (payloads_arg <= 0 || connections <= 0 || per_payload <= 0 || distinct_arg < per_payload ||
      payloads_arg < distinct_arg / per_payload || io_threads <= 0) {
    Die("usage: tocsin_ingest_bench [payloads=20000] [connections=16] [distinct=2000] "
        "[per_payload=10] [pin=1] [io_threads=1]  (payloads >= distinct/per_payload)");
  }
  const size_t payloads = static_cast<size_t>(payloads_arg);
  const int distinct = distinct_arg / per_payload * per_payload;  // Whole groups.
  const unsigned cpus = std::thread::hardware_concurrency();
  const bool pin = pin_arg && cpus >= 2;
  const int server_cpu = pin ? 0 : -1;
  const int client_cpu = pin ? 1 : -1;
  std::string loadavg;
  std::getline(std::ifstream("/proc/loadavg"), loadavg);
  if (!InitLogging({"warn", false}).ok()) Die("logging");

  // Alerts and requests, built before anything is timed.
  const std::string starts_at = FormatRfc3339(std::chrono::time_point_cast<Millis>(
      std::chrono::system_clock::now() - std::chrono::minutes(10)));
  const std::vector<Group> groups = MakeGroups(distinct, per_payload, starts_at);
  const size_t alerts = payloads * static_cast<size_t>(per_payload);

  // Threads created from here on (Tocsin's, Alertmanager) inherit CPU 0.
  if (pin) PinThisThread(static_cast<size_t>(server_cpu));

  // --- Tocsin ---
  test::TempDir dir;
  if (dir.path().empty()) Die("no temporary directory");
  app::Config config;
  config.store.path = dir.File("ingest.db");
  config.server.host = "127.0.0.1";
  config.server.port = 0;
  config.server.access_log = false;
  config.server.io_threads = io_threads;
  config.log = {"warn", false};
  config.bootstrap_key = kAdminKey;
  auto created = app::App::Create(config);
  if (!created.ok()) Die("app: " + created.status().ToString());
  std::unique_ptr<app::App> app = std::move(*created);
  app->Start();
  const uint16_t port = app->port();
  Call(port, "POST", "/api/v1/response-plans",
       {{"name", "bench-alerts"}, {"incidentTemplate", {{"title", "Alert"}, {"impact", 3}}}}, 201);
  const Json integration = Call(port, "POST", "/api/v1/integrations",
                                {{"type", "alertmanager"},
                                 {"name", "bench-am"},
                                 {"responsePlan", "bench-alerts"},
                                 {"autoResolve", true}},
                                201);
  const std::string ingest_target =
      "/api/v1/ingest/" + integration.value("ingestKey", std::string("missing"));
  std::vector<std::string> tocsin_requests;
  for (const Group& g : groups)
    tocsin_requests.push_back(PostRequest(ingest_target, WebhookBody(g)));

  const double tocsin_cpu_before = ProcessCpuSeconds();
  Row tocsin{"Tocsin `POST /api/v1/ingest/{key}` (webhook v4)",
             Drive(port, tocsin_requests, payloads, connections, client_cpu, true)};
  tocsin.server_cpu_s = ProcessCpuSeconds() - tocsin_cpu_before - tocsin.run.client_cpu_s;
  tocsin.alerts = alerts;
  app->Shutdown();
  app.reset();

  // Outcomes from the 202 answers.
  long long started = 0;
  long long deduplicated = 0;
  long long other = 0;
  long long bad_bodies = 0;
  std::vector<double> first_ms;
  std::vector<double> replay_ms;
  for (size_t k = 0; k < payloads; ++k) {
    (k < groups.size() ? first_ms : replay_ms).push_back(tocsin.run.latency_ms[k]);
    const Json j = Json::parse(tocsin.run.bodies[k], nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      ++bad_bodies;
      continue;
    }
    started += j.value("started", 0);
    deduplicated += j.value("deduplicated", 0);
    for (const char* key : {"resolved", "annotated", "dropped"}) other += j.value(key, 0);
  }

  // --- Alertmanager ---
  std::optional<Row> am_row;
  std::string am_note;
  long long held = 0;
  {
    test::Alertmanager am;
    const std::string am_config = "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n";
    if (!am.Start(am_config)) {
      am_note = "Alertmanager did not start: " + am.error();
    } else {
      std::vector<std::string> am_requests;
      for (const Group& g : groups)
        am_requests.push_back(PostRequest("/api/v2/alerts", g.v2.dump()));
      const double am_cpu_before = ChildCpuSeconds(am.pid());
      Row row{"Alertmanager 0.25 `POST /api/v2/alerts` (baseline)",
              Drive(am.port(), am_requests, payloads, connections, client_cpu, false)};
      row.server_cpu_s = ChildCpuSeconds(am.pid()) - am_cpu_before;
      row.alerts = alerts;
      // Every alert it took, each once: GET /api/v2/alerts lists them.
      const test::HttpResult listed = test::HttpClient(am.port()).Get("/api/v2/alerts");
      const Json list = Json::parse(listed.body, nullptr, false);
      held = list.is_array() ? static_cast<long long>(list.size()) : -1;
      am_note = "Alertmanager holds " + Thousands(static_cast<double>(held)) +
                " alerts after the run (expected " + Thousands(distinct) + ").";
      am_row = std::move(row);
    }
  }

  // --- Report ---
  std::printf("## Ingest: Alertmanager webhooks, %d alerts per payload\n\n", per_payload);
  std::printf(
      "%s payloads = %s alerts (%s distinct, first fired once each, then re-sent), "
      "%d keep-alive connections, closed loop; %u CPUs, %s; Tocsin server.ioThreads=%d; load "
      "average before: %s.\n\n",
      Thousands(static_cast<double>(payloads)).c_str(),
      Thousands(static_cast<double>(alerts)).c_str(), Thousands(distinct).c_str(), connections,
      cpus, pin ? "server on CPU 0, clients on CPU 1" : "not pinned", io_threads, loadavg.c_str());
  std::printf(
      "| ingest path | alerts/s | payloads/s | p50 ms | p99 ms | wall s | server CPU s | "
      "non-2xx | connections opened |\n|---|---|---|---|---|---|---|---|---|\n");
  PrintRow(tocsin);
  if (am_row) PrintRow(*am_row);
  std::printf("\n");
  if (am_row) {
    std::printf(
        "Ratio Tocsin / Alertmanager: **%.2f×** (target ≥ 1×); Tocsin target ≥ 20,000 "
        "alerts/s: **%s**.\n",
        tocsin.alerts_per_s() / am_row->alerts_per_s(),
        tocsin.alerts_per_s() >= 20000 ? "met" : "not met");
  } else {
    std::printf("No baseline: %s\n", am_note.c_str());
  }
  std::printf(
      "\nTocsin's answers: %s started, %s deduplicated (%.1f %% of all alerts), %lld "
      "other outcomes, %lld unreadable bodies (expected: %s started, the rest "
      "deduplicated, 0, 0).\n",
      Thousands(static_cast<double>(started)).c_str(),
      Thousands(static_cast<double>(deduplicated)).c_str(),
      100.0 * static_cast<double>(deduplicated) / static_cast<double>(alerts), other, bad_bodies,
      Thousands(distinct).c_str());
  std::printf(
      "Tocsin latency: first-fire payloads (new incidents, durable) p50 %.2f / p99 %.2f "
      "ms; re-sent payloads (dedupe hits) p50 %.2f / p99 %.2f ms. Client threads used "
      "%.1f CPU s.\n",
      Percentile(first_ms, 0.5), Percentile(first_ms, 0.99), Percentile(replay_ms, 0.5),
      Percentile(replay_ms, 0.99), tocsin.run.client_cpu_s);
  if (am_row) std::printf("%s\n", am_note.c_str());
  std::printf("Request bodies (the same alerts): webhook v4 %zu bytes, v2 array %zu bytes.\n",
              WebhookBody(groups[0]).size(), groups[0].v2.dump().size());
  const bool ok = tocsin.run.non_2xx == 0 && started == distinct &&
                  deduplicated == static_cast<long long>(alerts) - distinct && other == 0 &&
                  bad_bodies == 0 && (!am_row || (am_row->run.non_2xx == 0 && held == distinct));
  if (!ok) std::printf("\n**CHECK FAILED**: see the counts above.\n");
  return ok ? 0 : 1;
}
