#include "api/background.h"

namespace tocsin::api {

bool BackgroundWorker::Post(std::function<void()> task) {
  std::lock_guard lock(mu_);
  if (stopping_ || queue_.size() >= kMaxQueued) return false;
  queue_.push_back(std::move(task));
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  cv_.notify_one();
  return true;
}

void BackgroundWorker::Stop() {
  std::thread thread;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  cv_.notify_all();
  if (thread.joinable()) thread.join();
}

void BackgroundWorker::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    auto task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace tocsin::api
