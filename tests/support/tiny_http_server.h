// TinyHttpServer: a scriptable HTTP/1.1 server on a loopback address and an
// ephemeral port, for tests of outbound HTTP (the guarded HttpClient, carrier
// and webhook senders). Plain POSIX sockets, one thread per connection, one
// request per connection (every response says "Connection: close").
//
// A test scripts the responses (status, headers, body, a delay, a hang, a
// close mid-response), then inspects what arrived: every request's method,
// target, headers and body, and how many connections were accepted at all
// (to prove that nothing connected).
//
// Thread-safety: every method may be called from any thread while the server
// runs. The destructor stops the server.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace tocsin::test {

struct ScriptedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Waits this long after reading the request before answering (interrupted by Stop).
  std::chrono::milliseconds delay{0};
  // Never answers; holds the connection open until the server stops.
  bool hang = false;
  // Sends the head with the full Content-Length and half of the body, then closes.
  bool close_mid_response = false;
  // Closes the connection without sending anything.
  bool close_without_response = false;
  // Sends no Content-Length: the body ends when the connection closes.
  bool omit_content_length = false;
};

struct ReceivedRequest {
  std::string method;
  std::string target;                                        // As sent: "/path?query".
  std::vector<std::pair<std::string, std::string>> headers;  // Names lower-cased.
  std::string body;                                          // Chunked bodies are decoded.

  // Returns the value of the first header named `name` (any case), or "" if absent.
  std::string Header(std::string_view name) const;
};

class TinyHttpServer {
 public:
  using Handler = std::function<ScriptedResponse(const ReceivedRequest&)>;

  // Listens on `address` ("127.0.0.1", "::1", any loopback address) and an
  // ephemeral port. Check ok() before use.
  explicit TinyHttpServer(std::string address = "127.0.0.1");
  ~TinyHttpServer();
  TinyHttpServer(const TinyHttpServer&) = delete;
  TinyHttpServer& operator=(const TinyHttpServer&) = delete;

  // Returns true when the server is listening.
  bool ok() const { return listen_fd_ >= 0; }
  uint16_t port() const { return port_; }
  const std::string& address() const { return address_; }
  // Returns "http://127.0.0.1:PORT" + `path` ("http://[::1]:PORT/..." for IPv6).
  std::string Url(std::string_view path = "/") const;

  // Queues `response` for the next request; queued responses are used in order.
  void Enqueue(ScriptedResponse response);
  // Answers requests when the queue is empty (default: 200 with body "ok").
  void SetHandler(Handler handler);

  // Returns the complete requests received so far, in arrival order.
  std::vector<ReceivedRequest> Requests() const;
  size_t request_count() const;
  // Returns how many connections were accepted (including ones that sent nothing).
  size_t accept_count() const { return accepts_.load(); }
  // Waits up to `timeout` until at least `n` requests arrived; returns whether they did.
  bool WaitForRequests(size_t n, std::chrono::milliseconds timeout) const;

  // Closes the listener and every connection and joins all threads. Idempotent.
  void Stop();

 private:
  void AcceptLoop();
  void Serve(int fd);
  // Reads one request from `fd`; returns false on EOF, error, or Stop.
  bool ReadRequest(int fd, ReceivedRequest* request);
  // Waits until `fd` is readable; false once the server is stopping.
  bool WaitReadable(int fd) const;
  ScriptedResponse NextResponse(const ReceivedRequest& request);

  std::string address_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  int wake_[2] = {-1, -1};  // Written once by Stop: wakes every poll.
  std::atomic<size_t> accepts_{0};
  std::thread acceptor_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;     // Signals new requests and stopping_.
  bool stopping_ = false;                  // Guarded by mu_.
  std::deque<ScriptedResponse> queue_;     // Guarded by mu_.
  Handler handler_;                        // Guarded by mu_.
  std::vector<ReceivedRequest> requests_;  // Guarded by mu_.
  std::vector<std::thread> connections_;   // Guarded by mu_.
};

}  // namespace tocsin::test
