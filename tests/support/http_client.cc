#include "support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tocsin::test {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

nlohmann::json HttpResult::json() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

std::string HttpResult::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

class HttpClient::Conn {
 public:
  Conn(const std::string& host, uint16_t port) : stream(ioc) {
    net::ip::tcp::endpoint ep(net::ip::make_address(host), port);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(ep);
  }
  net::io_context ioc;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
};

HttpClient::HttpClient(uint16_t port, std::string host) : port_(port), host_(std::move(host)) {}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

namespace {

HttpResult FromResponse(const bhttp::response<bhttp::string_body>& res) {
  HttpResult out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  out.body = res.body();
  return out;
}

}  // namespace

namespace {

// Runs `conn`'s io_context until the started operation completes. The
// operations are asynchronous so that the stream's timeout applies: Asio's
// synchronous reads ignore it, and a test must fail, never hang.
void RunToCompletion(net::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

}  // namespace

HttpResult HttpClient::Send(const std::string& method, const std::string& target,
                            const std::string& body,
                            const std::map<std::string, std::string>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      if (!conn_) {
        conn_ = std::make_unique<Conn>(host_, port_);
        ++connections_opened_;
      }
      bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
      req.set(bhttp::field::host, host_);
      if (!token_.empty()) req.set(bhttp::field::authorization, "Bearer " + token_);
      for (const auto& [k, v] : headers) req.set(k, v);
      req.body() = body;
      if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT")
        req.prepare_payload();
      beast::error_code ec;
      conn_->stream.expires_after(std::chrono::seconds(30));
      bhttp::async_write(conn_->stream, req, [&](beast::error_code e, size_t) { ec = e; });
      RunToCompletion(conn_->ioc);
      if (ec) throw beast::system_error(ec);
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      if (method == "HEAD") parser.skip(true);
      conn_->stream.expires_after(std::chrono::seconds(30));
      bhttp::async_read(conn_->stream, conn_->buffer, parser,
                        [&](beast::error_code e, size_t) { ec = e; });
      RunToCompletion(conn_->ioc);
      if (ec) throw beast::system_error(ec);
      auto res = parser.release();
      HttpResult out = FromResponse(res);
      if (!res.keep_alive()) conn_.reset();
      return out;
    } catch (const std::exception&) {
      conn_.reset();  // Stale keep-alive connection: retry once on a new one.
    }
  }
  return {};
}

HttpResult HttpClient::Raw(const std::string& bytes) {
  try {
    Conn conn(host_, port_);
    ++connections_opened_;
    beast::error_code ec;
    conn.stream.expires_after(std::chrono::seconds(30));
    net::async_write(conn.stream, net::buffer(bytes), [&](beast::error_code e, size_t) { ec = e; });
    RunToCompletion(conn.ioc);
    if (ec) return {};
    bhttp::response_parser<bhttp::string_body> parser;
    conn.stream.expires_after(std::chrono::seconds(30));
    bhttp::async_read(conn.stream, conn.buffer, parser,
                      [&](beast::error_code e, size_t) { ec = e; });
    RunToCompletion(conn.ioc);
    if (ec) return {};
    return FromResponse(parser.release());
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace tocsin::test
