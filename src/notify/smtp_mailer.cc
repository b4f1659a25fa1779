// Mailer over libcurl's SMTP client: one easy handle, hence one connection,
// per Send.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include <curl/curl.h>

#include "tocsin/core/clock.h"
#include "tocsin/notify/smtp.h"

namespace tocsin::notify {
namespace {

// The server's last reply is kept for error messages; replies beyond this are
// cut (a hostile server cannot grow our memory or logs).
constexpr size_t kMaxReply = 512;

void EnsureCurlInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
template <typename T>
using CurlPtr = std::unique_ptr<T, CurlDeleter>;

// Returns the URL part `what`, or "" when it is absent.
std::string UrlPart(CURLU* u, CURLUPart what) {
  char* part = nullptr;
  if (curl_url_get(u, what, &part, 0) != CURLUE_OK || part == nullptr) return {};
  std::string out(part);
  curl_free(part);
  return out;
}

// State of one Send, reached from curl's callbacks.
struct Transfer {
  std::string_view body;  // What is left to upload.
  // The server's reply being read: its lines since our last command.
  std::string reply;
  bool reply_done = false;  // A command went out since; the next line starts a reply.
  // The last 4xx or 5xx reply. Kept apart from `reply` because curl answers a
  // refusal with QUIT, whose "221 Bye" would replace the reason.
  std::string refusal;
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = std::min(size * count, t->body.size());
  std::memcpy(buffer, t->body.data(), n);
  t->body.remove_prefix(n);
  return n;
}

// Keeps the server's replies (never our commands: AUTH carries the password).
int Debug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (type == CURLINFO_HEADER_OUT) {
    t->reply_done = true;
  } else if (type == CURLINFO_HEADER_IN) {
    if (t->reply_done) {
      t->reply.clear();
      t->reply_done = false;
    }
    for (size_t i = 0; i < size && t->reply.size() < kMaxReply; ++i) {
      const char c = data[i];
      if (c == '\r' || c == '\n') {
        if (!t->reply.empty() && t->reply.back() != ' ') t->reply += ' ';
      } else {
        t->reply += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
      }
    }
    while (!t->reply.empty() && t->reply.back() == ' ') t->reply.pop_back();
    if (!t->reply.empty() && (t->reply[0] == '4' || t->reply[0] == '5')) t->refusal = t->reply;
  }
  return 0;
}

class SmtpMailer final : public Mailer {
 public:
  SmtpMailer(SmtpOptions options, std::string from_address, bool implicit_tls)
      : options_(std::move(options)),
        from_address_(std::move(from_address)),
        implicit_tls_(implicit_tls) {}

  // tocsin::notify::Mailer
  Result<std::string> Send(const MailMessage& m) override {
    MailMessage message = m;
    if (message.message_id.empty()) message.message_id = NewMessageId(from_address_);
    // Composing validates every header value, the recipient's included.
    Result<std::string> mime = ComposeMime(options_.from, message, SystemClock().Now());
    if (!mime.ok()) return mime.status();
    Result<Mailbox> to = ParseMailbox(message.to);
    if (!to.ok()) return to.status();

    CurlPtr<CURL> curl(curl_easy_init());
    if (!curl) return Internal("smtp: curl_easy_init failed");
    CurlPtr<curl_slist> rcpt(curl_slist_append(nullptr, ("<" + to->address + ">").c_str()));
    if (!rcpt) return Internal("smtp: out of memory");
    Transfer t;
    t.body = *mime;
    char error[CURL_ERROR_SIZE] = {};
    const std::string mail_from = "<" + from_address_ + ">";
    const long timeout_ms = static_cast<long>(options_.timeout.count());

    CURL* h = curl.get();
    // Each option below either cannot fail or fails for our own constants, so
    // results are checked once, through curl_easy_perform's error.
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_URL, options_.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_PROXY, "");  // Ignore *_proxy environment variables.
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_USE_SSL, UseSsl());
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.verify_peer ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.verify_peer ? 2L : 0L);
    if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (!options_.username.empty()) {
      curl_easy_setopt(h, CURLOPT_USERNAME, options_.username.c_str());
      curl_easy_setopt(h, CURLOPT_PASSWORD, options_.password.c_str());
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(h, CURLOPT_READDATA, &t);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mime->size()));
    // The debug callback is how the server's reply text reaches us.
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, Debug);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &t);

    const CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK) return message.message_id;
    long reply_code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply_code);
    return ErrorFor(rc, reply_code, error[0] != '\0' ? error : curl_easy_strerror(rc), t.refusal);
  }

 private:
  long UseSsl() const {
    if (implicit_tls_) return CURLUSESSL_ALL;
    switch (options_.starttls) {
      case StartTls::kAuto:
        return CURLUSESSL_TRY;
      case StartTls::kRequired:
        return CURLUSESSL_ALL;
      case StartTls::kNever:
        return CURLUSESSL_NONE;
    }
    return CURLUSESSL_ALL;
  }

  // Maps a failed transfer to our codes. The SMTP reply code decides when
  // there is one: curl reports a refused RCPT or MAIL as a send error, a
  // refused AUTH as a login error, whatever the reply.
  Status ErrorFor(CURLcode rc, long reply_code, const std::string& curl_error,
                  const std::string& refusal) const {
    std::string what = "smtp " + options_.url + ": " + curl_error;
    if (reply_code >= 400 && refusal.rfind(std::to_string(reply_code), 0) == 0) {
      what += " (server said: " + refusal + ")";
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) return DeadlineExceeded(what);
    if (reply_code >= 500 && reply_code < 600) return FailedPrecondition(what);
    if (rc == CURLE_OUT_OF_MEMORY) return Internal(what);
    return Unavailable(what);
  }

  const SmtpOptions options_;
  const std::string from_address_;  // The envelope sender, from options_.from.
  const bool implicit_tls_;         // smtps://
};

}  // namespace

Result<std::unique_ptr<Mailer>> NewSmtpMailer(SmtpOptions options) {
  EnsureCurlInitialized();
  const std::string url_field = "notify.smtp.url";
  CurlPtr<CURLU> u(curl_url());
  if (!u) return Internal("smtp: curl_url failed");
  if (options.url.empty() ||
      curl_url_set(u.get(), CURLUPART_URL, options.url.c_str(), 0) != CURLUE_OK) {
    return InvalidArgument(url_field +
                               " must be smtp://host[:port] or smtps://host[:port], got \"" +
                               options.url + "\"",
                           url_field);
  }
  const std::string scheme = UrlPart(u.get(), CURLUPART_SCHEME);
  if (scheme != "smtp" && scheme != "smtps") {
    return InvalidArgument(url_field + " must use smtp:// or smtps://, got \"" + scheme + "://\"",
                           url_field);
  }
  if (UrlPart(u.get(), CURLUPART_HOST).empty()) {
    return InvalidArgument(url_field + " has no host", url_field);
  }
  if (!UrlPart(u.get(), CURLUPART_USER).empty() || !UrlPart(u.get(), CURLUPART_PASSWORD).empty()) {
    return InvalidArgument(
        url_field +
            " must not contain credentials; set notify.smtp.username and notify.smtp.password",
        url_field);
  }
  if (!UrlPart(u.get(), CURLUPART_QUERY).empty() || !UrlPart(u.get(), CURLUPART_FRAGMENT).empty()) {
    return InvalidArgument(url_field + " must not have a query or fragment", url_field);
  }
  Result<Mailbox> from = ParseMailbox(options.from);
  if (!from.ok()) {
    return InvalidArgument("notify.smtp.from: " + from.status().message(), "notify.smtp.from");
  }
  if (!options.ca_file.empty() && ::access(options.ca_file.c_str(), R_OK) != 0) {
    return InvalidArgument(
        "notify.smtp.ca_file: cannot read \"" + options.ca_file +
            "\": " + std::strerror(errno),  // NOLINT(concurrency-mt-unsafe): start-up only
        "notify.smtp.ca_file");
  }
  if (options.timeout.count() <= 0) {
    return InvalidArgument("notify.smtp.timeout must be positive", "notify.smtp.timeout");
  }
  const bool implicit_tls = scheme == "smtps";
  return std::unique_ptr<Mailer>(
      std::make_unique<SmtpMailer>(std::move(options), from->address, implicit_tls));
}

}  // namespace tocsin::notify
