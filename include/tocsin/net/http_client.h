// HttpClient: every outbound HTTP request Tocsin makes (carriers, chat,
// notification-target webhooks) goes through this interface, and the
// production implementation enforces the outbound guard (DESIGN.md §3,
// reliability.md §3.8): it resolves the host, refuses loopback, private,
// link-local, metadata, multicast, reserved and IPv4-embedded IPv6 addresses
// unless allow-listed, connects only to the address it vetted, never follows
// redirects, ignores proxy environment variables, and bounds time and
// response size.
//
// Thread-safety: Send may be called from several threads at once.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tocsin/core/status.h"

namespace tocsin::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "POST";
  std::string url;  // http:// or https:// only.
  Headers headers;
  std::string body;
  // Basic authentication when `basic_user` is not empty.
  std::string basic_user;
  std::string basic_password;
  // Overrides the policy's total timeout for this request.
  std::optional<std::chrono::milliseconds> timeout;
};

struct HttpResponse {
  int status = 0;   // A 3xx is returned as is: redirects are never followed.
  Headers headers;  // Names lower-cased.
  std::string body;
  std::string peer_address;  // The vetted address that was connected to.
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Sends one request and returns the response, whatever its status code.
  // Errors: kPermissionDenied when the guard refuses the destination (the
  // message names the address and the rule); kInvalidArgument for a bad URL or
  // scheme; kDeadlineExceeded on timeout; kResourceExhausted when the response
  // exceeds the size bound; kUnavailable for DNS, connection and protocol
  // failures (refused, reset, closed mid-response, TLS).
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace tocsin::net
