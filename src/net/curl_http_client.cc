// The production HttpClient: libcurl behind the outbound guard.
//
// The guard runs twice. Before the transfer we parse the URL with curl's own
// parser (so we see the host curl will use, numeric IPv4 spellings already
// normalized), resolve it, refuse forbidden addresses and pin curl to the
// vetted ones with CURLOPT_RESOLVE. At connect time CURLOPT_OPENSOCKETFUNCTION
// checks the address curl actually chose, so a second resolution (DNS
// rebinding) cannot slip through even if the pin were bypassed.
#include <netdb.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "tocsin/core/log.h"
#include "tocsin/net/outbound.h"

#include <sys/socket.h>

namespace tocsin::net {
namespace {

// Response headers are bounded separately from the body, never below this.
constexpr size_t kMinHeaderBound = size_t{64} * 1024;

CURLcode InitCurlOnce() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result;
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct CurlStringDeleter {
  void operator()(char* s) const { curl_free(s); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// RFC 9110 token characters (method and header names).
bool IsToken(std::string_view s) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kExtra.find(c) != std::string_view::npos;
  });
}

bool HasLineBreak(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

bool HasHeader(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return ToLower(h.first) == name; });
}

// Returns the URL part, or nullopt when it is absent.
std::optional<std::string> UrlPart(CURLU* url, CURLUPart part, unsigned int flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, flags) != CURLUE_OK) return std::nullopt;
  CurlString owned(raw);
  return std::string(raw);
}

// State of one transfer, shared with curl's callbacks.
struct Transfer {
  const OutboundGuard* guard = nullptr;
  std::string host;
  std::vector<IpAddress> vetted;
  size_t max_body = 0;
  size_t max_headers = 0;
  size_t header_bytes = 0;
  bool too_large = false;
  std::string refused;  // Why OpenSocket refused an address, when it did.
  HttpResponse response;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (n > t->max_body - t->response.body.size()) {
    t->too_large = true;
    return 0;  // Any short count aborts the transfer with CURLE_WRITE_ERROR.
  }
  t->response.body.append(data, n);
  return n;
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  t->header_bytes += n;
  if (t->header_bytes > t->max_headers) {
    t->too_large = true;
    return 0;
  }
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  Headers& headers = t->response.headers;
  if (line.rfind("HTTP/", 0) == 0) {
    headers.clear();  // A new response (after a 1xx): keep only the final one's headers.
  } else if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    // Obsolete line folding continues the previous value.
    if (!headers.empty()) headers.back().second += " " + std::string(TrimBlanks(line));
  } else if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
    headers.emplace_back(ToLower(line.substr(0, colon)),
                         std::string(TrimBlanks(line.substr(colon + 1))));
  }
  return n;
}

curl_socket_t OnOpenSocket(void* user, curlsocktype /*purpose*/, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  const std::optional<IpAddress> target =
      IpAddressFromSockaddr(&address->addr, static_cast<socklen_t>(address->addrlen));
  if (!target) {
    t->refused = "refusing a connection to a non-IP address";
    return CURL_SOCKET_BAD;
  }
  const Status ok = t->guard->CheckConnect(t->host, t->vetted, *target);
  if (!ok.ok()) {
    t->refused = ok.message();
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

class GuardedHttpClient final : public HttpClient {
 public:
  GuardedHttpClient(OutboundPolicy policy, OutboundGuard guard)
      : policy_(std::move(policy)), guard_(std::move(guard)) {}
  GuardedHttpClient(const GuardedHttpClient&) = delete;
  GuardedHttpClient& operator=(const GuardedHttpClient&) = delete;

  // tocsin::net::HttpClient
  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  const OutboundPolicy policy_;
  const OutboundGuard guard_;
};

Result<HttpResponse> GuardedHttpClient::Send(const HttpRequest& request) {
  if (!IsToken(request.method)) return InvalidArgument("bad HTTP method");
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name)) return InvalidArgument("bad header name \"" + name + "\"");
    if (HasLineBreak(value)) {
      return InvalidArgument("header " + name + " contains CR, LF or NUL");
    }
  }
  if (HasLineBreak(request.basic_user) || HasLineBreak(request.basic_password) ||
      request.basic_user.find(':') != std::string::npos) {
    return InvalidArgument("bad basic auth user or password");
  }
  const std::chrono::milliseconds total = request.timeout.value_or(policy_.total_timeout);
  if (total.count() <= 0) return InvalidArgument("timeout must be positive");
  const std::chrono::milliseconds connect = std::min(policy_.connect_timeout, total);

  // One parser: curl's, handed to the transfer itself with CURLOPT_CURLU.
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url) return Internal("curl_url failed");
  if (const CURLUcode rc = curl_url_set(url.get(), CURLUPART_URL, request.url.c_str(), 0);
      rc != CURLUE_OK) {
    return InvalidArgument(std::string("bad URL: ") + curl_url_strerror(rc));
  }
  const std::string scheme = ToLower(UrlPart(url.get(), CURLUPART_SCHEME).value_or(""));
  if (scheme != "http" && scheme != "https") {
    return InvalidArgument("scheme \"" + scheme + "\" is not allowed (http and https only)");
  }
  if (UrlPart(url.get(), CURLUPART_USER) || UrlPart(url.get(), CURLUPART_PASSWORD)) {
    return InvalidArgument("credentials in the URL are not allowed; use basic auth");
  }
  if (UrlPart(url.get(), CURLUPART_ZONEID)) {
    return InvalidArgument("IPv6 zone ids are not allowed");
  }
  std::string host = ToLower(UrlPart(url.get(), CURLUPART_HOST, CURLU_PUNYCODE).value_or(""));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) return InvalidArgument("URL has no host");
  const std::string port = UrlPart(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT).value_or("");

  // getaddrinfo accepts every IPv4 spelling inet_aton does, like curl's resolver.
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
    return Unavailable("cannot resolve " + host + ": " + ::gai_strerror(rc));
  }
  Transfer t;
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const std::optional<IpAddress> ip = IpAddressFromSockaddr(ai->ai_addr, ai->ai_addrlen);
    if (ip && std::find(t.vetted.begin(), t.vetted.end(), *ip) == t.vetted.end()) {
      t.vetted.push_back(*ip);
    }
  }
  ::freeaddrinfo(found);
  if (Status guard = guard_.CheckResolved(host, t.vetted); !guard.ok()) {
    spdlog::warn("msg=\"outbound request refused\" host={} error={}", host,
                 LogQuote(guard.message()));
    return guard;
  }
  t.guard = &guard_;
  t.host = host;
  t.max_body = policy_.max_response_bytes;
  t.max_headers = std::max(policy_.max_response_bytes, kMinHeaderBound);

  std::unique_ptr<curl_slist, SlistDeleter> resolve;
  if (!ParseIpAddress(host)) {
    std::string pin = host + ":" + port + ":";
    for (size_t i = 0; i < t.vetted.size(); ++i) {
      if (i > 0) pin += ",";
      pin += t.vetted[i].v6 ? "[" + t.vetted[i].ToString() + "]" : t.vetted[i].ToString();
    }
    resolve.reset(curl_slist_append(nullptr, pin.c_str()));
    if (!resolve) return Internal("out of memory");
  }

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&headers](const std::string& line) {
    // curl_slist_append returns the head, which is new only for an empty list.
    curl_slist* head = curl_slist_append(headers.get(), line.c_str());
    if (head == nullptr) return false;
    if (!headers) headers.reset(head);
    return true;
  };
  for (const auto& [name, value] : request.headers) {
    // "Name:" would remove the header; "Name;" sends it empty.
    if (!add_header(value.empty() ? name + ";" : std::string(name).append(": ").append(value))) {
      return Internal("out of memory");
    }
  }
  // No implicit form content type and no 100-continue round trip.
  if (!HasHeader(request.headers, "content-type") && !add_header("Content-Type:")) {
    return Internal("out of memory");
  }
  if (!HasHeader(request.headers, "expect") && !add_header("Expect:")) {
    return Internal("out of memory");
  }

  if (const CURLcode rc = InitCurlOnce(); rc != CURLE_OK) {
    return Internal(std::string("curl_global_init: ") + curl_easy_strerror(rc));
  }
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) return Internal("curl_easy_init failed");
  CURL* c = easy.get();
  char error[CURL_ERROR_SIZE] = {};
  CURLcode set = CURLE_OK;
  auto opt = [&set](CURLcode rc) {
    if (set == CURLE_OK) set = rc;
  };
  opt(curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error));
  opt(curl_easy_setopt(c, CURLOPT_CURLU, url.get()));
  opt(curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https"));
  opt(curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"));
  opt(curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L));
  opt(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L));
  opt(curl_easy_setopt(c, CURLOPT_PROXY, ""));
  opt(curl_easy_setopt(c, CURLOPT_NOPROXY, "*"));
  opt(curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)));
  opt(curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect.count())));
  opt(curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(total.count())));
  opt(curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                       static_cast<curl_off_t>(policy_.max_response_bytes)));
  opt(curl_easy_setopt(c, CURLOPT_USERAGENT, "tocsin"));
  opt(curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get()));
  if (resolve) opt(curl_easy_setopt(c, CURLOPT_RESOLVE, resolve.get()));
  opt(curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, &OnOpenSocket));
  opt(curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t));
  opt(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBody));
  opt(curl_easy_setopt(c, CURLOPT_WRITEDATA, &t));
  opt(curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader));
  opt(curl_easy_setopt(c, CURLOPT_HEADERDATA, &t));
  if (!request.basic_user.empty()) {
    opt(curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC)));
    opt(curl_easy_setopt(c, CURLOPT_USERNAME, request.basic_user.c_str()));
    opt(curl_easy_setopt(c, CURLOPT_PASSWORD, request.basic_password.c_str()));
  }
  const bool sends_body = !request.body.empty() || request.method == "POST" ||
                          request.method == "PUT" || request.method == "PATCH";
  if (request.method == "HEAD") {
    if (!request.body.empty()) return InvalidArgument("a HEAD request has no body");
    opt(curl_easy_setopt(c, CURLOPT_NOBODY, 1L));
  } else if (sends_body) {
    opt(curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size())));
    opt(curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data()));
    if (request.method != "POST") {
      opt(curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str()));
    }
  } else if (request.method == "GET") {
    opt(curl_easy_setopt(c, CURLOPT_HTTPGET, 1L));
  } else {
    opt(curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str()));
  }
  if (set != CURLE_OK) {
    return Internal(std::string("curl_easy_setopt: ") + curl_easy_strerror(set));
  }

  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    const std::string detail = error[0] != '\0' ? error : curl_easy_strerror(rc);
    if (!t.refused.empty()) {
      spdlog::warn("msg=\"outbound connect refused\" host={} error={}", host, LogQuote(t.refused));
      return PermissionDenied(t.refused);
    }
    if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      return ResourceExhausted(
          fmt::format("response from {} exceeds {} bytes", host, policy_.max_response_bytes));
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      return DeadlineExceeded(
          fmt::format("request to {} timed out after {} ms: {}", host, total.count(), detail));
    }
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
      return InvalidArgument("bad URL: " + detail);
    }
    return Unavailable(fmt::format("request to {} failed: {}", host, detail));
  }
  long status = 0;
  char* primary_ip = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
      curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &primary_ip) != CURLE_OK) {
    return Internal("curl_easy_getinfo failed");
  }
  t.response.status = static_cast<int>(status);
  if (primary_ip != nullptr) t.response.peer_address = primary_ip;
  return std::move(t.response);
}

}  // namespace

Result<std::unique_ptr<HttpClient>> NewGuardedHttpClient(OutboundPolicy policy) {
  if (policy.connect_timeout.count() <= 0 || policy.total_timeout.count() <= 0) {
    return InvalidArgument("outbound timeouts must be positive");
  }
  if (policy.max_response_bytes == 0) {
    return InvalidArgument("outbound max_response_bytes must be positive");
  }
  Result<OutboundGuard> guard = OutboundGuard::Create(policy.allow);
  if (!guard.ok()) return guard.status();
  if (const CURLcode rc = InitCurlOnce(); rc != CURLE_OK) {
    return Internal(std::string("curl_global_init: ") + curl_easy_strerror(rc));
  }
  return std::unique_ptr<HttpClient>(
      std::make_unique<GuardedHttpClient>(std::move(policy), std::move(*guard)));
}

}  // namespace tocsin::net
