// The Beast/Asio side of the HTTP server. The session follows Beast's async
// server shape (DoX starts an operation, OnX is its completion), one strand
// per connection.
#include "tocsin/http/server.h"

#include <array>
#include <atomic>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "tocsin/core/ids.h"
#include "tocsin/core/log.h"

namespace tocsin::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using Tcp = net::ip::tcp;
using Steady = std::chrono::steady_clock;

constexpr size_t kFirstReadSize = 4096;

bool ValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Returns the IMF-fixdate for the current second; cached per thread.
const std::string& HttpDate() {
  thread_local std::time_t cached_at = 0;
  thread_local std::string cached;
  const std::time_t now = std::time(nullptr);
  if (now != cached_at) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buf;
    cached_at = now;
  }
  return cached;
}

const char* ReasonCode(unsigned status) {
  switch (status) {
    case 400:
      return "BAD_REQUEST";
    case 404:
      return "NOT_FOUND";
    case 405:
      return "METHOD_NOT_ALLOWED";
    case 413:
      return "PAYLOAD_TOO_LARGE";
    case 431:
      return "HEADERS_TOO_LARGE";
    case 503:
      return "UNAVAILABLE";
    default:
      return "INTERNAL";
  }
}

}  // namespace

class Session;

class Server::Impl : public std::enable_shared_from_this<Server::Impl> {
 public:
  Impl(ServerOptions options, const Router& router)
      : options_(std::move(options)), router_(router) {
    ioc_.emplace();
    acceptor_.emplace(*ioc_);
  }

  Status Listen();
  void Start();
  void Shutdown();
  void DoAccept();
  void OnAccept(beast::error_code ec, Tcp::socket socket);

  void Register(Session* s, std::weak_ptr<Session> w) {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    sessions_.emplace(s, std::move(w));
  }
  void Unregister(Session* s) {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    sessions_.erase(s);
    sessions_cv_.notify_all();
  }
  size_t ConnectionCount() {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    return sessions_.size();
  }
  bool EvictOldestIdle();

  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  bool stopping() const { return stopping_.load(); }
  uint16_t bound_port() const { return bound_port_; }

  // Optional so that Shutdown() can destroy them: pending handlers hold
  // shared_ptrs to sessions and to this Impl, and only destroying the
  // io_context releases them.
  std::optional<net::io_context> ioc_;

 private:
  const ServerOptions options_;
  const Router& router_;
  std::optional<Tcp::acceptor> acceptor_;
  std::vector<std::thread> threads_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> shut_down_{false};
  uint16_t bound_port_ = 0;  // Set by Listen().

  std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;  // Guarded by sessions_mu_.
};

class Session : public std::enable_shared_from_this<Session>, public StreamWriter {
 public:
  Session(Tcp::socket socket, std::shared_ptr<Server::Impl> server)
      : server_(std::move(server)), registration_(this), stream_(std::move(socket)) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }

  void Run() {
    server_->Register(this, weak_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoWaitRequest(); });
  }

  // Called (on any thread) when the server stops or needs room: closes the
  // connection if it is idle between requests.
  void CloseIfIdle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) {
        beast::error_code ec;
        self->stream_.socket().shutdown(Tcp::socket::shutdown_both, ec);
        self->stream_.cancel();
      }
    });
  }

  void ForceClose() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->stream_.socket().shutdown(Tcp::socket::shutdown_both, ec);
      self->stream_.socket().close(ec);
    });
  }

  bool idle() const { return idle_.load(); }
  Steady::time_point idle_since() const { return idle_since_.load(); }

  // tocsin::http::StreamWriter
  bool Write(std::string chunk) override {
    std::lock_guard<std::mutex> lock(stream_mu_);
    if (stream_closed_) return false;
    // An empty chunk on the wire is the last chunk: it would end the body.
    if (chunk.empty()) return true;
    if (stream_queued_bytes_ + chunk.size() > server_->options().stream_queue_limit) {
      stream_closed_ = true;  // A slow reader is dropped rather than buffered without bound.
      spdlog::warn("rid={} msg=\"slow stream reader dropped\" queued_bytes={}", stream_rid_,
                   stream_queued_bytes_);
      ForceClose();
      return false;
    }
    stream_queued_bytes_ += chunk.size();
    net::post(stream_.get_executor(), [self = shared_from_this(), c = std::move(chunk)]() mutable {
      if (self->stream_done_) return;
      self->stream_queue_.push_back(std::move(c));
      if (!self->stream_writing_) self->DoWriteChunk();
    });
    return true;
  }

  void Close() override {
    {
      std::lock_guard<std::mutex> lock(stream_mu_);
      if (stream_closed_) return;
      stream_closed_ = true;
    }
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->stream_done_) return;
      self->stream_finishing_ = true;
      if (!self->stream_writing_) self->DoWriteChunk();
    });
  }

 private:
  void DoWaitRequest() {
    if (server_->stopping()) return DoClose();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_->options().header_limit));
    // No limit until the header names the route; Beast would otherwise reject
    // a large Content-Length while parsing the header, before we can say 413.
    parser_->body_limit(boost::none);
    if (buffer_.size() > 0) return DoReadHeader();
    idle_since_ = Steady::now();
    idle_ = true;
    stream_.expires_after(server_->options().idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kFirstReadSize),
        [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnFirstBytes(ec, n); });
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    idle_ = false;
    if (ec) return DoClose();  // Idle timeout, peer closed, or shutdown.
    buffer_.commit(n);
    DoReadHeader();
  }

  void DoReadHeader() {
    idle_ = false;
    started_ = Steady::now();
    stream_.expires_after(server_->options().header_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof) {
      return DoClose();
    }
    request_id_ = NewUuid();
    if (ec == bhttp::error::header_limit) {
      return SendTransportError(
          431,
          "request headers exceed " + std::to_string(server_->options().header_limit) + " bytes");
    }
    if (ec) return SendTransportError(400, "malformed HTTP request: " + ec.message());
    const auto& req = parser_->get();
    // Beast keeps the first of duplicate Content-Length fields only when they
    // agree; any repetition is refused here to rule out request smuggling.
    if (req.count(bhttp::field::content_length) > 1) {
      return SendTransportError(400, "Content-Length must not be repeated");
    }
    method_ = std::string(req.method_string());
    target_ = std::string(req.target());
    keep_alive_ = req.keep_alive();
    auto rid = req["X-Request-Id"];
    if (!rid.empty() && ValidRequestId(rid)) request_id_ = std::string(rid);
    if (req.count(bhttp::field::content_length) > 0 &&
        req.count(bhttp::field::transfer_encoding) > 0) {
      return SendTransportError(400, "Content-Length and Transfer-Encoding must not both be sent");
    }
    if (target_.empty() || target_[0] != '/') {
      return SendTransportError(400, "request target must be an absolute path");
    }
    const auto raw_path = std::string_view(target_).substr(0, target_.find('?'));
    const size_t limit = server_->router().BodyLimit(method_, raw_path);
    if (auto cl = parser_->content_length(); cl && *cl > limit) {
      return SendTransportError(413, "request body of " + std::to_string(*cl) +
                                         " bytes exceeds this endpoint's limit of " +
                                         std::to_string(limit));
    }
    body_limit_ = limit;
    parser_->body_limit(limit);
    if (parser_->is_done()) return Dispatch();
    if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(server_->options().write_timeout);
      return net::async_write(stream_, net::buffer(kContinue),
                              [self = shared_from_this()](beast::error_code wec, size_t) {
                                if (wec) return self->DoClose();
                                self->DoReadBody();
                              });
    }
    DoReadBody();
  }

  void DoReadBody() {
    stream_.expires_after(server_->options().body_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return SendTransportError(413, "request body exceeds this endpoint's limit of " +
                                         std::to_string(body_limit_) + " bytes");
    }
    if (ec == beast::error::timeout || ec == net::error::operation_aborted) return DoClose();
    if (ec) return SendTransportError(400, "malformed HTTP request body: " + ec.message());
    Dispatch();
  }

  void Dispatch() {
    auto& req = parser_->get();
    Request request;
    request.method = method_;
    request.target = target_;
    request.request_id = request_id_;
    request.remote_address = remote_;
    const auto q = target_.find('?');
    const auto raw_path = std::string_view(target_).substr(0, q);
    auto path = PercentDecode(raw_path);
    auto query = ParseQuery(q == std::string::npos ? "" : std::string_view(target_).substr(q + 1));
    if (!path || !query) return SendTransportError(400, "malformed percent-encoding in the URL");
    request.path = std::move(*path);
    request.query = std::move(*query);
    request.headers.reserve(16);
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.push_back({std::move(name), std::string(field.value())});
    }
    request.body = std::move(req.body());

    log_path_ = std::string(raw_path);
    Router::Match match = server_->router().Find(method_, raw_path);
    if (method_ == "OPTIONS" && match.outcome != Router::Outcome::kNotFound) {
      Response r;
      r.status = 204;
      r.headers.push_back({"allow", match.allow});
      return Send(std::move(r));
    }
    if (match.outcome == Router::Outcome::kNotFound) {
      return SendTransportError(404, "no route for " + std::string(raw_path));
    }
    if (match.outcome == Router::Outcome::kMethodNotAllowed) {
      Response r =
          ErrorResponse(405, ReasonCode(405), method_ + " is not allowed here", request_id_);
      r.headers.push_back({"allow", match.allow});
      return Send(std::move(r));
    }
    if (match.route->redact_path) log_path_ = match.route->pattern;
    request.params = std::move(match.params);
    auto replied = std::make_shared<std::atomic<bool>>(false);
    auto claim = [self = shared_from_this(), replied] {
      if (replied->exchange(true)) {
        spdlog::error("rid={} msg=\"handler replied twice\"", self->request_id_);
        return false;
      }
      return true;
    };
    Reply reply(
        [self = shared_from_this(), claim](Response response) {
          if (!claim()) return;
          net::post(self->stream_.get_executor(),
                    [self, r = std::move(response)]() mutable { self->Send(std::move(r)); });
        },
        [self = shared_from_this(), claim](std::function<Response()> make) {
          if (!claim()) return;
          net::post(self->stream_.get_executor(),
                    [self, make = std::move(make)] { self->Send(make()); });
        });
    try {
      match.route->handler(request, std::move(reply));
    } catch (const std::exception& e) {
      spdlog::error("rid={} msg=\"handler threw\" error={}", request_id_, LogQuote(e.what()));
      if (!replied->exchange(true)) {
        Send(ErrorResponse(500, "INTERNAL", "internal error", request_id_));
      }
    }
  }

  void SendTransportError(unsigned status, const std::string& message) {
    keep_alive_ = false;  // The rest of the stream is not trustworthy or not read.
    linger_ = true;
    if (log_path_.empty()) log_path_ = target_.substr(0, target_.find('?'));
    if (method_.empty()) method_ = "-";
    Send(ErrorResponse(status, ReasonCode(status), message, request_id_));
  }

  void Send(Response response) {
    const bool head = method_ == "HEAD";
    if (server_->stopping()) keep_alive_ = false;
    res_ = {};
    res_.version(11);
    res_.result(static_cast<bhttp::status>(response.status));
    res_.set(bhttp::field::server, "tocsin");
    res_.set(bhttp::field::date, HttpDate());
    res_.set("X-Request-Id", request_id_);
    for (const auto& h : response.headers) res_.set(h.name, h.value);
    principal_ = std::move(response.principal);
    status_ = response.status;
    if (response.stream) return StartStream(std::move(response));
    if (!response.body.empty() || response.status != 204) {
      res_.set(bhttp::field::content_type, response.content_type);
    }
    res_.keep_alive(keep_alive_);
    bytes_ = response.body.size();
    if (head) {
      res_.content_length(response.body.size());
    } else {
      res_.body() = std::move(response.body);
      if (response.status != 204 && response.status != 304) res_.prepare_payload();
    }
    stream_.expires_after(server_->options().write_timeout);
    bhttp::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->OnWrite(ec);
    });
  }

  void OnWrite(beast::error_code ec) {
    AccessLog();
    if (!ec && linger_) return DoLingeringClose();
    if (ec || !keep_alive_) return DoClose();
    method_.clear();
    log_path_.clear();
    DoWaitRequest();
  }

  // Server-Sent Events and other long responses: chunked transfer encoding,
  // no timeout while the producer is quiet (it sends heartbeats). The
  // producer gets the writer once the headers are out; a HEAD request gets
  // the headers only.
  void StartStream(Response response) {
    const bool head = method_ == "HEAD";
    res_.set(bhttp::field::content_type, response.content_type);
    res_.set(bhttp::field::cache_control, "no-cache");
    res_.set("X-Accel-Buffering", "no");  // Reverse proxies: pass events on at once.
    res_.chunked(true);
    res_.keep_alive(false);
    keep_alive_ = false;
    {
      std::lock_guard<std::mutex> lock(stream_mu_);
      stream_rid_ = request_id_;
    }
    stream_serializer_.emplace(res_);
    stream_writing_ = true;
    stream_.expires_after(server_->options().write_timeout);
    bhttp::async_write_header(
        stream_, *stream_serializer_,
        [self = shared_from_this(), head, start = std::move(response.stream)](
            beast::error_code ec, size_t) { self->OnStreamHeader(ec, head, start); });
  }

  void OnStreamHeader(beast::error_code ec, bool head,
                      const std::function<void(std::shared_ptr<StreamWriter>)>& start) {
    stream_writing_ = false;
    if (ec) return EndStream();
    AccessLog();
    if (head) return EndStream();
    DoWatchStreamPeer();
    try {
      start(shared_from_this());
    } catch (const std::exception& e) {
      spdlog::error("rid={} msg=\"stream producer threw\" error={}", request_id_,
                    LogQuote(e.what()));
      return EndStream();
    }
    if (!stream_queue_.empty() || stream_finishing_) DoWriteChunk();
  }

  // A stream's client sends nothing more, so a read completes only when it
  // closes or resets the connection: the stream ends then, rather than at the
  // next write (which may be a heartbeat period away). Reads the socket
  // directly: the tcp_stream's timer would end a quiet stream.
  void DoWatchStreamPeer() {
    stream_.socket().async_read_some(net::buffer(stream_peer_scratch_),
                                     [self = shared_from_this()](beast::error_code ec, size_t) {
                                       if (ec) return self->EndStream();
                                       self->DoWatchStreamPeer();  // Stray bytes are discarded.
                                     });
  }

  void DoWriteChunk() {
    if (stream_done_) return;
    if (stream_queue_.empty()) {
      if (stream_finishing_ && !stream_ended_) {
        stream_ended_ = true;
        stream_writing_ = true;
        stream_.expires_after(server_->options().write_timeout);
        net::async_write(
            stream_, bhttp::make_chunk_last(),
            [self = shared_from_this()](beast::error_code, size_t) { self->EndStream(); });
      }
      return;
    }
    stream_writing_ = true;
    current_chunk_ = std::move(stream_queue_.front());
    stream_queue_.pop_front();
    {
      std::lock_guard<std::mutex> lock(stream_mu_);
      stream_queued_bytes_ -= current_chunk_.size();
    }
    stream_.expires_after(server_->options().write_timeout);
    net::async_write(stream_, bhttp::make_chunk(net::buffer(current_chunk_)),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->stream_writing_ = false;
                       if (ec) return self->EndStream();
                       self->DoWriteChunk();
                     });
  }

  // Ends the stream for good (finished, failed, or the peer left): producers'
  // writes fail from now on, and what is still queued is dropped.
  void EndStream() {
    {
      std::lock_guard<std::mutex> lock(stream_mu_);
      stream_closed_ = true;
      stream_queued_bytes_ = 0;
    }
    stream_done_ = true;
    stream_queue_.clear();
    DoClose();
  }

  void AccessLog() {
    if (!server_->options().access_log || method_.empty()) return;
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - started_).count();
    spdlog::info("rid={} method={} path={} status={} bytes={} dur_us={} remote={} principal={}",
                 request_id_, method_, LogQuote(log_path_), status_, bytes_, micros, remote_,
                 principal_.empty() ? "-" : principal_);
  }

  // After an error response to a request whose body was not read: closing at
  // once with unread bytes queued makes the kernel send RST, and the client
  // may then lose the response it has not read yet. Half-close, discard what
  // still arrives (bounded in bytes and time), then close.
  void DoLingeringClose() {
    beast::error_code ec;
    stream_.socket().shutdown(Tcp::socket::shutdown_send, ec);
    if (ec) return DoClose();
    stream_.expires_after(std::chrono::seconds(2));
    DoDrain(0);
  }

  void DoDrain(size_t drained) {
    static constexpr size_t kMaxDrain = 1 << 20;
    auto scratch = std::make_shared<std::array<char, 16384>>();
    stream_.async_read_some(net::buffer(*scratch), [self = shared_from_this(), scratch, drained](
                                                       beast::error_code ec, size_t n) {
      if (ec || drained + n > kMaxDrain) return self->DoClose();
      self->DoDrain(drained + n);
    });
  }

  void DoClose() {
    idle_ = false;
    beast::error_code ec;
    stream_.socket().shutdown(Tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  // Unregisters the session when destroyed. Declared after server_ and before
  // everything else, so it runs after the stream (which needs the
  // io_context's services) is gone: the last reference to a session may be
  // dropped on another thread (a store callback holding a Reply) while
  // Shutdown() waits to destroy the io_context once no session is left.
  struct Registration {
    explicit Registration(Session* s) : session(s) {}
    ~Registration() { session->server_->Unregister(session); }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    Session* session;
  };

  std::shared_ptr<Server::Impl> server_;
  Registration registration_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  std::string remote_;

  // Per request; touched only on the strand.
  std::string request_id_;
  std::string method_;
  std::string target_;
  std::string log_path_;
  std::string principal_;
  unsigned status_ = 0;
  size_t bytes_ = 0;
  size_t body_limit_ = 0;
  bool keep_alive_ = true;
  bool linger_ = false;  // Drain unread input before closing (after an error).
  Steady::time_point started_{};

  std::atomic<bool> idle_{false};
  std::atomic<Steady::time_point> idle_since_{Steady::time_point{}};

  // Streaming state. The queue and flags are strand-only; the byte count and
  // closed flag are shared with producers under stream_mu_.
  std::optional<bhttp::response_serializer<bhttp::string_body>> stream_serializer_;
  std::deque<std::string> stream_queue_;
  std::string current_chunk_;
  std::array<char, 256> stream_peer_scratch_{};
  bool stream_writing_ = false;
  bool stream_finishing_ = false;  // Close() was called: end after the queue.
  bool stream_ended_ = false;      // The last chunk is being written.
  bool stream_done_ = false;       // EndStream() ran: nothing more is written.
  std::mutex stream_mu_;
  size_t stream_queued_bytes_ = 0;  // Guarded by stream_mu_.
  bool stream_closed_ = false;      // Guarded by stream_mu_.
  std::string stream_rid_;          // Guarded by stream_mu_. For producers' log lines.
};

Status Server::Impl::Listen() {
  beast::error_code ec;
  const auto address = net::ip::make_address(options_.host, ec);
  if (ec)
    return InvalidArgument("server.listen: bad address \"" + options_.host + "\"", "server.listen");
  const Tcp::endpoint endpoint(address, options_.port);
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                       ": " + ec.message());
  }
  bound_port_ = acceptor_->local_endpoint(ec).port();
  return Status::Ok();
}

void Server::Impl::Start() {
  work_.emplace(net::make_work_guard(*ioc_));
  DoAccept();
  const int n = std::max(1, options_.io_threads);
  for (int i = 0; i < n; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        try {
          ioc_->run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("msg=\"I/O thread caught exception\" error={}", LogQuote(e.what()));
        }
      }
    });
  }
}

void Server::Impl::DoAccept() {
  acceptor_->async_accept(net::make_strand(*ioc_),
                          [self = shared_from_this()](beast::error_code ec, Tcp::socket socket) {
                            self->OnAccept(ec, std::move(socket));
                          });
}

bool Server::Impl::EvictOldestIdle() {
  std::shared_ptr<Session> oldest;
  {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    for (auto& [raw, weak] : sessions_) {
      auto s = weak.lock();
      if (s && s->idle() && (!oldest || s->idle_since() < oldest->idle_since())) oldest = s;
    }
  }
  if (!oldest) return false;
  oldest->CloseIfIdle();
  return true;
}

void Server::Impl::OnAccept(beast::error_code ec, Tcp::socket socket) {
  if (ec) {
    if (ec == net::error::operation_aborted || stopping_) return;
    spdlog::warn("msg=\"accept failed\" error={}", LogQuote(ec.message()));
    // Out of descriptors: back off briefly instead of spinning.
    if (ec == net::error::no_descriptors)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return DoAccept();
  }
  if (stopping_) return;
  if (ConnectionCount() >= options_.max_connections && !EvictOldestIdle()) {
    // Every connection is busy: refuse this one with a short 503. A fresh
    // socket's send buffer is empty, so this small write does not block.
    static const std::string kBusy = [] {
      const std::string body = ErrorBody("UNAVAILABLE", "too many connections", "");
      return "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n"
             "Content-Type: application/json\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    beast::error_code wec;
    net::write(socket, net::buffer(kBusy), wec);
    socket.close(wec);
    return DoAccept();
  }
  std::make_shared<Session>(std::move(socket), shared_from_this())->Run();
  DoAccept();
}

void Server::Impl::Shutdown() {
  if (shut_down_.exchange(true)) return;
  stopping_ = true;
  if (threads_.empty()) {
    // Never started: nothing runs the io_context, so close directly.
    beast::error_code ec;
    acceptor_->close(ec);
  } else {
    net::post(acceptor_->get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_->close(ec);
    });
  }
  auto snapshot = [this] {
    std::vector<std::shared_ptr<Session>> out;
    std::lock_guard<std::mutex> lock(sessions_mu_);
    for (auto& [raw, weak] : sessions_) {
      if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
  };
  for (auto& s : snapshot()) s->CloseIfIdle();
  {
    std::unique_lock<std::mutex> lock(sessions_mu_);
    sessions_cv_.wait_for(lock, options_.shutdown_grace, [this] { return sessions_.empty(); });
  }
  for (auto& s : snapshot()) s->ForceClose();
  {
    std::unique_lock<std::mutex> lock(sessions_mu_);
    sessions_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return sessions_.empty(); });
  }
  work_.reset();
  ioc_->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  acceptor_.reset();
  if (ConnectionCount() == 0) {
    ioc_.reset();
  } else {
    // Something outside the I/O threads still holds a session (a reply that
    // never came). Destroying the io_context would leave that session's
    // socket dangling, so keep it; the process is exiting anyway.
    spdlog::warn("msg=\"sessions still referenced at shutdown\" count={}", ConnectionCount());
  }
}

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_shared<Impl>(std::move(options), router)) {}

Server::~Server() { Shutdown(); }

Status Server::Listen() { return impl_->Listen(); }

uint16_t Server::port() const { return impl_->bound_port(); }

void Server::Start() { impl_->Start(); }
void Server::Shutdown() { impl_->Shutdown(); }
size_t Server::ConnectionCount() const { return impl_->ConnectionCount(); }

}  // namespace tocsin::http
