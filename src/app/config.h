// Configuration: a YAML file, overridden by TOCSIN_* environment variables,
// overridden by command-line flags.
//
// Every key has an environment name: "TOCSIN_" + the key path in upper snake
// case (server.listen → TOCSIN_SERVER_LISTEN, server.publicUrl →
// TOCSIN_SERVER_PUBLIC_URL). Unknown keys, unknown TOCSIN_* variables and bad
// values are errors that name the key, so a typo cannot silently fall back to
// a default.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tocsin/api/api.h"
#include "tocsin/core/log.h"
#include "tocsin/core/status.h"
#include "tocsin/crypto/password.h"
#include "tocsin/domain/account_service.h"
#include "tocsin/http/server.h"
#include "tocsin/notify/carrier.h"
#include "tocsin/notify/smtp.h"
#include "tocsin/store/store.h"

namespace tocsin::app {

// notify.driver=carriers: where email, SMS and voice go (see config keys).
struct CarrierConfig {
  std::vector<std::string> allow;  // notify.allow, as net::ParseAllowList returns it.
  Millis http_timeout = std::chrono::seconds(10);
  notify::SmtpOptions smtp;      // smtp.url empty: no email.
  std::vector<std::string> sms;  // Carrier kinds (twilio, webhook, exec) in failover order.
  std::vector<std::string> voice;
  notify::TwilioOptions twilio;
  notify::WebhookCarrierOptions webhook;
  notify::ExecCarrierOptions exec;
  std::map<std::string, double> rate_per_second;  // By carrier kind.
};

struct Config {
  http::ServerOptions server;
  store::StoreOptions store;
  LogOptions log;
  api::ApiConfig api;
  std::string notify_driver = "log";
  std::string notify_file;  // notify.driver=file: where messages are appended.
  CarrierConfig carriers;
  int notify_workers = 16;        // Pages handed to carriers at once.
  bool notify_chat_notes = true;  // Post incident notes to chat channels.
  Millis notify_per_number_interval = std::chrono::minutes(1);
  std::string ledger_key_file;  // Empty: ledger-ed25519.pem next to the database.
  std::string ledger_origin;    // Empty: "tocsin/<instance id prefix>".
  std::optional<std::string> bootstrap_key;
  domain::SessionOptions sessions;       // dashboard.session*
  bool bootstrap_admin = true;           // dashboard.bootstrapAdmin
  crypto::ScryptParams password_params;  // Work factor of new password hashes.
};

// Command-line flags that override the file and the environment.
struct Flags {
  std::optional<std::string> config_file;
  std::optional<std::string> listen;  // HOST:PORT
  std::optional<std::string> db;
  std::optional<std::string> web_dir;  // Serve the dashboard from this directory.
};

// Environment variables named TOCSIN_* that are not configuration keys.
inline const char* const kNonConfigEnv[] = {
    "TOCSIN_CRASH_POINT",     "TOCSIN_TEST_CLOCK_OFFSET_MS", "TOCSIN_TEST_DISK_FAULT",
    "TOCSIN_TEST_POWER_LOSS", "TOCSIN_TEST_SYNCHRONOUS",     "TOCSIN_PASSWORD"};

// Loads the configuration. `environ_vars` is the process environment as
// NAME=VALUE strings (injected for tests). kInvalidArgument naming the key on
// any unknown key or bad value; kNotFound if the config file is missing.
Result<Config> LoadConfig(const Flags& flags, const std::vector<std::string>& environ_vars);

// Returns the environment variable name of a key path ("server.publicUrl" →
// "TOCSIN_SERVER_PUBLIC_URL").
std::string EnvNameForKey(const std::string& key_path);

// Documentation of every key: path, default, description (for --help).
std::string DescribeConfigKeys();

}  // namespace tocsin::app
