// HTTP requests and responses as plain values, and the handler contract.
//
// These types carry no Beast or Asio state, so handlers (api module) and their
// tests build and inspect them without sockets. The server (server.h) converts
// to and from the wire.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::http {

struct Header {
  std::string name;  // Lower case.
  std::string value;
};

struct Request {
  std::string method;  // Upper case, e.g. "GET"; HEAD arrives as "HEAD".
  std::string target;  // Raw request-target, e.g. "/api/v1/contacts?limit=5".
  std::string path;    // Percent-decoded path, e.g. "/api/v1/contacts".
  std::vector<std::pair<std::string, std::string>> query;  // Decoded, in order.
  std::vector<Header> headers;
  std::string body;
  std::string request_id;           // Validated X-Request-Id, or generated.
  std::string remote_address;       // Peer IP.
  std::vector<std::string> params;  // Path parameters, in pattern order.

  // Returns the first header named `name` (case-insensitive), or "".
  std::string_view HeaderValue(std::string_view name) const;
  // Returns the first query value for `key`.
  std::optional<std::string_view> QueryValue(std::string_view key) const;
  // Returns every query value for `key`.
  std::vector<std::string_view> QueryValues(std::string_view key) const;
};

// Receives a live stream's chunks (Server-Sent Events). Thread-safe.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Queues `chunk` for the client. Returns false once the connection is gone
  // or the client is too slow (its queue is over the limit; it is then
  // dropped): the producer should stop.
  virtual bool Write(std::string chunk) = 0;
  // Ends the response and the connection.
  virtual void Close() = 0;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::vector<Header> headers;
  std::string body;
  // For the access log only: who made the request ("api-key/<id>").
  std::string principal;
  // When set, the server sends the headers (no Content-Length), then hands a
  // StreamWriter to this function and keeps the connection open for it.
  std::function<void(std::shared_ptr<StreamWriter>)> stream;
};

// Sends the response for a request. Thread-safe; use exactly once (either
// form), from any thread, at any time after the handler was invoked.
class Reply {
 public:
  using SendFn = std::function<void(Response)>;
  using LaterFn = std::function<void(std::function<Response()>)>;

  Reply() = default;
  // `later` may be empty: Later() then builds the response on the calling thread.
  Reply(SendFn send, LaterFn later = {})  // NOLINT(google-explicit-constructor)
      : send_(std::move(send)), later_(std::move(later)) {}

  // Sends `response`.
  void operator()(Response response) const { send_(std::move(response)); }

  // Builds the response with `make` on the connection's I/O thread, then
  // sends it: lets a store callback hand off rendering instead of doing it on
  // the writer thread.
  void Later(std::function<Response()> make) const {
    if (later_) {
      later_(std::move(make));
    } else {
      send_(make());
    }
  }

 private:
  SendFn send_;
  LaterFn later_;
};

// Handles one request. `request` is valid only during the call: asynchronous
// handlers copy what they need.
using Handler = std::function<void(const Request& request, Reply reply)>;

// Returns the JSON error envelope {"error": {"code", "message", "requestId"}}.
std::string ErrorBody(std::string_view code, std::string_view message, std::string_view request_id,
                      std::string_view field = {});
// Returns a Response carrying ErrorBody.
Response ErrorResponse(unsigned status, std::string_view code, std::string_view message,
                       std::string_view request_id);

// Percent-decodes `text`; a '+' stays a '+' (RFC 3986, as the AWS clients
// send). Returns nullopt for malformed escapes or a decoded NUL.
std::optional<std::string> PercentDecode(std::string_view text);

// Splits the query part of a target ("a=1&b=%20") into decoded pairs, in
// order; nullopt if an escape is malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view q);

}  // namespace tocsin::http
