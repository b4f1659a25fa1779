#include "api/background.h"

namespace tocsin::api {

bool BackgroundWorker::PostAfter(std::chrono::milliseconds delay, std::function<void()> task) {
  std::lock_guard lock(mu_);
  if (stopping_ || queue_.size() >= kMaxQueued) return false;
  // Equal keys keep insertion order (multimap inserts at the upper bound).
  queue_.emplace(std::chrono::steady_clock::now() + delay, std::move(task));
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
    if (queue_.empty()) {
      if (stopping_) return;
      cv_.wait(lock);
      continue;
    }
    auto first = queue_.begin();
    if (!stopping_ && first->first > std::chrono::steady_clock::now()) {
      cv_.wait_until(lock, first->first);
      continue;
    }
    auto task = std::move(first->second);
    queue_.erase(first);
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace tocsin::api
