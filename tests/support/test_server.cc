#include "support/test_server.h"

#include <gtest/gtest.h>

namespace tocsin::test {

TestServer::TestServer() {
  auto config = app::LoadConfig({}, {});
  config_ = *config;
  config_.server.port = 0;
  config_.server.access_log = false;
  config_.store.path = (dir_.path() / "tocsin.db").string();
  config_.bootstrap_key = kAdminToken;
  config_.bootstrap_admin = false;        // Saves a password hash per server.
  config_.store.reserve_bytes = 1 << 20;  // Quicker to fill than the default 8 MiB.
  Start();
}

TestServer::~TestServer() { Stop(); }

void TestServer::Start() {
  app::Overrides overrides;
  overrides.clock = &clock_;
  overrides.notifier = &notifier_;
  overrides.watch_clock_steps = false;  // The fake clock moves only when a test says so.
  auto app = app::App::Create(config_, overrides);
  if (!app.ok()) {
    ADD_FAILURE() << "server failed to start: " << app.status().ToString();
    std::abort();
  }
  app_ = std::move(*app);
  app_->Start();
}

void TestServer::Stop() {
  if (app_) {
    app_->Shutdown();
    app_.reset();
  }
}

void TestServer::Restart() {
  Stop();
  Start();
}

HttpClient TestServer::Admin() const {
  HttpClient c(port());
  c.SetToken(kAdminToken);
  return c;
}

HttpClient TestServer::WithRole(const std::string& role) {
  HttpClient admin = Admin();
  auto r = admin.Post("/api/v1/api-keys", {{"name", "test " + role}, {"role", role}});
  EXPECT_EQ(r.status, 201) << r.body;
  HttpClient c(port());
  c.SetToken(r.json().value("token", ""));
  return c;
}

}  // namespace tocsin::test
