// Server: the HTTP/1.1 listener (Boost.Beast) in front of a Router.
//
// Per connection: keep-alive, one request at a time; headers over
// `header_limit` → 431; a body over the route's limit → 413 decided from
// Content-Length before the body is read (chunked bodies are cut off at the
// limit); idle, header, body and write timeouts; a cap on open connections
// (idle keep-alive connections are closed first to make room). Every
// response carries X-Request-Id (the client's, if it is 1..64 characters of
// [A-Za-z0-9._-], else a new UUID) and one access-log line is written per
// request when enabled.
//
// Thread-safety: all methods may be called from any thread; Shutdown() must
// not be called from an I/O thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "tocsin/core/status.h"
#include "tocsin/http/router.h"

namespace tocsin::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port (tests).
  int io_threads = 1;
  size_t max_connections = 16384;
  size_t header_limit = 8192;
  std::chrono::milliseconds idle_timeout{60'000};    // Waiting for the next request.
  std::chrono::milliseconds header_timeout{10'000};  // From its first byte to the end of headers.
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds shutdown_grace{10'000};  // For in-flight requests on Shutdown().
  size_t stream_queue_limit = 1 << 20;               // Bytes buffered for one slow SSE client.
  bool access_log = true;
};

class Server {
 public:
  // Does not take ownership of `router`, which must outlive the server.
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. kUnavailable (with the reason) if the address cannot be bound.
  Status Listen();
  // The bound port (after Listen()).
  uint16_t port() const;
  // Starts accepting on `io_threads` threads. REQUIRES: Listen() succeeded.
  void Start();
  // Stops accepting, closes idle connections, lets in-flight requests finish
  // (up to shutdown_grace), then stops the I/O threads. Idempotent; blocks.
  void Shutdown();
  // Open connections right now.
  size_t ConnectionCount() const;

 private:
  class Impl;
  friend class Session;  // The per-connection state machine in server.cc.
  std::shared_ptr<Impl> impl_;
};

}  // namespace tocsin::http
