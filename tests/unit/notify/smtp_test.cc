// The SMTP Mailer against a real server on loopback: tests/support/smtp_sink.py
// (python3-aiosmtpd), started per test on port 0, with a self-signed
// certificate made by the openssl CLI for the TLS cases. The sink spools each
// accepted message as a JSON line, already parsed by Python's email package,
// so these tests also check that an independent parser reads our messages.
#include "tocsin/notify/smtp.h"

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/port_child.h"
#include "support/temp_dir.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

extern char** environ;

namespace tocsin::notify {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using test::TempDir;

// Debian's interpreter: python3-aiosmtpd is installed for it, not for a
// pyenv or venv python that may come first on PATH.
std::string Python() {
  return ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

// Runs `args` to completion with its output discarded; returns its exit code
// (-1 when it could not start or was killed).
int RunQuietly(std::vector<std::string> args) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv = Argv(args);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A TCP socket on 127.0.0.1 and a kernel-chosen port: listening (the kernel
// completes handshakes into the backlog, but nobody ever accepts or speaks)
// or merely bound (connections are refused).
class LoopbackSocket {
 public:
  explicit LoopbackSocket(bool listen) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        (listen && ::listen(fd_, 8) != 0) ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~LoopbackSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;
  uint16_t port() const { return port_; }

 private:
  int fd_;
  uint16_t port_ = 0;
};

PageMessage SamplePage() {
  PageMessage p;
  p.page_id = "019b4f6e-3a2c-7d41-9f1a-2c3d4e5f6a7b";
  p.incident_title = "<b>&\"";
  p.incident_impact = 1;
  p.incident_summary = "Writes fail in every region.";
  p.delivery_address = "alice@example.com";
  p.content = "Primary database is down.";
  p.accept_code = "123456";
  p.ack_url = "https://tocsin.example/ack/tok-123";
  return p;
}

MailMessage Simple(const std::string& to = "alice@example.com") {
  MailMessage m;
  m.to = to;
  m.subject = "Test";
  m.text = "hello";
  return m;
}

class SmtpTest : public ::testing::Test {
 protected:
  // One self-signed certificate for 127.0.0.1 and localhost, for the suite.
  static void SetUpTestSuite() {
    certs_ = new TempDir();
    cert_ok_ = !certs_->path().empty() &&
               RunQuietly({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                           "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                           "-days", "1", "-keyout", Key(), "-out", Cert()}) == 0;
  }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }
  static std::string Cert() { return certs_->File("cert.pem"); }
  static std::string Key() { return certs_->File("key.pem"); }

  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    spool_ = dir_.File("spool.jsonl");
  }

  // Starts the sink spooling to spool_ with extra `flags`; fails the test
  // when it does not come up (print its port).
  void StartSink(const std::vector<std::string>& flags = {}) {
    std::vector<std::string> args = {
        Python(), test::SupportFile("smtp_sink.py"), "--port", "0", "--spool", spool_};
    args.insert(args.end(), flags.begin(), flags.end());
    ASSERT_TRUE(sink_.Start(args))
        << sink_.error() << ": is python3-aiosmtpd installed (scripts/bootstrap.sh test)?";
  }
  std::vector<std::string> TlsFlags(const std::string& mode) {
    EXPECT_TRUE(cert_ok_) << "openssl could not make a certificate";
    return {mode, "--tls-cert", Cert(), "--tls-key", Key()};
  }

  SmtpOptions Options(const std::string& scheme, uint16_t port) {
    SmtpOptions o;
    o.url = scheme + "://127.0.0.1:" + std::to_string(port);
    o.from = "Tocsin <pager@example.com>";
    o.timeout = milliseconds(10000);
    return o;
  }
  static std::unique_ptr<Mailer> NewMailer(SmtpOptions options) {
    auto mailer = NewSmtpMailer(std::move(options));
    EXPECT_TRUE(mailer.ok()) << mailer.status().ToString();
    return mailer.ok() ? std::move(mailer).value() : nullptr;
  }

  // The messages the sink accepted so far.
  std::vector<json> Spool() const {
    std::vector<json> out;
    std::ifstream in(spool_);
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }

  static inline TempDir* certs_ = nullptr;
  static inline bool cert_ok_ = false;
  TempDir dir_;
  std::string spool_;
  test::PortChild sink_;  // Stopped (SIGTERM) before dir_ goes.
};

TEST_F(SmtpTest, PlainSmtpDeliversTextAndHtmlThatParse) {
  StartSink();
  auto mailer = NewMailer(Options("smtp", sink_.port()));  // kAuto: no STARTTLS offered, plain.
  ASSERT_NE(mailer, nullptr);
  auto id = mailer->Send(RenderPageEmail(SamplePage()));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "<page-019b4f6e-3a2c-7d41-9f1a-2c3d4e5f6a7b@tocsin>");

  const std::vector<json> spool = Spool();
  ASSERT_EQ(spool.size(), 1u);
  const json& r = spool[0];
  EXPECT_EQ(r["mail_from"], "pager@example.com");
  EXPECT_EQ(r["rcpt_tos"], json::array({"alice@example.com"}));
  EXPECT_EQ(r["tls"], false);
  EXPECT_EQ(r["defects"], json::array()) << r.dump();
  EXPECT_EQ(r["headers"]["Subject"], "[Tocsin] Critical: <b>&\"");
  EXPECT_EQ(r["headers"]["From"], "Tocsin <pager@example.com>");
  EXPECT_EQ(r["headers"]["To"], "alice@example.com");
  EXPECT_EQ(r["headers"]["Message-ID"], *id);
  ASSERT_EQ(r["parts"].size(), 2u) << r.dump();
  const json& text = r["parts"][0];
  EXPECT_EQ(text["content_type"], "text/plain");
  EXPECT_EQ(text["charset"], "utf-8");
  const std::string text_body = text["body"];
  EXPECT_THAT(text_body, HasSubstr("Incident: <b>&\""));
  EXPECT_THAT(text_body, HasSubstr("Reply code: 123456"));
  EXPECT_THAT(text_body, HasSubstr("https://tocsin.example/ack/tok-123"));
  EXPECT_THAT(text_body,
              HasSubstr("POST /api/v1/pages/019b4f6e-3a2c-7d41-9f1a-2c3d4e5f6a7b/accept"));
  const json& html = r["parts"][1];
  EXPECT_EQ(html["content_type"], "text/html");
  const std::string html_body = html["body"];
  EXPECT_THAT(html_body, HasSubstr("&lt;b&gt;&amp;&quot;"));
  EXPECT_THAT(html_body, Not(HasSubstr("<b>&\"")));
  EXPECT_THAT(html_body, HasSubstr("href=\"https://tocsin.example/ack/tok-123\""));
  EXPECT_THAT(html_body, HasSubstr("123456"));
}

TEST_F(SmtpTest, NonAsciiSubjectNameAndBodyArriveIntact) {
  StartSink();
  auto mailer = NewMailer(Options("smtp", sink_.port()));
  ASSERT_NE(mailer, nullptr);
  MailMessage m = Simple("Zoë Ng <zoe@example.com>");
  m.subject = "Base de données en panne — ça brûle 🔥 à Zürich et à 東京, vérifiez les réplicas";
  m.text = "Écrivez « 123456 » pour accepter.";
  m.html = "<p>Écrivez <b>123456</b></p>";
  auto id = mailer->Send(m);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_THAT(*id, ::testing::MatchesRegex("<[0-9a-f-]+@example\\.com>"));
  const std::vector<json> spool = Spool();
  ASSERT_EQ(spool.size(), 1u);
  const json& r = spool[0];
  EXPECT_EQ(r["defects"], json::array()) << r.dump();
  EXPECT_EQ(r["headers"]["Subject"], m.subject);
  EXPECT_EQ(r["headers"]["To"], "Zoë Ng <zoe@example.com>");
  EXPECT_EQ(r["rcpt_tos"], json::array({"zoe@example.com"}));
  EXPECT_EQ(r["parts"][0]["body"], m.text);
  EXPECT_EQ(r["parts"][1]["body"], m.html);
  const std::string raw = r["data"];
  for (char c : raw) EXPECT_LT(static_cast<unsigned char>(c), 0x80u);
}

TEST_F(SmtpTest, StartTlsWithAuthAndCaFile) {
  std::vector<std::string> flags = TlsFlags("--starttls");
  flags.insert(flags.end(), {"--auth", "pager:s3cret"});
  StartSink(flags);
  // kAuto upgrades because the server offers STARTTLS (it refuses MAIL
  // otherwise); kRequired insists on it.
  for (StartTls mode : {StartTls::kAuto, StartTls::kRequired}) {
    SmtpOptions o = Options("smtp", sink_.port());
    o.starttls = mode;
    o.username = "pager";
    o.password = "s3cret";
    o.ca_file = Cert();
    auto mailer = NewMailer(o);
    ASSERT_NE(mailer, nullptr);
    auto id = mailer->Send(Simple());
    ASSERT_TRUE(id.ok()) << id.status().ToString();
  }
  const std::vector<json> spool = Spool();
  ASSERT_EQ(spool.size(), 2u);
  for (const json& r : spool) {
    EXPECT_EQ(r["tls"], true);
    EXPECT_EQ(r["auth_user"], "pager");
    EXPECT_EQ(r["headers"]["Subject"], "Test");
  }
}

TEST_F(SmtpTest, WrongPasswordIsFailedPrecondition) {
  std::vector<std::string> flags = TlsFlags("--starttls");
  flags.insert(flags.end(), {"--auth", "pager:s3cret"});
  StartSink(flags);
  SmtpOptions o = Options("smtp", sink_.port());
  o.starttls = StartTls::kRequired;
  o.username = "pager";
  o.password = "wrong";
  o.ca_file = Cert();
  auto mailer = NewMailer(o);
  ASSERT_NE(mailer, nullptr);
  auto id = mailer->Send(Simple());
  EXPECT_EQ(id.status().code(), StatusCode::kFailedPrecondition) << id.status().ToString();
  EXPECT_THAT(id.status().message(), HasSubstr("535"));
  EXPECT_THAT(id.status().message(), Not(HasSubstr("wrong")));
  EXPECT_TRUE(Spool().empty());
}

TEST_F(SmtpTest, UntrustedCertificateIsUnavailableUnlessVerificationIsOff) {
  StartSink(TlsFlags("--starttls"));
  SmtpOptions o = Options("smtp", sink_.port());
  o.starttls = StartTls::kRequired;
  auto strict = NewMailer(o);  // System CAs only: the self-signed certificate fails.
  ASSERT_NE(strict, nullptr);
  EXPECT_EQ(strict->Send(Simple()).status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(Spool().empty());

  o.verify_peer = false;
  auto lax = NewMailer(o);
  ASSERT_NE(lax, nullptr);
  auto id = lax->Send(Simple());
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_EQ(Spool().size(), 1u);
}

TEST_F(SmtpTest, ImplicitTls) {
  StartSink(TlsFlags("--implicit-tls"));
  SmtpOptions o = Options("smtps", sink_.port());
  o.ca_file = Cert();
  auto mailer = NewMailer(o);
  ASSERT_NE(mailer, nullptr);
  auto id = mailer->Send(RenderActivationEmail("alice@example.com", "654321"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  const std::vector<json> spool = Spool();
  ASSERT_EQ(spool.size(), 1u);
  EXPECT_EQ(spool[0]["tls"], true);
  EXPECT_EQ(spool[0]["headers"]["Subject"], "Your Tocsin activation code is 654321");
  EXPECT_EQ(spool[0]["headers"]["Message-ID"], *id);
}

TEST_F(SmtpTest, RequiredStartTlsAgainstPlainServerFails) {
  StartSink();
  SmtpOptions o = Options("smtp", sink_.port());
  o.starttls = StartTls::kRequired;
  auto mailer = NewMailer(o);
  ASSERT_NE(mailer, nullptr);
  auto id = mailer->Send(Simple());
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable) << id.status().ToString();
  EXPECT_TRUE(Spool().empty());
}

TEST_F(SmtpTest, RefusedRecipientIsFailedPreconditionWithTheReply) {
  StartSink({"--refuse", "nobody@example.com"});
  auto mailer = NewMailer(Options("smtp", sink_.port()));
  ASSERT_NE(mailer, nullptr);
  auto id = mailer->Send(Simple("nobody@example.com"));
  EXPECT_EQ(id.status().code(), StatusCode::kFailedPrecondition) << id.status().ToString();
  EXPECT_THAT(id.status().message(), HasSubstr("550"));
  EXPECT_THAT(id.status().message(), HasSubstr("User unknown"));
  EXPECT_TRUE(Spool().empty());

  // The refusal was about that recipient only.
  ASSERT_TRUE(mailer->Send(Simple()).ok());
  EXPECT_EQ(Spool().size(), 1u);
}

TEST_F(SmtpTest, NothingListeningIsUnavailable) {
  LoopbackSocket bound(/*listen=*/false);
  ASSERT_NE(bound.port(), 0);
  auto mailer = NewMailer(Options("smtp", bound.port()));
  ASSERT_NE(mailer, nullptr);
  auto id = mailer->Send(Simple());
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable) << id.status().ToString();
}

TEST_F(SmtpTest, SilentServerIsDeadlineExceeded) {
  LoopbackSocket silent(/*listen=*/true);
  ASSERT_NE(silent.port(), 0);
  SmtpOptions o = Options("smtp", silent.port());
  o.timeout = milliseconds(500);
  auto mailer = NewMailer(o);
  ASSERT_NE(mailer, nullptr);
  const auto start = steady_clock::now();
  auto id = mailer->Send(Simple());
  const auto took = steady_clock::now() - start;
  EXPECT_EQ(id.status().code(), StatusCode::kDeadlineExceeded) << id.status().ToString();
  EXPECT_GE(took, milliseconds(450));
  EXPECT_LT(took, milliseconds(5000));
}

TEST_F(SmtpTest, HeaderInjectionIsRejectedBeforeConnecting) {
  // Nothing listens: reaching the network would be kUnavailable.
  LoopbackSocket bound(/*listen=*/false);
  auto mailer = NewMailer(Options("smtp", bound.port()));
  ASSERT_NE(mailer, nullptr);
  MailMessage m = Simple();
  m.subject = "Hi\r\nBcc: evil@example.com";
  EXPECT_EQ(mailer->Send(m).status().code(), StatusCode::kInvalidArgument);
  m = Simple("alice@example.com>\r\nRCPT TO:<evil@example.com");
  EXPECT_EQ(mailer->Send(m).status().code(), StatusCode::kInvalidArgument);
  m = Simple("alice@example.com\nBcc: evil@example.com");
  EXPECT_EQ(mailer->Send(m).status().code(), StatusCode::kInvalidArgument);
  m = Simple("not an address");
  EXPECT_EQ(mailer->Send(m).status().code(), StatusCode::kInvalidArgument);
  m = Simple();
  m.message_id = "<x@y>\r\nBcc: evil@example.com";
  EXPECT_EQ(mailer->Send(m).status().code(), StatusCode::kInvalidArgument);

  SmtpOptions o = Options("smtp", bound.port());
  o.from = "pager@example.com\r\nRCPT TO:<evil@example.com>";
  auto bad = NewSmtpMailer(o);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().field(), "notify.smtp.from");
}

TEST_F(SmtpTest, ConcurrentSendsShareNothing) {
  StartSink();
  auto mailer = NewMailer(Options("smtp", sink_.port()));
  ASSERT_NE(mailer, nullptr);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < 3; ++j) ok[static_cast<size_t>(i)] += mailer->Send(Simple()).ok() ? 1 : 0;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok, std::vector<int>(4, 3));
  EXPECT_EQ(Spool().size(), 12u);
}

TEST(SmtpOptionsTest, NewSmtpMailerValidatesOptions) {
  SmtpOptions good;
  good.url = "smtp://mail.example.com";
  good.from = "Tocsin <pager@example.com>";
  for (const char* url : {"smtp://mail.example.com", "smtps://mail.example.com:465",
                          "smtp://[::1]:2525", "smtp://127.0.0.1:25/tocsin.example.com"}) {
    SmtpOptions o = good;
    o.url = url;
    auto mailer = NewSmtpMailer(o);
    EXPECT_TRUE(mailer.ok()) << url << ": " << mailer.status().ToString();
  }
  for (const char* url : {"", "http://mail.example.com", "smtp://", "mail.example.com:25",
                          "smtp://user:pw@mail.example.com", "smtp://mail.example.com?x=1",
                          "smtp://mail.example.com#x", "smtp://mail example.com"}) {
    SmtpOptions o = good;
    o.url = url;
    auto mailer = NewSmtpMailer(o);
    EXPECT_EQ(mailer.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(mailer.status().field(), "notify.smtp.url") << url;
    EXPECT_THAT(mailer.status().message(), HasSubstr("notify.smtp.url")) << url;
  }
  for (const char* from : {"", "pager", "Tocsin <pager>", "pager@example.com\r\n"}) {
    SmtpOptions o = good;
    o.from = from;
    auto mailer = NewSmtpMailer(o);
    EXPECT_EQ(mailer.status().code(), StatusCode::kInvalidArgument) << from;
    EXPECT_EQ(mailer.status().field(), "notify.smtp.from") << from;
    EXPECT_THAT(mailer.status().message(), HasSubstr("notify.smtp.from")) << from;
  }
  SmtpOptions o = good;
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(NewSmtpMailer(o).status().field(), "notify.smtp.ca_file");
  o = good;
  o.timeout = milliseconds(0);
  EXPECT_EQ(NewSmtpMailer(o).status().field(), "notify.smtp.timeout");
}

}  // namespace
}  // namespace tocsin::notify
