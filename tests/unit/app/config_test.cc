#include "app/config.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <source_location>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tocsin::app {
namespace {

using std::chrono::seconds;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tocsin-config-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Writes `yaml` to a file and returns flags that load it.
  Flags WithFile(const std::string& yaml) {
    const std::string path = (dir_ / "tocsin.yaml").string();
    std::ofstream(path) << yaml;
    Flags flags;
    flags.config_file = path;
    return flags;
  }

  void ExpectInvalid(const Result<Config>& config, const std::string& key,
                     std::source_location where = std::source_location::current()) {
    const ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()), "");
    ASSERT_FALSE(config.ok()) << "expected an error about " << key;
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument) << config.status().ToString();
    EXPECT_EQ(config.status().field(), key) << config.status().ToString();
    EXPECT_NE(config.status().message().find(key), std::string::npos) << config.status().ToString();
  }

  std::filesystem::path dir_;
};

TEST_F(ConfigTest, DefaultsWithoutFileOrEnvironment) {
  auto config = LoadConfig({}, {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.host, "127.0.0.1");
  EXPECT_EQ(config->server.port, 8080);
  EXPECT_EQ(config->server.io_threads, 1);
  EXPECT_EQ(config->server.max_connections, 16384u);
  EXPECT_EQ(config->server.idle_timeout, seconds(60));
  EXPECT_EQ(config->server.header_timeout, seconds(10));
  EXPECT_EQ(config->server.body_timeout, seconds(30));
  EXPECT_EQ(config->server.write_timeout, seconds(30));
  EXPECT_EQ(config->server.shutdown_grace, seconds(10));
  EXPECT_TRUE(config->server.access_log);
  EXPECT_EQ(config->api.public_url, "http://127.0.0.1:8080");
  EXPECT_EQ(config->api.aws_region, "us-east-1");
  EXPECT_EQ(config->api.aws_account_id, "000000000000");
  EXPECT_EQ(config->store.path, "./var/tocsin.db");
  EXPECT_EQ(config->store.reader_connections, 4);
  EXPECT_EQ(config->log.level, "info");
  EXPECT_TRUE(config->log.access_log);
  EXPECT_EQ(config->notify_driver, "log");
  EXPECT_FALSE(config->bootstrap_key.has_value());
}

TEST_F(ConfigTest, ReadsEveryKeyFromYaml) {
  auto config = LoadConfig(WithFile(R"(
server:
  listen: 0.0.0.0:9090
  publicUrl: https://tocsin.example.com/
  ioThreads: 4
  maxConnections: 100
  idleTimeoutSeconds: 5
  headerTimeoutSeconds: 6
  bodyTimeoutSeconds: 7
  writeTimeoutSeconds: 8
  shutdownGraceSeconds: 0
store:
  path: /var/lib/tocsin/t.db
  readerConnections: 2
log:
  level: debug
  access: off
aws:
  region: eu-west-1
  accountId: "123456789012"
notify:
  driver: log
bootstrapKey: tcn_fixed
)"),
                           {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.host, "0.0.0.0");
  EXPECT_EQ(config->server.port, 9090);
  EXPECT_EQ(config->api.public_url, "https://tocsin.example.com");  // Trailing slash dropped.
  EXPECT_EQ(config->server.io_threads, 4);
  EXPECT_EQ(config->server.max_connections, 100u);
  EXPECT_EQ(config->server.idle_timeout, seconds(5));
  EXPECT_EQ(config->server.header_timeout, seconds(6));
  EXPECT_EQ(config->server.body_timeout, seconds(7));
  EXPECT_EQ(config->server.write_timeout, seconds(8));
  EXPECT_EQ(config->server.shutdown_grace, seconds(0));
  EXPECT_EQ(config->store.path, "/var/lib/tocsin/t.db");
  EXPECT_EQ(config->store.reader_connections, 2);
  EXPECT_EQ(config->log.level, "debug");
  EXPECT_FALSE(config->log.access_log);
  EXPECT_FALSE(config->server.access_log);
  EXPECT_EQ(config->api.aws_region, "eu-west-1");
  EXPECT_EQ(config->api.aws_account_id, "123456789012");
  EXPECT_EQ(config->bootstrap_key, "tcn_fixed");
}

TEST_F(ConfigTest, ExampleConfigInTheRepositoryLoads) {
  Flags flags;
  flags.config_file = std::string(TOCSIN_SOURCE_DIR) + "/config/tocsin.example.yaml";
  auto config = LoadConfig(flags, {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
}

TEST_F(ConfigTest, EmptyFileAndEmptyValuesKeepDefaults) {
  auto empty = LoadConfig(WithFile(""), {});
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->server.port, 8080);
  auto blank = LoadConfig(WithFile("server:\n  listen:\nlog:\n"), {});
  ASSERT_TRUE(blank.ok()) << blank.status().ToString();
  EXPECT_EQ(blank->server.port, 8080);
}

TEST_F(ConfigTest, EnvironmentOverridesFile) {
  auto config = LoadConfig(WithFile("server:\n  listen: 127.0.0.1:7000\nlog:\n  level: debug\n"),
                           {"TOCSIN_SERVER_LISTEN=0.0.0.0:9000", "TOCSIN_LOG_LEVEL=warn",
                            "TOCSIN_SERVER_PUBLIC_URL=https://x.example",
                            "TOCSIN_SERVER_IO_THREADS=3", "TOCSIN_AWS_ACCOUNT_ID=111122223333",
                            "TOCSIN_BOOTSTRAP_KEY=k", "TOCSIN_STORE_PATH=/tmp/env.db"});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.host, "0.0.0.0");
  EXPECT_EQ(config->server.port, 9000);
  EXPECT_EQ(config->log.level, "warn");
  EXPECT_EQ(config->api.public_url, "https://x.example");
  EXPECT_EQ(config->server.io_threads, 3);
  EXPECT_EQ(config->api.aws_account_id, "111122223333");
  EXPECT_EQ(config->bootstrap_key, "k");
  EXPECT_EQ(config->store.path, "/tmp/env.db");
}

TEST_F(ConfigTest, FlagsOverrideEnvironmentAndFile) {
  Flags flags = WithFile("server:\n  listen: 127.0.0.1:7000\nstore:\n  path: /file.db\n");
  flags.listen = "10.0.0.1:7777";
  flags.db = "/flag.db";
  auto config =
      LoadConfig(flags, {"TOCSIN_SERVER_LISTEN=0.0.0.0:9000", "TOCSIN_STORE_PATH=/env.db"});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.host, "10.0.0.1");
  EXPECT_EQ(config->server.port, 7777);
  EXPECT_EQ(config->store.path, "/flag.db");
}

TEST_F(ConfigTest, IgnoresForeignAndNonConfigVariables) {
  auto config =
      LoadConfig({}, {"PATH=/usr/bin", "HOME=/root", "TOCSIN_CRASH_POINT=store.x",
                      "NOT_TOCSIN_SERVER_LISTEN=x", "TOCSIN_NOEQUALS", "tocsin_log_level=x"});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->log.level, "info");
}

TEST_F(ConfigTest, UnknownKeysAreErrors) {
  ExpectInvalid(LoadConfig(WithFile("server:\n  lisen: 1.2.3.4:5\n"), {}), "server.lisen");
  ExpectInvalid(LoadConfig(WithFile("colour: blue\n"), {}), "colour");
  ExpectInvalid(LoadConfig(WithFile("server: 8080\n"), {}), "server");
  ExpectInvalid(LoadConfig({}, {"TOCSIN_SERVER_LISEN=1.2.3.4:5"}), "TOCSIN_SERVER_LISEN");
  ExpectInvalid(LoadConfig({}, {"TOCSIN_LOGLEVEL=info"}), "TOCSIN_LOGLEVEL");
}

TEST_F(ConfigTest, BadValuesNameTheKey) {
  ExpectInvalid(LoadConfig(WithFile("server:\n  listen: 127.0.0.1:70000\n"), {}), "server.listen");
  ExpectInvalid(LoadConfig(WithFile("server:\n  ioThreads: 0\n"), {}), "server.ioThreads");
  ExpectInvalid(LoadConfig(WithFile("server:\n  ioThreads: two\n"), {}), "server.ioThreads");
  ExpectInvalid(LoadConfig(WithFile("log:\n  level: bogus\n"), {}), "log.level");
  ExpectInvalid(LoadConfig(WithFile("log:\n  access: maybe\n"), {}), "log.access");
  ExpectInvalid(LoadConfig(WithFile("aws:\n  accountId: \"12345678901\"\n"), {}), "aws.accountId");
  ExpectInvalid(LoadConfig(WithFile("aws:\n  region: US_EAST\n"), {}), "aws.region");
  ExpectInvalid(LoadConfig(WithFile("server:\n  publicUrl: ftp://x\n"), {}), "server.publicUrl");
  ExpectInvalid(LoadConfig(WithFile("store:\n  path: \":memory:\"\n"), {}), "store.path");
  ExpectInvalid(LoadConfig(WithFile("notify:\n  driver: smtp\n"), {}), "notify.driver");
  ExpectInvalid(LoadConfig({}, {"TOCSIN_SERVER_LISTEN=127.0.0.1:70000"}), "TOCSIN_SERVER_LISTEN");
  ExpectInvalid(LoadConfig({}, {"TOCSIN_SERVER_IO_THREADS=0"}), "TOCSIN_SERVER_IO_THREADS");
  ExpectInvalid(LoadConfig({}, {"TOCSIN_SERVER_IO_THREADS=65"}), "TOCSIN_SERVER_IO_THREADS");
  ExpectInvalid(LoadConfig({}, {"TOCSIN_LOG_LEVEL=bogus"}), "TOCSIN_LOG_LEVEL");
  ExpectInvalid(LoadConfig({}, {"TOCSIN_AWS_ACCOUNT_ID=12345678901"}), "TOCSIN_AWS_ACCOUNT_ID");
  ExpectInvalid(LoadConfig({}, {"TOCSIN_SERVER_MAX_CONNECTIONS=1e6"}),
                "TOCSIN_SERVER_MAX_CONNECTIONS");
}

TEST_F(ConfigTest, YamlErrorsMentionTheFile) {
  Flags flags = WithFile("server:\n  ioThreads: 0\n");
  auto config = LoadConfig(flags, {});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(*flags.config_file), std::string::npos)
      << config.status().message();
}

TEST_F(ConfigTest, NonScalarValuesAreErrors) {
  ExpectInvalid(LoadConfig(WithFile("server:\n  listen: [a, b]\n"), {}), "server.listen");
  auto top = LoadConfig(WithFile("- a\n- b\n"), {});
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ConfigTest, MissingFileIsNotFound) {
  Flags flags;
  flags.config_file = (dir_ / "absent.yaml").string();
  auto config = LoadConfig(flags, {});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kNotFound);
  EXPECT_NE(config.status().message().find("absent.yaml"), std::string::npos);
}

TEST_F(ConfigTest, MalformedYamlIsInvalidArgument) {
  for (const char* yaml :
       {"server:\n  listen: [unclosed\n", "a: b: c\n", "server:\n\tlisten: x\n", "{a: 1\n"}) {
    auto config = LoadConfig(WithFile(yaml), {});
    ASSERT_FALSE(config.ok()) << yaml;
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument) << yaml;
  }
}

TEST_F(ConfigTest, ListenAcceptsIpv6InBrackets) {
  auto config = LoadConfig({}, {"TOCSIN_SERVER_LISTEN=[::1]:8081"});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.host, "::1");
  EXPECT_EQ(config->server.port, 8081);

  Flags flags;
  flags.listen = "[::]:0";
  auto any = LoadConfig(flags, {});
  ASSERT_TRUE(any.ok()) << any.status().ToString();
  EXPECT_EQ(any->server.host, "::");
  EXPECT_EQ(any->server.port, 0);
}

TEST_F(ConfigTest, ListenRejectsMalformedAddresses) {
  for (const char* listen : {"8080", ":8080", "host:", "host:-1", "host:65536", "host:80x", "[::1]",
                             "::1:8080", "[::1]8080"}) {
    Flags flags;
    flags.listen = listen;
    auto config = LoadConfig(flags, {});
    ASSERT_FALSE(config.ok()) << listen;
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument) << listen;
    EXPECT_EQ(config.status().field(), "--listen") << listen;
  }
  Flags db;
  db.db = "";
  ExpectInvalid(LoadConfig(db, {}), "--db");
}

TEST_F(ConfigTest, EnvNamesAreUpperSnakeCase) {
  EXPECT_EQ(EnvNameForKey("server.publicUrl"), "TOCSIN_SERVER_PUBLIC_URL");
  EXPECT_EQ(EnvNameForKey("server.listen"), "TOCSIN_SERVER_LISTEN");
  EXPECT_EQ(EnvNameForKey("server.idleTimeoutSeconds"), "TOCSIN_SERVER_IDLE_TIMEOUT_SECONDS");
  EXPECT_EQ(EnvNameForKey("aws.accountId"), "TOCSIN_AWS_ACCOUNT_ID");
  EXPECT_EQ(EnvNameForKey("bootstrapKey"), "TOCSIN_BOOTSTRAP_KEY");
}

TEST_F(ConfigTest, HelpListsEveryKeyWithItsVariable) {
  const std::string help = DescribeConfigKeys();
  for (const char* key : {"server.listen", "server.publicUrl", "server.ioThreads", "store.path",
                          "store.readerConnections", "log.level", "log.access", "aws.region",
                          "aws.accountId", "notify.driver", "bootstrapKey"}) {
    EXPECT_NE(help.find(key), std::string::npos) << key;
    EXPECT_NE(help.find(EnvNameForKey(key)), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace tocsin::app
