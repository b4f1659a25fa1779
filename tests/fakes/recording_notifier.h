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
    std::string kind;  // "activation" or "page"
    std::string channel_id;
    std::string address;
    std::string code;
    // Pages only.
    std::string page_id;
    std::string contact;
    int attempt = 0;
    std::string ack_url;
    std::string subject;
  };

  // tocsin::notify::Notifier
  void SendActivationCode(const domain::Channel& channel, const std::string& code) override {
    std::lock_guard<std::mutex> lock(mu_);
    Message m;
    m.kind = "activation";
    m.channel_id = channel.meta.id;
    m.address = channel.delivery_address;
    m.code = code;
    messages_.push_back(std::move(m));
  }

  Result<notify::Handover> SendPage(const notify::PageMessage& p) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_pages_) return Unavailable("carrier refused (test)");
    Message m;
    m.kind = "page";
    m.channel_id = p.channel_id;
    m.address = p.delivery_address;
    m.code = p.accept_code;
    m.page_id = p.page_id;
    m.contact = p.contact_alias;
    m.attempt = p.attempt;
    m.ack_url = p.ack_url;
    m.subject = p.subject;
    messages_.push_back(std::move(m));
    return notify::Handover{"rec:" + p.page_id, {}};
  }

  // Makes SendPage fail (true) or succeed again (false).
  void FailPages(bool fail) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_pages_ = fail;
  }

  // Returns and forgets every page sent so far, in order: tests take the
  // pages they expect, and finally check that nothing else was sent.
  std::vector<Message> TakePages() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Message> pages;
    std::vector<Message> rest;
    for (auto& m : messages_) (m.kind == "page" ? pages : rest).push_back(std::move(m));
    messages_ = std::move(rest);
    return pages;
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
  bool fail_pages_ = false;        // Guarded by mu_.
};

}  // namespace tocsin::test
