// RecordingNotifier: a Notifier that remembers every message instead of
// delivering it, so tests can read activation codes and assert that nothing
// unexpected was sent. Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tocsin/notify/notifier.h"

namespace tocsin::test {

class RecordingNotifier final : public notify::Notifier {
 public:
  struct Message {
    std::string kind;  // "activation"
    std::string channel_id;
    std::string address;
    std::string code;
  };

  // tocsin::notify::Notifier
  void SendActivationCode(const domain::Channel& channel, const std::string& code) override {
    std::lock_guard<std::mutex> lock(mu_);
    messages_.push_back({"activation", channel.meta.id, channel.delivery_address, code});
  }

  std::vector<Message> Messages() {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }

  // Returns and forgets the last activation code sent to `channel_id`.
  std::optional<std::string> TakeCode(const std::string& channel_id) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
      if (it->kind == "activation" && it->channel_id == channel_id) {
        std::string code = it->code;
        messages_.erase(std::next(it).base());
        return code;
      }
    }
    return std::nullopt;
  }

  size_t Count() {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_.size();
  }

 private:
  std::mutex mu_;
  std::vector<Message> messages_;  // Guarded by mu_.
};

}  // namespace tocsin::test
