#include "app/config.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <functional>
#include <set>

#include <yaml-cpp/yaml.h>

#include "tocsin/net/outbound.h"

namespace tocsin::app {
namespace {

using Setter = std::function<Status(Config&, const std::string& value, const std::string& where)>;

struct Key {
  std::string path;
  std::string default_text;
  std::string help;
  Setter set;
};

Status Bad(const std::string& where, const std::string& what) {
  return InvalidArgument(where + ": " + what, where);
}

Result<int64_t> ParseInt(const std::string& value, const std::string& where, int64_t min,
                         int64_t max) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size() || v < min || v > max) {
    return Bad(where, "must be an integer from " + std::to_string(min) + " to " +
                          std::to_string(max) + ", got \"" + value + "\"");
  }
  return v;
}

Result<bool> ParseBool(const std::string& value, const std::string& where) {
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off") return false;
  return Bad(where, "must be true or false, got \"" + value + "\"");
}

Status SetListen(Config& c, const std::string& value, const std::string& where) {
  // HOST:PORT, with [v6]:PORT for IPv6.
  const auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return Bad(where, "must be HOST:PORT, got \"" + value + "\"");
  std::string host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find_first_of("[]:") != std::string::npos) {
    // Without brackets "::1:8080" could be several host/port splits.
    return Bad(where, "must be HOST:PORT with an IPv6 host in brackets ([::1]:8080), got \"" +
                          value + "\"");
  }
  auto port = ParseInt(value.substr(colon + 1), where, 0, 65535);
  if (!port.ok())
    return Bad(where, "must be HOST:PORT with a port from 0 to 65535, got \"" + value + "\"");
  c.server.host = host;
  c.server.port = static_cast<uint16_t>(*port);
  return Status::Ok();
}

Setter IntSetter(int64_t min, int64_t max, std::function<void(Config&, int64_t)> apply) {
  return [=](Config& c, const std::string& v, const std::string& where) -> Status {
    auto n = ParseInt(v, where, min, max);
    if (!n.ok()) return n.status();
    apply(c, *n);
    return Status::Ok();
  };
}

Setter TextSetter(std::function<void(Config&, const std::string&)> apply) {
  return [=](Config& c, const std::string& v, const std::string&) -> Status {
    apply(c, v);
    return Status::Ok();
  };
}

Setter RateSetter(std::string carrier) {
  return [=](Config& c, const std::string& v, const std::string& where) -> Status {
    auto n = ParseInt(v, where, 0, 1000);
    if (!n.ok()) return n.status();
    c.carriers.rate_per_second[carrier] = static_cast<double>(*n);
    return Status::Ok();
  };
}

// "twilio, webhook" → {"twilio", "webhook"}; each a known carrier kind, once.
Setter CarrierListSetter(std::vector<std::string> CarrierConfig::*field) {
  return [=](Config& c, const std::string& v, const std::string& where) -> Status {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      if (comma == std::string::npos) comma = v.size();
      std::string item = v.substr(start, comma - start);
      item.erase(0, item.find_first_not_of(" \t"));
      item.erase(item.find_last_not_of(" \t") + 1);
      start = comma + 1;
      if (item.empty()) continue;
      if (item != "twilio" && item != "webhook" && item != "exec") {
        return Bad(where, "unknown carrier \"" + item + "\" (twilio, webhook or exec)");
      }
      if (std::find(out.begin(), out.end(), item) != out.end()) {
        return Bad(where, "lists carrier \"" + item + "\" twice");
      }
      out.push_back(item);
    }
    c.carriers.*field = std::move(out);
    return Status::Ok();
  };
}

Setter SecondsSetter(int64_t min, int64_t max,
                     std::chrono::milliseconds http::ServerOptions::*field) {
  return IntSetter(min, max,
                   [field](Config& c, int64_t n) { c.server.*field = std::chrono::seconds(n); });
}

const std::vector<Key>& Keys() {
  static const std::vector<Key> keys = {
      {"server.listen", "127.0.0.1:8080", "address and port to listen on (HOST:PORT)", SetListen},
      {"server.publicUrl", "http://127.0.0.1:8080",
       "URL people use to reach this server (links in pages)",
       [](Config& c, const std::string& v, const std::string& where) -> Status {
         if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0) {
           return Bad(where, "must start with http:// or https://");
         }
         c.api.public_url = v;
         while (!c.api.public_url.empty() && c.api.public_url.back() == '/')
           c.api.public_url.pop_back();
         return Status::Ok();
       }},
      {"server.ioThreads", "1", "HTTP I/O threads",
       IntSetter(1, 64, [](Config& c, int64_t n) { c.server.io_threads = static_cast<int>(n); })},
      {"server.maxConnections", "16384", "open connection cap (idle ones are closed first)",
       IntSetter(16, 1'000'000,
                 [](Config& c, int64_t n) { c.server.max_connections = static_cast<size_t>(n); })},
      {"server.idleTimeoutSeconds", "60", "keep-alive idle timeout",
       SecondsSetter(1, 3600, &http::ServerOptions::idle_timeout)},
      {"server.headerTimeoutSeconds", "10", "time allowed to send request headers",
       SecondsSetter(1, 600, &http::ServerOptions::header_timeout)},
      {"server.bodyTimeoutSeconds", "30", "time allowed to send a request body",
       SecondsSetter(1, 3600, &http::ServerOptions::body_timeout)},
      {"server.writeTimeoutSeconds", "30", "time allowed to write a response",
       SecondsSetter(1, 3600, &http::ServerOptions::write_timeout)},
      {"server.shutdownGraceSeconds", "10", "time in-flight requests get on SIGTERM",
       SecondsSetter(0, 600, &http::ServerOptions::shutdown_grace)},
      {"store.path", "./var/tocsin.db", "SQLite database file",
       [](Config& c, const std::string& v, const std::string& where) -> Status {
         if (v.empty() || v == ":memory:") return Bad(where, "must name a file");
         c.store.path = v;
         return Status::Ok();
       }},
      {"store.readerConnections", "4", "pooled read-only SQLite connections",
       IntSetter(1, 64,
                 [](Config& c, int64_t n) { c.store.reader_connections = static_cast<int>(n); })},
      {"store.reserveMb", "8",
       "MiB of disk kept in <path>-reserve for paging when the disk fills up (0: none)",
       IntSetter(0, 4096, [](Config& c, int64_t n) { c.store.reserve_bytes = n * 1024 * 1024; })},
      {"store.blockingCheckMaxMb", "512",
       "a database up to this size is integrity-checked before serving; a bigger one in the "
       "background, while paging goes on (/readyz reports damage)",
       IntSetter(0, 1 << 30,
                 [](Config& c, int64_t n) { c.store.blocking_check_max_bytes = n * 1024 * 1024; })},
      {"log.level", "info", "trace, debug, info, warn, error, critical or off",
       [](Config& c, const std::string& v, const std::string& where) -> Status {
         static const std::set<std::string> kLevels = {"trace", "debug",    "info", "warn",
                                                       "error", "critical", "off"};
         if (kLevels.count(v) == 0)
           return Bad(where, "must be one of trace, debug, info, warn, error, critical, off");
         c.log.level = v;
         return Status::Ok();
       }},
      {"log.access", "true", "one log line per HTTP request",
       [](Config& c, const std::string& v, const std::string& where) -> Status {
         auto b = ParseBool(v, where);
         if (!b.ok()) return b.status();
         c.log.access_log = *b;
         c.server.access_log = *b;
         return Status::Ok();
       }},
      {"aws.region", "us-east-1", "region used in ssm-contacts ARNs",
       [](Config& c, const std::string& v, const std::string& where) -> Status {
         if (v.empty() || v.size() > 32 ||
             v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
           return Bad(where, "must look like us-east-1");
         }
         c.api.aws_region = v;
         return Status::Ok();
       }},
      {"aws.accountId", "000000000000", "12-digit account id used in ARNs",
       [](Config& c, const std::string& v, const std::string& where) -> Status {
         if (v.size() != 12 || v.find_first_not_of("0123456789") != std::string::npos) {
           return Bad(where, "must be 12 digits");
         }
         c.api.aws_account_id = v;
         return Status::Ok();
       }},
      {"notify.driver", "log",
       "how messages to people are delivered: log (development: codes and pages in the log), "
       "file (one JSON line per message appended to notify.file) or carriers (email over "
       "notify.smtp.*, SMS and voice through notify.sms.carriers / notify.voice.carriers)",
       [](Config& c, const std::string& v, const std::string& where) -> Status {
         if (v != "log" && v != "file" && v != "carriers") {
           return Bad(where, "must be \"log\", \"file\" or \"carriers\"");
         }
         c.notify_driver = v;
         return Status::Ok();
       }},
      {"notify.file", "", "the spool file of notify.driver=file",
       [](Config& c, const std::string& v, const std::string&) -> Status {
         c.notify_file = v;
         return Status::Ok();
       }},
      {"notify.allow", "",
       "comma-separated CIDRs, addresses or host names outbound requests may reach although "
       "they are loopback, private or link-local (e.g. 127.0.0.1/32 for a local carrier)",
       [](Config& c, const std::string& v, const std::string& where) -> Status {
         auto list = net::ParseAllowList(v);
         if (!list.ok()) return Bad(where, list.status().message());
         c.carriers.allow = std::move(*list);
         return Status::Ok();
       }},
      {"notify.timeoutSeconds", "10", "time one outbound HTTP request (carrier, webhook) may take",
       IntSetter(1, 120,
                 [](Config& c, int64_t n) { c.carriers.http_timeout = std::chrono::seconds(n); })},
      {"notify.smtp.url", "",
       "SMTP server: smtp://host:port (STARTTLS per notify.smtp.starttls) or smtps://host:port "
       "(implicit TLS); empty: no email",
       TextSetter([](Config& c, const std::string& v) { c.carriers.smtp.url = v; })},
      {"notify.smtp.from", "Tocsin <tocsin@localhost>", "sender of page emails",
       TextSetter([](Config& c, const std::string& v) { c.carriers.smtp.from = v; })},
      {"notify.smtp.username", "", "SMTP AUTH user (empty: no AUTH)",
       TextSetter([](Config& c, const std::string& v) { c.carriers.smtp.username = v; })},
      {"notify.smtp.password", "", "SMTP AUTH password",
       TextSetter([](Config& c, const std::string& v) { c.carriers.smtp.password = v; })},
      {"notify.smtp.starttls", "auto",
       "auto (upgrade when offered), required or never (plain smtp:// only)",
       [](Config& c, const std::string& v, const std::string& where) -> Status {
         if (v == "auto") {
           c.carriers.smtp.starttls = notify::StartTls::kAuto;
         } else if (v == "required") {
           c.carriers.smtp.starttls = notify::StartTls::kRequired;
         } else if (v == "never") {
           c.carriers.smtp.starttls = notify::StartTls::kNever;
         } else {
           return Bad(where, "must be auto, required or never");
         }
         return Status::Ok();
       }},
      {"notify.smtp.caFile", "", "CA bundle to verify the SMTP server with (default: system)",
       TextSetter([](Config& c, const std::string& v) { c.carriers.smtp.ca_file = v; })},
      {"notify.smtp.verifyPeer", "true", "verify the SMTP server's TLS certificate",
       [](Config& c, const std::string& v, const std::string& where) -> Status {
         auto b = ParseBool(v, where);
         if (!b.ok()) return b.status();
         c.carriers.smtp.verify_peer = *b;
         return Status::Ok();
       }},
      {"notify.smtp.timeoutSeconds", "15", "time one email may take",
       IntSetter(1, 300,
                 [](Config& c, int64_t n) { c.carriers.smtp.timeout = std::chrono::seconds(n); })},
      {"notify.sms.carriers", "", "SMS carriers in failover order, e.g. \"twilio, webhook\"",
       CarrierListSetter(&CarrierConfig::sms)},
      {"notify.voice.carriers", "", "voice carriers in failover order, e.g. \"twilio\"",
       CarrierListSetter(&CarrierConfig::voice)},
      {"notify.twilio.accountSid", "", "Twilio account SID (AC…)",
       TextSetter([](Config& c, const std::string& v) { c.carriers.twilio.account_sid = v; })},
      {"notify.twilio.authToken", "",
       "Twilio auth token: API basic auth and X-Twilio-Signature on /hooks/twilio/*",
       TextSetter([](Config& c, const std::string& v) { c.carriers.twilio.auth_token = v; })},
      {"notify.twilio.from", "", "E.164 number SMS and calls come from",
       TextSetter([](Config& c, const std::string& v) { c.carriers.twilio.from = v; })},
      {"notify.twilio.messagingServiceSid", "", "send SMS through this messaging service (MG…)",
       TextSetter(
           [](Config& c, const std::string& v) { c.carriers.twilio.messaging_service_sid = v; })},
      {"notify.twilio.apiUrl", "https://api.twilio.com", "Twilio REST base URL",
       TextSetter([](Config& c, const std::string& v) { c.carriers.twilio.api_url = v; })},
      {"notify.twilio.ratePerSecond", "0", "most messages per second to Twilio (0: no limit)",
       RateSetter("twilio")},
      {"notify.webhook.url", "", "the webhook carrier: URL of any SMS/voice gateway",
       TextSetter([](Config& c, const std::string& v) { c.carriers.webhook.url = v; })},
      {"notify.webhook.method", "POST", "HTTP method of the webhook carrier",
       TextSetter([](Config& c, const std::string& v) { c.carriers.webhook.method = v; })},
      {"notify.webhook.contentType", "application/json",
       "content type of the webhook carrier's body (JSON and form bodies are escaped)",
       TextSetter([](Config& c, const std::string& v) { c.carriers.webhook.content_type = v; })},
      {"notify.webhook.body", "",
       "body template with {{to}} {{text}} {{code}} {{id}} {{type}} (default: a JSON object)",
       TextSetter([](Config& c, const std::string& v) { c.carriers.webhook.body_template = v; })},
      {"notify.webhook.authorization", "", "Authorization header of the webhook carrier",
       TextSetter([](Config& c, const std::string& v) {
         std::erase_if(c.carriers.webhook.headers,
                       [](const auto& h) { return h.first == "Authorization"; });
         if (!v.empty()) c.carriers.webhook.headers.emplace_back("Authorization", v);
       })},
      {"notify.webhook.ratePerSecond", "0", "most messages per second to the webhook carrier",
       RateSetter("webhook")},
      {"notify.exec.command", "",
       "the exec carrier: a JSON array argv run without a shell, e.g. "
       "[\"/usr/bin/gammu-smsd-inject\", \"TEXT\", \"{{to}}\", \"-text\", \"{{text}}\"]",
       [](Config& c, const std::string& v, const std::string& where) -> Status {
         c.carriers.exec.argv.clear();
         if (v.empty()) return Status::Ok();
         try {
           YAML::Node n = YAML::Load(v);
           if (!n.IsSequence() || n.size() == 0) return Bad(where, "must be a non-empty array");
           for (const auto& item : n) {
             if (!item.IsScalar()) return Bad(where, "must be an array of strings");
             c.carriers.exec.argv.push_back(item.Scalar());
           }
         } catch (const YAML::Exception& e) {
           return Bad(where, std::string("must be a JSON array of strings: ") + e.what());
         }
         return Status::Ok();
       }},
      {"notify.exec.timeoutSeconds", "10", "time the exec carrier's command may run",
       IntSetter(1, 300,
                 [](Config& c, int64_t n) { c.carriers.exec.timeout = std::chrono::seconds(n); })},
      {"notify.exec.ratePerSecond", "0", "most messages per second through the exec carrier",
       RateSetter("exec")},
      {"notify.chatNotes", "true", "post incident notes to the incident's chat channels",
       [](Config& c, const std::string& v, const std::string& where) -> Status {
         auto b = ParseBool(v, where);
         if (!b.ok()) return b.status();
         c.notify_chat_notes = *b;
         return Status::Ok();
       }},
      {"notify.workers", "16", "pages handed to carriers at once (delivery threads)",
       IntSetter(1, 64, [](Config& c, int64_t n) { c.notify_workers = static_cast<int>(n); })},
      {"notify.perNumberSeconds", "60",
       "least time between SMS or voice pages to one number; a first page of an incident is "
       "never held back",
       IntSetter(
           0, 3600,
           [](Config& c, int64_t n) { c.notify_per_number_interval = std::chrono::seconds(n); })},
      {"ledger.keyFile", "",
       "Ed25519 key signing ledger checkpoints (default: ledger-ed25519.pem next to the database; "
       "created 0600 if missing)",
       [](Config& c, const std::string& v, const std::string&) -> Status {
         c.ledger_key_file = v;
         return Status::Ok();
       }},
      {"ledger.origin", "",
       "name of this ledger in signed checkpoints (default tocsin/<instance id>)",
       [](Config& c, const std::string& v, const std::string& where) -> Status {
         if (v.find_first_of(" +\t\n") != std::string::npos) {
           return Bad(where, "must not contain spaces or '+'");
         }
         c.ledger_origin = v;
         return Status::Ok();
       }},
      {"dashboard.sessionIdleMinutes", "720",
       "a dashboard session ends after this long without a request",
       IntSetter(5, 60 * 24 * 30,
                 [](Config& c, int64_t n) { c.sessions.idle = std::chrono::minutes(n); })},
      {"dashboard.sessionMaxHours", "168", "a dashboard session ends this long after login",
       IntSetter(1, 24 * 90,
                 [](Config& c, int64_t n) { c.sessions.absolute = std::chrono::hours(n); })},
      {"dashboard.bootstrapAdmin", "true",
       "on a fresh installation, create the dashboard user \"admin\" with a generated "
       "password (printed once)",
       [](Config& c, const std::string& v, const std::string& where) -> Status {
         auto b = ParseBool(v, where);
         if (!b.ok()) return b.status();
         c.bootstrap_admin = *b;
         return Status::Ok();
       }},
      {"dashboard.webDir", "",
       "serve the dashboard from this directory instead of the copy built into the binary "
       "(development)",
       [](Config& c, const std::string& v, const std::string&) -> Status {
         c.api.web_dir = v;
         return Status::Ok();
       }},
      {"bootstrapKey", "",
       "admin API key created on first start (else one is generated and printed)",
       [](Config& c, const std::string& v, const std::string&) -> Status {
         if (!v.empty()) c.bootstrap_key = v;
         return Status::Ok();
       }},
  };
  return keys;
}

const Key* FindKey(const std::string& path) {
  for (const auto& k : Keys()) {
    if (k.path == path) return &k;
  }
  return nullptr;
}

// Flattens the YAML mapping into key paths; nested mappings only, scalars at the leaves.
Status Flatten(const YAML::Node& node, const std::string& prefix,
               std::vector<std::pair<std::string, std::string>>& out) {
  if (!node.IsMap()) return Bad(prefix.empty() ? "config" : prefix, "must be a mapping");
  for (const auto& item : node) {
    const std::string key = item.first.as<std::string>();
    // An empty key (`"": 1`, a bare `?`) would otherwise be refused with an
    // error that names nothing.
    if (key.empty()) return Bad(prefix.empty() ? "config" : prefix, "has an empty key");
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (item.second.IsMap()) {
      TOCSIN_RETURN_IF_ERROR(Flatten(item.second, path, out));
    } else if (item.second.IsScalar()) {
      out.emplace_back(path, item.second.Scalar());
    } else if (item.second.IsNull()) {
      continue;  // "key:" with no value keeps the default.
    } else {
      return Bad(path, "must be a single value");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string EnvNameForKey(const std::string& key_path) {
  std::string out = "TOCSIN_";
  for (size_t i = 0; i < key_path.size(); ++i) {
    const char c = key_path[i];
    if (c == '.') {
      out += '_';
    } else if (std::isupper(static_cast<unsigned char>(c))) {
      if (i > 0 && key_path[i - 1] != '.') out += '_';
      out += c;
    } else {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

Result<Config> LoadConfig(const Flags& flags, const std::vector<std::string>& environ_vars) {
  Config config;
  // Defaults go through the same setters as every other source.
  for (const auto& k : Keys()) {
    if (!k.default_text.empty()) TOCSIN_RETURN_IF_ERROR(k.set(config, k.default_text, k.path));
  }
  if (flags.config_file) {
    const std::string& file = *flags.config_file;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
      return NotFound("config file " + file + " does not exist");
    YAML::Node root;
    try {
      root = YAML::LoadFile(file);
    } catch (const YAML::Exception& e) {
      return InvalidArgument(file + ": " + e.what(), "config");
    }
    if (root.IsDefined() && !root.IsNull()) {
      std::vector<std::pair<std::string, std::string>> values;
      try {
        TOCSIN_RETURN_IF_ERROR(Flatten(root, "", values));
      } catch (const YAML::Exception& e) {
        return InvalidArgument(file + ": " + e.what(), "config");
      }
      for (const auto& [path, value] : values) {
        const Key* key = FindKey(path);
        if (key == nullptr) return Bad(path, "unknown configuration key (in " + file + ")");
        Status s = key->set(config, value, path + " (in " + file + ")");
        // The message names the file; the field stays the key path.
        if (!s.ok()) return std::move(s).WithField(path);
      }
    }
  }
  std::map<std::string, const Key*> by_env;
  for (const auto& k : Keys()) by_env.emplace(EnvNameForKey(k.path), &k);
  for (const auto& entry : environ_vars) {
    const auto eq = entry.find('=');
    if (eq == std::string::npos || entry.rfind("TOCSIN_", 0) != 0) continue;
    const std::string name = entry.substr(0, eq);
    const std::string value = entry.substr(eq + 1);
    if (std::find(std::begin(kNonConfigEnv), std::end(kNonConfigEnv), name) !=
        std::end(kNonConfigEnv)) {
      continue;
    }
    auto it = by_env.find(name);
    if (it == by_env.end())
      return Bad(name, "unknown environment variable (not a configuration key)");
    TOCSIN_RETURN_IF_ERROR(it->second->set(config, value, name));
  }
  if (flags.listen) TOCSIN_RETURN_IF_ERROR(SetListen(config, *flags.listen, "--listen"));
  if (flags.db) {
    if (flags.db->empty()) return Bad("--db", "must name a file");
    config.store.path = *flags.db;
  }
  if (flags.web_dir) config.api.web_dir = *flags.web_dir;
  if (!config.api.web_dir.empty() && !std::filesystem::is_directory(config.api.web_dir)) {
    return Bad("dashboard.webDir", "\"" + config.api.web_dir + "\" is not a directory");
  }
  return config;
}

std::string DescribeConfigKeys() {
  std::string out;
  for (const auto& k : Keys()) {
    out += "  " + k.path + " (" + EnvNameForKey(k.path) + ")";
    if (!k.default_text.empty()) out += ", default " + k.default_text;
    out += "\n      " + k.help + "\n";
  }
  return out;
}

}  // namespace tocsin::app
