// One background thread for the rare handler work that may block (confirming
// an SNS subscription over the network, hashing a password) or must wait
// (the growing delay after failed logins), so that no I/O thread does.
// Tasks run in order of their due time, those due together in posting order;
// at most kMaxQueued wait, later ones are refused.
//
// Delays are real (steady clock) time, not the Clock seam: they pace
// attackers, they are not business time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
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

  // Queues `task` to run now; false when the queue is full or the worker stopped.
  bool Post(std::function<void()> task) {
    return PostAfter(std::chrono::milliseconds(0), std::move(task));
  }
  // Queues `task` to run once `delay` has passed.
  bool PostAfter(std::chrono::milliseconds delay, std::function<void()> task);
  // Runs what is queued (at once, ignoring delays), then joins the thread. Idempotent.
  void Stop();

 private:
  using Due = std::chrono::steady_clock::time_point;
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<Due, std::function<void()>> queue_;  // Guarded by mu_.
  bool stopping_ = false;                            // Guarded by mu_.
  std::thread thread_;                               // Started by the first Post.
};

}  // namespace tocsin::api
