#include "app/app.h"

#include <algorithm>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "tocsin/core/ids.h"
#include "tocsin/core/log.h"
#include "tocsin/net/outbound.h"
#include "tocsin/notify/carrier_notifier.h"

namespace tocsin::app {

Result<std::unique_ptr<App>> App::Create(const Config& config, Overrides overrides) {
  std::unique_ptr<App> app(new App());
  app->config_ = config;
  app->clock_ = overrides.clock != nullptr ? overrides.clock : &SystemClock();
  app->watch_clock_steps_ = overrides.watch_clock_steps;
  // Every outbound request (carriers, chat, webhooks) goes through the guard.
  {
    net::OutboundPolicy policy;
    policy.allow = config.carriers.allow;
    policy.total_timeout = config.carriers.http_timeout;
    policy.connect_timeout =
        std::min<Millis>(config.carriers.http_timeout, std::chrono::seconds(5));
    auto http = net::NewGuardedHttpClient(policy);
    if (!http.ok()) return http.status();
    app->http_ = std::move(*http);
  }
  if (overrides.notifier != nullptr) {
    app->notifier_ = overrides.notifier;
  } else if (config.notify_driver == "file") {
    if (config.notify_file.empty()) {
      return InvalidArgument("notify.file is required with notify.driver=file", "notify.file");
    }
    auto notifier = notify::NewFileNotifier(config.notify_file);
    if (!notifier.ok()) return notifier.status();
    app->owned_notifier_ = std::move(*notifier);
    app->notifier_ = app->owned_notifier_.get();
  } else if (config.notify_driver == "carriers") {
    TOCSIN_RETURN_IF_ERROR(app->SetUpCarriers());
  } else {
    app->owned_notifier_ = notify::NewLogNotifier();
    app->notifier_ = app->owned_notifier_.get();
  }

  auto store = store::OpenSqliteStore(config.store, *app->clock_);
  if (!store.ok()) return store.status();
  app->store_ = std::move(*store);

  app->contacts_ = std::make_unique<domain::ContactService>(*app->notifier_);
  app->api_keys_ = std::make_unique<domain::ApiKeyService>();
  app->accounts_ =
      std::make_unique<domain::AccountService>(config.sessions, config.password_params);
  app->plans_ = std::make_unique<domain::PlanService>();
  app->incidents_ = std::make_unique<domain::IncidentService>(config.api.aws_account_id);
  TOCSIN_RETURN_IF_ERROR(app->SetUpLedger());
  TOCSIN_RETURN_IF_ERROR(app->SetUpEngine());

  // A fresh installation gets an admin key, so that the API is usable at all.
  // So is the dashboard: a fresh installation also gets an "admin" user. Its
  // password is hashed inside the write only when it is made, so restarts pay
  // nothing; nothing else is waiting for the writer during start-up.
  std::optional<domain::NewApiKey> created;
  Status s = app->store_->WriteSync([&](store::WriteTxn& txn) {
    auto r = app->api_keys_->Bootstrap(txn, config.bootstrap_key);
    if (!r.ok()) return r.status();
    created = std::move(*r);
    // Not when `tocsin user add` made people before the first start.
    auto admins = txn.Accounts().CountAdminUsers();
    if (!admins.ok()) return admins.status();
    if (created && config.bootstrap_admin && *admins == 0 &&
        txn.Accounts().GetUser("admin").status().code() == StatusCode::kNotFound) {
      const std::string password = RandomToken(12);
      auto user =
          app->accounts_->CreateUser(txn, domain::SystemPrincipal(), "admin", domain::Role::kAdmin,
                                     app->accounts_->HashPassword(password));
      if (!user.ok()) return user.status();
      app->bootstrap_password_ = password;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  app->bootstrap_key_ = std::move(created);

  api::Services services;
  services.store = app->store_.get();
  services.clock = app->clock_;
  services.contacts = app->contacts_.get();
  services.api_keys = app->api_keys_.get();
  services.accounts = app->accounts_.get();
  services.plans = app->plans_.get();
  services.incidents = app->incidents_.get();
  services.ledger = app->ledger_.get();
  services.engagements = app->engagements_.get();
  services.outbox = app->outbox_.get();
  services.ingest = app->ingest_.get();
  services.metrics = &app->metrics_;
  services.http = app->http_.get();
  services.db_path = config.store.path;
  api::ApiConfig api_config = config.api;
  api_config.twilio_auth_token = config.carriers.twilio.auth_token;
  // A stream's backlog is queued faster than it drains: keep it within the
  // server's per-client queue.
  api_config.stream_catch_up_bytes =
      std::min(api_config.stream_catch_up_bytes, config.server.stream_queue_limit / 2);
  app->api_ = std::make_unique<api::Api>(api_config, services);
  app->router_ = std::make_unique<http::Router>();
  app->api_->RegisterRoutes(*app->router_);

  app->server_ = std::make_unique<http::Server>(config.server, *app->router_);
  TOCSIN_RETURN_IF_ERROR(app->server_->Listen());
  return app;
}

Status App::SetUpCarriers() {
  const CarrierConfig& cc = config_.carriers;

  notify::CarrierNotifierOptions options;
  options.public_url = config_.api.public_url;
  options.rate_per_second = cc.rate_per_second;
  options.clock = clock_;
  if (!cc.smtp.url.empty()) {
    notify::SmtpOptions smtp = cc.smtp;
    // A password never crosses the network in the clear: with credentials,
    // "auto" means the session must be upgraded (a stripped STARTTLS offer
    // fails the mail instead of downgrading it).
    if (!smtp.username.empty() && smtp.starttls == notify::StartTls::kAuto) {
      smtp.starttls = notify::StartTls::kRequired;
    }
    auto mailer = notify::NewSmtpMailer(smtp);
    if (!mailer.ok()) return mailer.status();
    options.mailer = std::move(*mailer);
  }
  auto make = [&](const std::string& kind) -> Result<std::unique_ptr<notify::Carrier>> {
    if (kind == "twilio") return notify::NewTwilioCarrier(kind, cc.twilio, *http_);
    if (kind == "webhook") return notify::NewWebhookCarrier(kind, cc.webhook, *http_);
    return notify::NewExecCarrier(kind, cc.exec);
  };
  for (const std::string& kind : cc.sms) {
    auto carrier = make(kind);
    if (!carrier.ok()) return carrier.status();
    options.sms.push_back(std::move(*carrier));
  }
  for (const std::string& kind : cc.voice) {
    auto carrier = make(kind);
    if (!carrier.ok()) return carrier.status();
    options.voice.push_back(std::move(*carrier));
  }
  if (!options.mailer && options.sms.empty() && options.voice.empty()) {
    return InvalidArgument(
        "notify.driver=carriers needs notify.smtp.url or notify.sms.carriers / "
        "notify.voice.carriers",
        "notify.driver");
  }
  spdlog::info("msg=\"delivery\" email={} sms={} voice={}", options.mailer ? "smtp" : "none",
               options.sms.size(), options.voice.size());
  owned_notifier_ = notify::NewCarrierNotifier(std::move(options));
  notifier_ = owned_notifier_.get();
  return Status::Ok();
}

Status App::SetUpLedger() {
  TOCSIN_RETURN_IF_ERROR(store_->WriteSync([this](store::WriteTxn& txn) {
    auto ledger = domain::OpenLedgerService(txn, config_.store.path, config_.ledger_key_file,
                                            config_.ledger_origin);
    if (!ledger.ok()) return ledger.status();
    ledger_ = std::move(*ledger);
    return Status::Ok();
  }));
  // Sign a checkpoint whenever the ledger crosses a multiple of kCheckpointEvery.
  // Live streams get every batch too. api_ is set later in Create(); the
  // writes before that (bootstrap) finish before it is set.
  store_->SetLedgerListener([this](const std::vector<domain::TimelineEvent>& entries) {
    if (api_) api_->PublishLedger(entries);
    const int64_t first = entries.front().seq;
    const int64_t last = entries.back().seq;
    if ((first - 1) / domain::kCheckpointEvery == last / domain::kCheckpointEvery) return;
    store_->Submit([this](store::WriteTxn& txn) { return ledger_->Checkpoint(txn).status(); },
                   [](Status s) {
                     if (!s.ok())
                       spdlog::warn("msg=\"checkpoint failed\" error={}", LogQuote(s.message()));
                   },
                   store::WritePriority::kEngine);
  });
  return Status::Ok();
}

Status App::SetUpEngine() {
  engagements_ = std::make_unique<domain::EngagementService>(*plans_);
  incidents_->AddObserver(engagements_.get());
  outbox_ = std::make_unique<domain::OutboxService>();
  announcer_ = std::make_unique<notify::Announcer>(
      *outbox_, notify::AnnouncerOptions{config_.api.public_url, config_.notify_chat_notes});
  incidents_->AddObserver(announcer_.get());
  outbox_dispatcher_ =
      std::make_unique<notify::OutboxDispatcher>(*store_, *outbox_, *http_, *notifier_, *clock_);
  outbox_->SetListener(
      [this](const std::string& id, TimePoint due) { outbox_dispatcher_->Enqueue(id, due); });
  scheduler_ = std::make_unique<scheduler::Scheduler>(*store_, *clock_);
  if (watch_clock_steps_) {
    scheduler_->SetClockStepListener([this](const ClockStep& step) {
      spdlog::warn("msg=\"wall clock stepped\" step_ms={} expected={} now={}", step.step.count(),
                   FormatRfc3339(step.before), FormatRfc3339(step.after));
      store_->Submit(
          [event = domain::ClockStepEvent(step)](store::WriteTxn& txn) {
            return txn.AppendTimeline(event).status();
          },
          [](const Status& s) {
            if (!s.ok()) {
              spdlog::error("msg=\"cannot record the clock step\" error={}", LogQuote(s.message()));
            }
          },
          store::WritePriority::kEngine);
    });
  }
  for (const char* kind : {domain::kStageJob, domain::kRetryJob}) {
    scheduler_->Register(kind, [this](store::WriteTxn& txn, const domain::Job& job) {
      return engagements_->RunJob(txn, job);
    });
  }
  ingest_ = std::make_unique<ingest::IngestService>(*incidents_, *engagements_);
  ingest_->SetJobListener([this](int64_t id, TimePoint due) { scheduler_->Add(id, due); });
  scheduler_->Register(ingest::kHeartbeatJob, [this](store::WriteTxn& txn, const domain::Job& job) {
    return ingest_->RunHeartbeatJob(txn, job);
  });
  notify::DispatcherOptions delivery;
  delivery.public_url = config_.api.public_url;
  delivery.workers = config_.notify_workers;
  delivery.per_number_interval = config_.notify_per_number_interval;
  dispatcher_ = std::make_unique<notify::PageDispatcher>(*store_, *engagements_, *notifier_,
                                                         *clock_, delivery);
  engagements_->SetListeners({
      [this](int64_t id, TimePoint due) { scheduler_->Add(id, due); },
      [this](const domain::Page& page) { dispatcher_->Enqueue(page); },
  });
  // Pages the last run left in flight: SENDING ones become UNKNOWN (never
  // resent), QUEUED ones are delivered; then every pending job is reloaded,
  // and what fell due while the server was down fires at once.
  std::vector<domain::Page> queued;
  TOCSIN_RETURN_IF_ERROR(store_->WriteSync([&](store::WriteTxn& txn) {
    auto r = engagements_->Recover(txn);
    if (!r.ok()) return r.status();
    queued = std::move(*r);
    return Status::Ok();
  }));
  for (const domain::Page& page : queued) dispatcher_->Enqueue(page);
  // Outbox messages in flight: machine ones are sent again (same
  // Idempotency-Key), a test page caught mid-send is UNKNOWN.
  std::vector<domain::OutboxMessage> outbox_pending;
  TOCSIN_RETURN_IF_ERROR(store_->WriteSync([&](store::WriteTxn& txn) {
    auto r = outbox_->Recover(txn);
    if (!r.ok()) return r.status();
    outbox_pending = std::move(*r);
    return Status::Ok();
  }));
  for (const auto& m : outbox_pending) outbox_dispatcher_->Enqueue(m.id, m.next_at);
  if (!queued.empty()) spdlog::info("msg=\"resuming page delivery\" pages={}", queued.size());
  return scheduler_->Load();
}

App::~App() { Shutdown(); }

void App::Start() {
  scheduler_->Start();
  dispatcher_->Start();
  outbox_dispatcher_->Start();
  server_->Start();
}

void App::WaitEngineIdle() {
  // A fired job may queue pages, and delivery never schedules jobs: two
  // quiet rounds in a row mean nothing is left to do at this instant.
  for (int quiet = 0; quiet < 2;) {
    const uint64_t before =
        dispatcher_->delivered() + scheduler_->Stats().fired + outbox_dispatcher_->delivered();
    scheduler_->WaitIdle();
    dispatcher_->WaitIdle();
    outbox_dispatcher_->WaitIdle();
    const uint64_t after =
        dispatcher_->delivered() + scheduler_->Stats().fired + outbox_dispatcher_->delivered();
    quiet = after == before ? quiet + 1 : 0;
  }
}

void App::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  // Order matters: requests in flight wait for their commits, so the store
  // must outlive the server's drain.
  // Streams end first: the server's drain would otherwise wait for them.
  if (api_) api_->StopStreams();
  if (server_) server_->Shutdown();
  // No new engine work: jobs in flight finish in the store; pages still
  // queued stay QUEUED in the database for the next start.
  if (scheduler_) scheduler_->Stop();
  if (dispatcher_) dispatcher_->Stop();
  if (outbox_dispatcher_) outbox_dispatcher_->Stop();
  if (store_ && ledger_) {
    // Leave a checkpoint of the final state for the next verification.
    Status s = store_->WriteSync(
        [this](store::WriteTxn& txn) { return ledger_->Checkpoint(txn).status(); });
    if (!s.ok()) spdlog::warn("msg=\"final checkpoint failed\" error={}", LogQuote(s.message()));
  }
  if (store_) store_->Shutdown();
}

}  // namespace tocsin::app
