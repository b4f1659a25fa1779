// The REST API (/api/v1 and the health endpoints): JSON ⇄ domain, auth, and
// the single route table that says which roles may call what.
//
// Api registers its routes on an http::Router. Handlers decode and validate on
// the I/O thread, run mutations as store write functions (replying only after
// the commit is durable) and render responses on an I/O thread.
//
// Thread-safety: after RegisterRoutes, all methods are safe from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tocsin/core/clock.h"
#include "tocsin/core/metrics.h"
#include "tocsin/domain/account_service.h"
#include "tocsin/domain/api_key_service.h"
#include "tocsin/domain/contact_service.h"
#include "tocsin/domain/engagement_service.h"
#include "tocsin/domain/incident_service.h"
#include "tocsin/domain/ledger_service.h"
#include "tocsin/domain/outbox_service.h"
#include "tocsin/domain/plan_service.h"
#include "tocsin/domain/principal.h"
#include "tocsin/http/router.h"
#include "tocsin/ingest/ingest_service.h"
#include "tocsin/net/http_client.h"
#include "tocsin/store/store.h"

namespace tocsin::api {

struct ApiConfig {
  std::string aws_region = "us-east-1";         // Region part of ssm-contacts ARNs.
  std::string aws_account_id = "000000000000";  // 12 digits, the account part of ARNs.
  std::string public_url = "http://127.0.0.1:8080";
  // Validates X-Twilio-Signature on /hooks/twilio/*; empty: those routes 404.
  std::string twilio_auth_token;
  // Live streams (GET /api/v1/stream): the heartbeat period, the most open
  // streams, and the backlog bytes one stream connection sends before it ends
  // so that the client resumes with Last-Event-ID (keep it under the HTTP
  // server's stream_queue_limit: a backlog is queued faster than it drains).
  std::chrono::milliseconds stream_heartbeat{15'000};
  size_t max_streams = 1000;
  size_t stream_catch_up_bytes = 512 * 1024;
  // The dashboard: served from this directory when set (development), else
  // from the copy embedded in the binary.
  std::string web_dir;
};

// Which credentials a route accepts. Sessions are the dashboard's (a cookie
// plus X-CSRF-Token on changes), API keys everyone else's.
enum class AuthMode { kKeyOrSession, kKeyOnly, kSessionOnly };
const char* AuthModeName(AuthMode mode);  // "key or session", "key", "session"

// The collaborators handlers use. Not owned; all must outlive the Api.
struct Services {
  store::Store* store = nullptr;
  Clock* clock = nullptr;
  domain::ContactService* contacts = nullptr;
  domain::ApiKeyService* api_keys = nullptr;
  const domain::AccountService* accounts = nullptr;
  domain::PlanService* plans = nullptr;
  domain::IncidentService* incidents = nullptr;
  const domain::LedgerService* ledger = nullptr;
  domain::EngagementService* engagements = nullptr;
  domain::OutboxService* outbox = nullptr;
  ingest::IngestService* ingest = nullptr;
  Metrics* metrics = nullptr;
  // Outbound requests handlers make (confirming SNS subscriptions), guarded
  // like every other outbound request.
  net::HttpClient* http = nullptr;
  // The database file, for GET /api/v1/ledger/verify (store::VerifyLedgerFile
  // opens it read-only on connections of its own). Empty: that route answers 503.
  std::string db_path;
};

// One row of the route table, for the auth-matrix test and documentation.
struct RouteInfo {
  std::string method;
  std::string pattern;
  std::set<domain::Role> roles;  // Empty: public.
  std::string credential{};      // Public routes with a credential of their own ("ingest key").
  AuthMode auth = AuthMode::kKeyOrSession;
};

class Api {
 public:
  Api(ApiConfig config, Services services);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Adds every route to `router`.
  void RegisterRoutes(http::Router& router);

  // Returns the route table (method, pattern, allowed roles).
  std::vector<RouteInfo> RouteTable() const;

  // Hands committed ledger entries (in seq order) to the live streams. Meant
  // for the store's ledger listener: runs on the writer thread, never blocks.
  void PublishLedger(const std::vector<domain::TimelineEvent>& entries);

  // Ends every live stream (each client gets the end of its response) and
  // stops their heartbeats; later stream requests get 503. Also refuses new
  // ledger verifications (503) and blocks until a running one (which cannot be
  // cancelled) has replied and its thread is joined, and finishes background
  // handler work (SNS confirmations). Call before the HTTP
  // server shuts down, which otherwise waits for the streams. Idempotent.
  void StopStreams();

  // Makes every later ledger verification call `hook` on its worker thread
  // before it reads the database (tests hold a verification running with it).
  void SetBeforeLedgerVerifyForTest(std::function<void()> hook);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tocsin::api
