#include "support/tiny_http_server.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace tocsin::test {
namespace {

constexpr size_t kMaxHead = 1 << 20;
constexpr size_t kMaxBody = 64 << 20;

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

std::string ReceivedRequest::Header(std::string_view name) const {
  const std::string lower = ToLower(name);
  for (const auto& [n, v] : headers) {
    if (n == lower) return v;
  }
  return "";
}

TinyHttpServer::TinyHttpServer(std::string address) : address_(std::move(address)) {
  if (::pipe2(wake_, O_CLOEXEC) != 0) return;
  sockaddr_storage ss{};
  socklen_t len = 0;
  const bool v6 = address_.find(':') != std::string::npos;
  if (v6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    if (::inet_pton(AF_INET6, address_.c_str(), &a.sin6_addr) != 1) return;
    std::memcpy(&ss, &a, sizeof(a));
    len = sizeof(a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    if (::inet_pton(AF_INET, address_.c_str(), &a.sin_addr) != 1) return;
    std::memcpy(&ss, &a, sizeof(a));
    len = sizeof(a);
  }
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0 || ::listen(fd, 64) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    ::close(fd);
    return;
  }
  port_ = ntohs(v6 ? reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_port
                   : reinterpret_cast<const sockaddr_in*>(&ss)->sin_port);
  listen_fd_ = fd;
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TinyHttpServer::~TinyHttpServer() {
  Stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  for (int fd : wake_) {
    if (fd >= 0) ::close(fd);
  }
}

std::string TinyHttpServer::Url(std::string_view path) const {
  const bool v6 = address_.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + address_ + "]" : address_) + ":" + std::to_string(port_) +
         std::string(path);
}

void TinyHttpServer::Enqueue(ScriptedResponse response) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(std::move(response));
}

void TinyHttpServer::SetHandler(Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

std::vector<ReceivedRequest> TinyHttpServer::Requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t TinyHttpServer::request_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

bool TinyHttpServer::WaitForRequests(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

void TinyHttpServer::Stop() {
  std::vector<std::thread> connections;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (wake_[1] >= 0) {
    const char byte = 1;
    while (::write(wake_[1], &byte, 1) < 0 && errno == EINTR) {
    }
  }
  if (acceptor_.joinable()) acceptor_.join();
  {
    // The acceptor has exited, so no thread is added any more.
    std::lock_guard<std::mutex> lock(mu_);
    connections.swap(connections_);
  }
  for (std::thread& t : connections) t.join();
}

void TinyHttpServer::AcceptLoop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    accepts_.fetch_add(1);
    std::lock_guard<std::mutex> lock(mu_);
    connections_.emplace_back([this, fd] { Serve(fd); });
  }
}

bool TinyHttpServer::WaitReadable(int fd) const {
  while (true) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (fds[1].revents != 0) return false;
    if (fds[0].revents != 0) return true;
  }
}

bool TinyHttpServer::ReadRequest(int fd, ReceivedRequest* request) {
  std::string data;
  char buf[16 * 1024];
  auto read_more = [&]() {
    if (!WaitReadable(fd)) return false;
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    data.append(buf, static_cast<size_t>(n));
    return true;
  };
  size_t head_end;
  while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
    if (data.size() > kMaxHead || !read_more()) return false;
  }
  const std::string_view head = std::string_view(data).substr(0, head_end);
  const size_t line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  const size_t sp1 = request_line.find(' ');
  const size_t sp2 = request_line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return false;
  request->method = std::string(request_line.substr(0, sp1));
  request->target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
  size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = head.size();
    const std::string_view line = head.substr(pos, eol - pos);
    if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
      request->headers.emplace_back(ToLower(line.substr(0, colon)),
                                    std::string(Trim(line.substr(colon + 1))));
    }
    pos = eol + 2;
  }
  data.erase(0, head_end + 4);

  if (ToLower(request->Header("transfer-encoding")).find("chunked") != std::string::npos) {
    while (true) {
      size_t eol;
      while ((eol = data.find("\r\n")) == std::string::npos) {
        if (!read_more()) return false;
      }
      const size_t size = std::stoul(data.substr(0, eol), nullptr, 16);
      if (size > kMaxBody) return false;
      while (data.size() < eol + 2 + size + 2) {
        if (!read_more()) return false;
      }
      request->body.append(data, eol + 2, size);
      data.erase(0, eol + 2 + size + 2);
      if (size == 0) break;  // Trailers are not supported (curl sends none).
    }
  } else if (const std::string cl = request->Header("content-length"); !cl.empty()) {
    const size_t size = std::stoul(cl);
    if (size > kMaxBody) return false;
    while (data.size() < size) {
      if (!read_more()) return false;
    }
    request->body = data.substr(0, size);
  }
  return true;
}

ScriptedResponse TinyHttpServer::NextResponse(const ReceivedRequest& request) {
  std::unique_lock<std::mutex> lock(mu_);
  requests_.push_back(request);
  cv_.notify_all();
  if (!queue_.empty()) {
    ScriptedResponse r = std::move(queue_.front());
    queue_.pop_front();
    return r;
  }
  if (handler_) {
    Handler handler = handler_;
    lock.unlock();
    return handler(request);
  }
  ScriptedResponse ok;
  ok.body = "ok";
  return ok;
}

void TinyHttpServer::Serve(int fd) {
  ReceivedRequest request;
  if (ReadRequest(fd, &request)) {
    const ScriptedResponse r = NextResponse(request);
    bool proceed = true;
    if (r.hang || r.delay.count() > 0) {
      std::unique_lock<std::mutex> lock(mu_);
      if (r.hang) {
        cv_.wait(lock, [&] { return stopping_; });
      } else {
        cv_.wait_for(lock, r.delay, [&] { return stopping_; });
      }
      proceed = !stopping_;
    }
    if (proceed && !r.close_without_response) {
      std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + Reason(r.status) + "\r\n";
      bool has_length = false;
      for (const auto& [name, value] : r.headers) {
        has_length = has_length || ToLower(name) == "content-length";
        head.append(name).append(": ").append(value).append("\r\n");
      }
      if (!has_length && !r.omit_content_length) {
        // A close mid-response promises at least one byte more than it sends.
        const size_t promised = std::max<size_t>(r.body.size(), r.close_mid_response ? 2 : 0);
        head += "Content-Length: " + std::to_string(promised) + "\r\n";
      }
      head += "Connection: close\r\n\r\n";
      const std::string_view body =
          r.close_mid_response ? std::string_view(r.body).substr(0, r.body.size() / 2) : r.body;
      if (SendAll(fd, head)) SendAll(fd, body);
    }
  }
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

}  // namespace tocsin::test
