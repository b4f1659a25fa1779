// A small synchronous HTTP/1.1 client for tests (Boost.Beast), with one
// keep-alive connection per client, plus raw-bytes access for malformed
// requests. Not thread-safe: one client per thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace tocsin::test {

struct HttpResult {
  int status = 0;                              // 0: no response (connection failed or closed).
  std::map<std::string, std::string> headers;  // Lower-case names.
  std::string body;
  nlohmann::json json() const;  // Parsed body ({} when empty or not JSON).
  std::string header(const std::string& name) const;
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port, std::string host = "127.0.0.1");
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Sends a request on the kept-alive connection (reconnecting if needed).
  // `headers` are extra "Name: value" pairs.
  HttpResult Send(const std::string& method, const std::string& target,
                  const std::string& body = "",
                  const std::map<std::string, std::string>& headers = {});

  // Sets a default bearer token for every request.
  void SetToken(std::string token) { token_ = std::move(token); }

  HttpResult Get(const std::string& target) { return Send("GET", target); }
  HttpResult Post(const std::string& target, const nlohmann::json& body) {
    return Send("POST", target, body.dump());
  }
  HttpResult Patch(const std::string& target, const nlohmann::json& body,
                   const std::map<std::string, std::string>& headers = {}) {
    return Send("PATCH", target, body.dump(), headers);
  }
  HttpResult Delete(const std::string& target) { return Send("DELETE", target); }

  // Opens a fresh connection, writes `bytes` verbatim, and reads one response
  // (or until the server closes). For malformed-framing tests.
  HttpResult Raw(const std::string& bytes);

  // Number of TCP connections this client has opened.
  int connections_opened() const { return connections_opened_; }

 private:
  class Conn;
  uint16_t port_;
  std::string host_;
  std::string token_;
  std::unique_ptr<Conn> conn_;
  int connections_opened_ = 0;
};

}  // namespace tocsin::test
