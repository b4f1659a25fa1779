// Fuzz target: HTTP request handling: raw bytes parsed as one HTTP/1.1 request
// by Beast's parser with the server's limits, then dispatched through the real
// Router and every Api handler (include/tocsin/http/router.h,
// include/tocsin/api/api.h, src/api/*) over a real SQLite store.
//
// Input: byte 0 chooses the credential added to the request (unless the
// request carries its own Authorization header): none, the bootstrap admin key,
// or a viewer key, so that most routes are reachable past authentication. The
// rest is the request as it arrives on the socket.
//
// The steps of src/http/server.cc's Session between the socket and the handler
// (header limit, 431/400/413 decisions, Content-Length and Transfer-Encoding
// checks, the route's body limit, query parsing, percent-decoding, lower-cased
// header names, OPTIONS/404/405) are mirrored here: the server does them in an
// unnamed namespace on its connection object, which cannot run without a
// socket. Keep them in step with server.cc.
//
// One store per process (a temporary directory, created in
// LLVMFuzzerInitialize): writes go through the store's writer thread, so the
// database accumulates what earlier inputs created and an input's outcome can
// depend on them (a crash found here may need the inputs before it to
// reproduce; libFuzzer's -runs over the crash file alone usually suffices).
// Outbound HTTP (SNS confirmations) fails at once; GET /api/v1/ledger/verify
// answers 503 (no database path is given, so no per-input full verification).
//
// Asserts, beyond memory safety and no uncaught exception:
//  - every dispatched request gets exactly one reply within 10 seconds;
//  - replies have a status of 200..599 and never 500 (an internal error on a
//    client's request is a bug);
//  - a JSON reply body is valid JSON.
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "fakes/fake_clock.h"
#include "fuzz_check.h"
#include "tocsin/api/api.h"
#include "tocsin/crypto/password.h"
#include "tocsin/domain/account_service.h"
#include "tocsin/domain/api_key_service.h"
#include "tocsin/domain/contact_service.h"
#include "tocsin/domain/engagement_service.h"
#include "tocsin/domain/incident_service.h"
#include "tocsin/domain/ledger_service.h"
#include "tocsin/domain/outbox_service.h"
#include "tocsin/domain/plan_service.h"
#include "tocsin/http/message.h"
#include "tocsin/http/router.h"
#include "tocsin/ingest/ingest_service.h"
#include "tocsin/ledger/signing_key.h"
#include "tocsin/net/http_client.h"
#include "tocsin/notify/announcer.h"
#include "tocsin/notify/notifier.h"
#include "tocsin/store/store.h"

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace domain = tocsin::domain;
namespace http = tocsin::http;
using tocsin::Status;
using tocsin::fuzz::Check;

constexpr char kAdminToken[] = "tcn_fuzz_admin_token_0123456789";
constexpr size_t kHeaderLimit = 8192;  // http::ServerOptions::header_limit's default.

class NullNotifier final : public tocsin::notify::Notifier {
 public:
  void SendActivationCode(const domain::Channel&, const std::string&) override {}
  tocsin::Result<tocsin::notify::Handover> SendPage(const tocsin::notify::PageMessage&) override {
    return tocsin::Unavailable("the fuzzer delivers nothing");
  }
};

class NoHttpClient final : public tocsin::net::HttpClient {
 public:
  tocsin::Result<tocsin::net::HttpResponse> Send(const tocsin::net::HttpRequest&) override {
    return tocsin::Unavailable("the fuzzer makes no outbound requests");
  }
};

class DroppedStream final : public http::StreamWriter {
 public:
  bool Write(std::string) override { return false; }
  void Close() override {}
};

// Everything App::Create wires for the Api, minus the server, scheduler and delivery
// threads. Never destroyed (the store's writer thread runs until exit).
struct World {
  std::filesystem::path dir;
  tocsin::test::FakeClock clock;
  NullNotifier notifier;
  NoHttpClient http_client;
  tocsin::Metrics metrics;
  std::unique_ptr<tocsin::store::Store> store;
  std::unique_ptr<domain::ContactService> contacts;
  std::unique_ptr<domain::ApiKeyService> api_keys;
  std::unique_ptr<domain::AccountService> accounts;
  std::unique_ptr<domain::PlanService> plans;
  std::unique_ptr<domain::IncidentService> incidents;
  std::unique_ptr<domain::LedgerService> ledger;
  std::unique_ptr<domain::EngagementService> engagements;
  std::unique_ptr<domain::OutboxService> outbox;
  std::unique_ptr<tocsin::notify::Announcer> announcer;
  std::unique_ptr<tocsin::ingest::IngestService> ingest;
  std::unique_ptr<tocsin::api::Api> api;
  http::Router router;
  std::string viewer_token;
};

World* g_world = nullptr;

void RemoveDir() {
  if (g_world != nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(g_world->dir, ec);
  }
}

void Build(World& w) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr ? tmp : "/tmp") + "/tocsin-http-fuzz-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  Check(mkdtemp(buf.data()) != nullptr, "create a temporary directory");
  w.dir = buf.data();
  std::atexit(RemoveDir);

  tocsin::store::StoreOptions options;
  options.path = (w.dir / "tocsin.db").string();
  options.reader_connections = 2;
  options.synchronous_full = false;
  auto store = tocsin::store::OpenSqliteStore(options, w.clock);
  Check(store.ok(), "open the store");
  w.store = std::move(*store);

  w.contacts = std::make_unique<domain::ContactService>(w.notifier);
  w.api_keys = std::make_unique<domain::ApiKeyService>();
  // The cheapest scrypt work factor: logins must not dominate the run.
  w.accounts = std::make_unique<domain::AccountService>(domain::SessionOptions{},
                                                        tocsin::crypto::ScryptParams{10, 1, 1});
  w.plans = std::make_unique<domain::PlanService>();
  w.incidents = std::make_unique<domain::IncidentService>("000000000000");
  auto key = tocsin::ledger::SigningKey::FromPrivateKeyBytes(std::string(32, 'f'));
  Check(key.ok(), "ledger key");
  w.ledger = std::make_unique<domain::LedgerService>(std::move(*key), "tocsin/fuzz");
  w.engagements = std::make_unique<domain::EngagementService>(*w.plans);
  w.incidents->AddObserver(w.engagements.get());
  w.outbox = std::make_unique<domain::OutboxService>();
  w.outbox->SetListener([](const std::string&, tocsin::TimePoint) {});
  w.announcer = std::make_unique<tocsin::notify::Announcer>(
      *w.outbox, tocsin::notify::AnnouncerOptions{"http://127.0.0.1:8080", true});
  w.incidents->AddObserver(w.announcer.get());
  w.engagements->SetListeners({[](int64_t, tocsin::TimePoint) {}, [](const domain::Page&) {}});
  w.ingest = std::make_unique<tocsin::ingest::IngestService>(*w.incidents, *w.engagements);
  w.ingest->SetJobListener([](int64_t, tocsin::TimePoint) {});

  Status s = w.store->WriteSync([&](tocsin::store::WriteTxn& txn) {
    auto admin = w.api_keys->Bootstrap(txn, std::string(kAdminToken));
    if (!admin.ok()) return admin.status();
    auto viewer = w.api_keys->Create(txn, domain::SystemPrincipal(), "fuzz-viewer",
                                     domain::Role::kViewer, std::nullopt);
    if (!viewer.ok()) return viewer.status();
    w.viewer_token = viewer->token;
    return Status::Ok();
  });
  Check(s.ok(), "create the API keys");

  tocsin::api::Services services;
  services.store = w.store.get();
  services.clock = &w.clock;
  services.contacts = w.contacts.get();
  services.api_keys = w.api_keys.get();
  services.accounts = w.accounts.get();
  services.plans = w.plans.get();
  services.incidents = w.incidents.get();
  services.ledger = w.ledger.get();
  services.engagements = w.engagements.get();
  services.outbox = w.outbox.get();
  services.ingest = w.ingest.get();
  services.metrics = &w.metrics;
  services.http = &w.http_client;
  tocsin::api::ApiConfig config;
  config.stream_heartbeat = std::chrono::hours(1);
  w.api = std::make_unique<tocsin::api::Api>(config, services);
  w.api->RegisterRoutes(w.router);
}

void CheckResponse(const http::Response& r) {
  Check(r.status >= 200 && r.status <= 599, "a reply has a final status");
  Check(r.status != 500, "no internal error on a client's request");
  if (r.content_type == "application/json" && !r.body.empty()) {
    Check(nlohmann::json::accept(r.body), "a JSON reply is valid JSON");
  }
  if (r.stream) r.stream(std::make_shared<DroppedStream>());
}

// Runs the handler for a parsed request and waits for its reply.
void Dispatch(World& w, bhttp::request<bhttp::string_body>& req, const std::string& target,
              uint8_t credential) {
  http::Request request;
  request.method = std::string(req.method_string());
  request.target = target;
  request.request_id = "fuzz";
  request.remote_address = "127.0.0.1";
  const auto q = target.find('?');
  const auto raw_path = std::string_view(target).substr(0, q);
  auto path = http::PercentDecode(raw_path);
  auto query =
      http::ParseQuery(q == std::string::npos ? "" : std::string_view(target).substr(q + 1));
  if (!path || !query) return;  // 400
  request.path = std::move(*path);
  request.query = std::move(*query);
  bool has_authorization = false;
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "authorization") has_authorization = true;
    request.headers.push_back({std::move(name), std::string(field.value())});
  }
  if (!has_authorization && credential % 3 != 0) {
    request.headers.push_back(
        {"authorization",
         "Bearer " + (credential % 3 == 1 ? std::string(kAdminToken) : w.viewer_token)});
  }
  request.body = std::move(req.body());

  http::Router::Match match = w.router.Find(request.method, raw_path);
  if (match.outcome != http::Router::Outcome::kFound) {
    Check(request.method == "OPTIONS" || match.outcome == http::Router::Outcome::kNotFound ||
              !match.allow.empty(),
          "a 405 lists the allowed methods");
    return;  // 204 (OPTIONS), 404 or 405.
  }
  Check(match.route != nullptr, "a found route has a handler");
  if (request.method == "OPTIONS") return;
  request.params = std::move(match.params);

  auto promise = std::make_shared<std::promise<http::Response>>();
  auto replied = std::make_shared<std::atomic<int>>(0);
  std::future<http::Response> reply_future = promise->get_future();
  http::Reply reply([promise, replied](http::Response response) {
    Check(replied->fetch_add(1) == 0, "a handler replies once");
    promise->set_value(std::move(response));
  });
  match.route->handler(request, std::move(reply));
  Check(reply_future.wait_for(std::chrono::seconds(10)) == std::future_status::ready,
        "the handler replies within 10 s");
  CheckResponse(reply_future.get());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  g_world = new World();
  Build(*g_world);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  World& w = *g_world;
  const uint8_t credential = data[0];
  const auto bytes = boost::asio::const_buffer(data + 1, size - 1);

  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(kHeaderLimit));
  parser.body_limit(boost::none);
  parser.eager(false);
  beast::error_code ec;
  size_t used = 0;
  // The header first, as the server reads it (async_read_header).
  while (!parser.is_header_done()) {
    const size_t n = parser.put(boost::asio::buffer(bytes + used), ec);
    used += n;
    if (ec == bhttp::error::need_more && used >= bytes.size()) return 0;  // Timeout.
    if (ec && ec != bhttp::error::need_more) return 0;                    // 431 or 400.
    ec = {};
    if (n == 0 && !parser.is_header_done()) return 0;
  }
  const auto& header = parser.get();
  if (header.count(bhttp::field::content_length) > 1) return 0;  // 400
  if (header.count(bhttp::field::content_length) > 0 &&
      header.count(bhttp::field::transfer_encoding) > 0) {
    return 0;  // 400
  }
  const std::string method(header.method_string());
  const std::string target(header.target());
  if (target.empty() || target[0] != '/') return 0;  // 400
  const auto raw_path = std::string_view(target).substr(0, target.find('?'));
  const size_t limit = w.router.BodyLimit(method, raw_path);
  if (auto cl = parser.content_length(); cl && *cl > limit) return 0;  // 413
  parser.body_limit(limit);
  parser.eager(true);
  while (!parser.is_done()) {
    const size_t n = parser.put(boost::asio::buffer(bytes + used), ec);
    used += n;
    if (ec == bhttp::error::need_more && used >= bytes.size()) {
      // The client closed after what it sent: only a body delimited by EOF ends here.
      ec = {};
      parser.put_eof(ec);
      if (ec || !parser.is_done()) return 0;
      break;
    }
    if (ec && ec != bhttp::error::need_more) return 0;  // 413 or 400.
    ec = {};
    if (n == 0 && !parser.is_done()) return 0;
  }
  Dispatch(w, parser.get(), target, credential);
  return 0;
}
