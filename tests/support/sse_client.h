// SseClient: opens a Server-Sent Events stream on its own TCP connection
// (Boost.Beast, synchronous from the caller's point of view) and returns its
// events as they arrive, parsing the chunked body incrementally.
//
// Every read has a real-time limit (a few seconds by default): tests wait for
// events they caused themselves, never for timers. After a timeout the
// connection is closed and the client reports the stream as ended.
// Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tocsin::test {

inline constexpr std::chrono::milliseconds kSseTimeout{5000};

// One block of the stream: an event (id, event, data) or only comments.
struct SseEvent {
  std::string id;
  std::string event;
  std::string data;     // Data lines joined with '\n'.
  std::string comment;  // Comment lines without the leading ": ", joined with '\n'.

  bool is_comment() const { return id.empty() && event.empty() && data.empty(); }
  // The data parsed as JSON ({} when it is not JSON).
  nlohmann::json json() const;
  // The id as a number (-1 when it is not one).
  int64_t seq() const;
};

struct SseOptions {
  std::map<std::string, std::string> headers;  // Extra "Name: value" pairs.
  // SO_RCVBUF for the socket (0: the system default); a small buffer makes a
  // client that stops reading back up the server quickly.
  int receive_buffer = 0;
  std::chrono::milliseconds timeout = kSseTimeout;  // For the response headers.
};

class SseClient {
 public:
  // Connects to 127.0.0.1:`port`, sends GET `target` and reads the response
  // headers (and the whole body when the response is not a stream).
  SseClient(uint16_t port, const std::string& target, const SseOptions& options = {});
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  int status() const { return status_; }              // 0 if no response arrived.
  std::string header(const std::string& name) const;  // Lower-case name.
  const std::string& body() const { return body_; }   // Of a non-stream response.

  // Returns the next block (event or comment). nullopt when the stream ended
  // (the server finished it or closed the connection) or `timeout` passed.
  std::optional<SseEvent> Next(std::chrono::milliseconds timeout = kSseTimeout);
  // Like Next(), skipping comment blocks.
  std::optional<SseEvent> NextEvent(std::chrono::milliseconds timeout = kSseTimeout);
  // Reads events until one has id `seq` (returning all events read, comments
  // skipped, that one included). Stops early on the end of the stream or a
  // timeout; check the last element.
  std::vector<SseEvent> ReadThrough(int64_t seq, std::chrono::milliseconds timeout = kSseTimeout);

  // True once the stream ended; timed_out() tells whether it was our timeout,
  // finished() whether the server sent the end of the body.
  bool ended() const { return ended_; }
  bool timed_out() const { return timed_out_; }
  bool finished() const { return finished_; }
  const std::string& error() const { return error_; }

  // Closes the connection.
  void Close();

 private:
  class Conn;
  bool ParseBlock(SseEvent& out);

  std::unique_ptr<Conn> conn_;
  int status_ = 0;
  std::map<std::string, std::string> headers_;
  std::string body_;
  std::string pending_;  // Chunk data not yet split into blocks.
  bool ended_ = false;
  bool timed_out_ = false;
  bool finished_ = false;
  std::string error_;
};

}  // namespace tocsin::test
