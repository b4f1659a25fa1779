// One background thread for the rare handler work that may block on the
// network (confirming an SNS subscription), so that no I/O thread does.
// Tasks run in order; at most kMaxQueued wait, later ones are refused.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace tocsin::api {

class BackgroundWorker {
 public:
  static constexpr size_t kMaxQueued = 64;

  BackgroundWorker() = default;
  ~BackgroundWorker() { Stop(); }
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  // Queues `task`; false when the queue is full or the worker stopped.
  bool Post(std::function<void()> task);
  // Runs what is queued, then joins the thread. Idempotent.
  void Stop();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // Guarded by mu_.
  bool stopping_ = false;                    // Guarded by mu_.
  std::thread thread_;                       // Started by the first Post.
};

}  // namespace tocsin::api
