#include "app/app.h"

#include <spdlog/spdlog.h>

namespace tocsin::app {

Result<std::unique_ptr<App>> App::Create(const Config& config, Overrides overrides) {
  std::unique_ptr<App> app(new App());
  app->config_ = config;
  app->clock_ = overrides.clock != nullptr ? overrides.clock : &SystemClock();
  if (overrides.notifier != nullptr) {
    app->notifier_ = overrides.notifier;
  } else {
    app->owned_notifier_ = notify::NewLogNotifier();
    app->notifier_ = app->owned_notifier_.get();
  }

  auto store = store::OpenSqliteStore(config.store, *app->clock_);
  if (!store.ok()) return store.status();
  app->store_ = std::move(*store);

  app->contacts_ = std::make_unique<domain::ContactService>(*app->notifier_);
  app->api_keys_ = std::make_unique<domain::ApiKeyService>();
  app->plans_ = std::make_unique<domain::PlanService>();

  // A fresh installation gets an admin key, so that the API is usable at all.
  std::optional<domain::NewApiKey> created;
  Status s = app->store_->WriteSync([&](store::WriteTxn& txn) {
    auto r = app->api_keys_->Bootstrap(txn, config.bootstrap_key);
    if (!r.ok()) return r.status();
    created = std::move(*r);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  app->bootstrap_key_ = std::move(created);

  api::Services services;
  services.store = app->store_.get();
  services.clock = app->clock_;
  services.contacts = app->contacts_.get();
  services.api_keys = app->api_keys_.get();
  services.plans = app->plans_.get();
  app->api_ = std::make_unique<api::Api>(config.api, services);
  app->router_ = std::make_unique<http::Router>();
  app->api_->RegisterRoutes(*app->router_);

  app->server_ = std::make_unique<http::Server>(config.server, *app->router_);
  TOCSIN_RETURN_IF_ERROR(app->server_->Listen());
  return app;
}

App::~App() { Shutdown(); }

void App::Start() { server_->Start(); }

void App::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  // Order matters: requests in flight wait for their commits, so the store
  // must outlive the server's drain.
  if (server_) server_->Shutdown();
  if (store_) store_->Shutdown();
}

}  // namespace tocsin::app
