// TestServer: the real Tocsin App in-process on 127.0.0.1:0 with a database
// in a fresh temporary directory, a FakeClock and a RecordingNotifier.
// Restart() shuts it down and opens the same database again.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "app/app.h"
#include "fakes/fake_clock.h"
#include "fakes/recording_notifier.h"
#include "support/http_client.h"
#include "support/temp_dir.h"

namespace tocsin::test {

inline constexpr const char* kAdminToken = "tcn_test_admin_token_0123456789";

class TestServer {
 public:
  TestServer();
  ~TestServer();

  // Stops and starts the server on the same database (a new port).
  void Restart();
  void Stop();

  uint16_t port() const { return app_->port(); }
  // A client authenticated as the bootstrap admin.
  HttpClient Admin() const;
  // A client with no credentials.
  HttpClient Anonymous() const { return HttpClient(port()); }
  // Creates an API key with `role` and returns a client using it.
  HttpClient WithRole(const std::string& role);

  app::App& app() { return *app_; }
  FakeClock& clock() { return clock_; }
  RecordingNotifier& notifier() { return notifier_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  app::Config& config() { return config_; }

 private:
  void Start();

  TempDir dir_;
  FakeClock clock_;
  RecordingNotifier notifier_;
  app::Config config_;
  std::unique_ptr<app::App> app_;
};

}  // namespace tocsin::test
