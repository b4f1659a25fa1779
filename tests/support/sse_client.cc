#include "support/sse_client.h"

#include <charconv>
#include <functional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tocsin::test {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using Steady = std::chrono::steady_clock;

nlohmann::json SseEvent::json() const {
  auto j = nlohmann::json::parse(data, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

int64_t SseEvent::seq() const {
  int64_t out = -1;
  auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), out);
  return ec == std::errc() && ptr == id.data() + id.size() ? out : -1;
}

class SseClient::Conn {
 public:
  Conn() : stream(ioc) {
    parser.body_limit(boost::none);
    on_chunk = [this](std::uint64_t, beast::string_view body, beast::error_code&) {
      data.append(body.data(), body.size());
      return body.size();
    };
    parser.on_chunk_body(on_chunk);
  }

  // Runs one asynchronous operation to completion, or until `deadline` (the
  // stream's timer then closes the socket and the operation fails).
  template <typename Start>
  beast::error_code Run(Start start, Steady::time_point deadline) {
    beast::error_code result = net::error::would_block;
    stream.expires_at(deadline);
    start([&result](beast::error_code ec, size_t) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  net::io_context ioc;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  std::function<std::size_t(std::uint64_t, beast::string_view, beast::error_code&)> on_chunk;
  std::string data;  // Chunk bodies received, not yet taken by the client.
};

SseClient::SseClient(uint16_t port, const std::string& target, const SseOptions& options)
    : conn_(std::make_unique<Conn>()) {
  Conn& c = *conn_;
  const auto deadline = Steady::now() + options.timeout;
  beast::error_code ec;
  auto& socket = c.stream.socket();
  socket.open(net::ip::tcp::v4(), ec);
  if (!ec && options.receive_buffer > 0) {
    socket.set_option(net::socket_base::receive_buffer_size(options.receive_buffer), ec);
  }
  if (!ec) socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
  if (!ec) {
    bhttp::request<bhttp::empty_body> req(bhttp::verb::get, target, 11);
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::accept, "text/event-stream");
    for (const auto& [name, value] : options.headers) req.set(name, value);
    // A small request on a fresh connection: the write does not block.
    bhttp::write(socket, req, ec);
  }
  if (!ec) {
    ec = c.Run(
        [&c](auto handler) { bhttp::async_read_header(c.stream, c.buffer, c.parser, handler); },
        deadline);
  }
  if (ec) {
    ended_ = true;
    timed_out_ = ec == beast::error::timeout;
    error_ = ec.message();
    Close();
    return;
  }
  const auto& res = c.parser.get();
  status_ = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    headers_[name] = std::string(field.value());
  }
  if (!c.parser.chunked()) {
    // Not a stream (an error response): read it whole.
    if (!c.parser.is_done()) {
      ec = c.Run([&c](auto handler) { bhttp::async_read(c.stream, c.buffer, c.parser, handler); },
                 deadline);
    }
    body_ = c.parser.get().body();
    ended_ = true;
    finished_ = !ec;
    if (ec) error_ = ec.message();
    Close();
  }
}

SseClient::~SseClient() { Close(); }

std::string SseClient::header(const std::string& name) const {
  auto it = headers_.find(name);
  return it == headers_.end() ? "" : it->second;
}

void SseClient::Close() {
  beast::error_code ec;
  conn_->stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  conn_->stream.socket().close(ec);
}

bool SseClient::ParseBlock(SseEvent& out) {
  pending_ += conn_->data;
  conn_->data.clear();
  const auto end = pending_.find("\n\n");
  if (end == std::string::npos) return false;
  const std::string block = pending_.substr(0, end);
  pending_.erase(0, end + 2);
  out = SseEvent{};
  size_t start = 0;
  while (start <= block.size()) {
    size_t nl = block.find('\n', start);
    if (nl == std::string::npos) nl = block.size();
    const std::string line = block.substr(start, nl - start);
    start = nl + 1;
    const auto colon = line.find(':');
    std::string name = line.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    auto append = [](std::string& to, const std::string& v) {
      if (!to.empty()) to += '\n';
      to += v;
    };
    if (name.empty()) {
      append(out.comment, value);
    } else if (name == "id") {
      out.id = value;
    } else if (name == "event") {
      out.event = value;
    } else if (name == "data") {
      append(out.data, value);
    }
  }
  return true;
}

std::optional<SseEvent> SseClient::Next(std::chrono::milliseconds timeout) {
  Conn& c = *conn_;
  const auto deadline = Steady::now() + timeout;
  for (;;) {
    SseEvent event;
    if (ParseBlock(event)) return event;
    if (ended_) return std::nullopt;
    if (c.parser.is_done()) {
      ended_ = true;
      finished_ = true;
      return std::nullopt;
    }
    beast::error_code ec =
        c.Run([&c](auto handler) { bhttp::async_read_some(c.stream, c.buffer, c.parser, handler); },
              deadline);
    if (ec) {
      ended_ = true;
      timed_out_ = ec == beast::error::timeout;
      finished_ = c.parser.is_done();
      error_ = ec.message();
      Close();
    }
  }
}

std::optional<SseEvent> SseClient::NextEvent(std::chrono::milliseconds timeout) {
  for (;;) {
    auto event = Next(timeout);
    if (!event || !event->is_comment()) return event;
  }
}

std::vector<SseEvent> SseClient::ReadThrough(int64_t seq, std::chrono::milliseconds timeout) {
  std::vector<SseEvent> out;
  while (auto event = NextEvent(timeout)) {
    out.push_back(std::move(*event));
    if (out.back().seq() >= seq) break;
  }
  return out;
}

}  // namespace tocsin::test
