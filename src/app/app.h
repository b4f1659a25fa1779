// App: the composition root. Builds the store, services, API and HTTP server
// from a Config, and owns their start-up and shutdown order. The only place
// that constructs concrete implementations.
//
// Integration tests create an App in-process (port 0, temp database, fake
// clock, recording notifier); main() creates one for `tocsin serve`.
#pragma once

#include <memory>
#include <optional>

#include "app/config.h"
#include "tocsin/api/api.h"
#include "tocsin/core/clock.h"
#include "tocsin/core/metrics.h"
#include "tocsin/domain/api_key_service.h"
#include "tocsin/domain/contact_service.h"
#include "tocsin/domain/engagement_service.h"
#include "tocsin/domain/incident_service.h"
#include "tocsin/domain/ledger_service.h"
#include "tocsin/domain/plan_service.h"
#include "tocsin/http/router.h"
#include "tocsin/http/server.h"
#include "tocsin/ingest/ingest_service.h"
#include "tocsin/net/http_client.h"
#include "tocsin/notify/announcer.h"
#include "tocsin/notify/notifier.h"
#include "tocsin/notify/outbox_dispatcher.h"
#include "tocsin/notify/page_dispatcher.h"
#include "tocsin/scheduler/scheduler.h"
#include "tocsin/store/store.h"

namespace tocsin::app {

// Test seams; production leaves them null and gets the real ones.
struct Overrides {
  Clock* clock = nullptr;                // Default: SystemClock().
  notify::Notifier* notifier = nullptr;  // Default: per config (notify.driver).
  // Record steps of the wall clock in the ledger. Off for fake clocks, which
  // "step" whenever a test moves them.
  bool watch_clock_steps = true;
};

class App {
 public:
  // Opens the store (migrating it), creates the bootstrap key on a fresh
  // database, and binds the listener. Does not start serving.
  static Result<std::unique_ptr<App>> Create(const Config& config, Overrides overrides = {});
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Starts the scheduler, the delivery thread and the I/O threads.
  void Start();
  // Graceful stop: stop accepting, finish in-flight requests, then drain and
  // close the store. Idempotent.
  void Shutdown();

  uint16_t port() const { return server_->port(); }
  // The admin key created on this start (fresh database only).
  const std::optional<domain::NewApiKey>& bootstrap_key() const { return bootstrap_key_; }
  // The password of the "admin" dashboard user made on a fresh installation
  // (with the bootstrap key, when dashboard.bootstrapAdmin is true).
  const std::optional<std::string>& bootstrap_password() const { return bootstrap_password_; }
  store::Store& store() { return *store_; }
  const domain::LedgerService& ledger() const { return *ledger_; }
  const api::Api& api() const { return *api_; }
  scheduler::Scheduler& scheduler() { return *scheduler_; }
  notify::PageDispatcher& dispatcher() { return *dispatcher_; }

  // Blocks until the engine is quiet at the clock's current time: no job due
  // or in flight, no page waiting for delivery (tests with a fake clock).
  void WaitEngineIdle();

 private:
  App() = default;
  Status SetUpCarriers();
  Status SetUpLedger();
  Status SetUpEngine();

  Config config_;
  Clock* clock_ = nullptr;
  bool watch_clock_steps_ = true;
  std::unique_ptr<net::HttpClient> http_;  // Outlives the carriers that use it.
  std::unique_ptr<notify::Notifier> owned_notifier_;
  notify::Notifier* notifier_ = nullptr;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<domain::ContactService> contacts_;
  std::unique_ptr<domain::ApiKeyService> api_keys_;
  std::unique_ptr<domain::AccountService> accounts_;
  std::unique_ptr<domain::PlanService> plans_;
  std::unique_ptr<domain::IncidentService> incidents_;
  std::unique_ptr<domain::LedgerService> ledger_;
  std::unique_ptr<domain::EngagementService> engagements_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::unique_ptr<notify::PageDispatcher> dispatcher_;
  std::unique_ptr<domain::OutboxService> outbox_;
  std::unique_ptr<notify::Announcer> announcer_;
  std::unique_ptr<notify::OutboxDispatcher> outbox_dispatcher_;
  std::unique_ptr<ingest::IngestService> ingest_;
  Metrics metrics_;
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<http::Server> server_;
  std::optional<domain::NewApiKey> bootstrap_key_;
  std::optional<std::string> bootstrap_password_;
  bool shut_down_ = false;
};

}  // namespace tocsin::app
