#include "tocsin/notify/carrier_notifier.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "tocsin/core/log.h"

namespace tocsin::notify {
namespace {

// Spaces one carrier's sends by 1/rate on the Clock seam.
class Pacer {
 public:
  Pacer(Clock& clock, double per_second)
      : clock_(clock),
        gap_(per_second > 0 ? std::chrono::duration_cast<Millis>(
                                  std::chrono::duration<double>(1.0 / per_second))
                            : Millis(0)) {}

  // Waits for this send's slot.
  void Wait() {
    if (gap_ == Millis(0)) return;
    std::unique_lock<std::mutex> lock(mu_);
    const TimePoint now = clock_.Now();
    const TimePoint slot = std::max(now, next_);
    next_ = slot + gap_;
    while (clock_.Now() < slot) clock_.WaitUntil(cv_, lock, slot);
  }

 private:
  Clock& clock_;
  const Millis gap_;
  std::mutex mu_;
  std::condition_variable cv_;  // Never notified: waits end at their deadline.
  TimePoint next_{};
};

std::string Clip(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t cut = max;
  // Do not split a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "…";
}

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

bool MayFailOver(StatusCode code) {
  return code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded ||
         code == StatusCode::kResourceExhausted || code == StatusCode::kInternal;
}

class CarrierNotifier final : public Notifier {
 public:
  explicit CarrierNotifier(CarrierNotifierOptions options)
      : options_(std::move(options)),
        clock_(options_.clock != nullptr ? *options_.clock : SystemClock()) {
    for (const auto* list : {&options_.sms, &options_.voice}) {
      for (const auto& c : *list) {
        if (pacers_.count(c->name()) != 0) continue;
        auto rate = options_.rate_per_second.find(c->name());
        pacers_.emplace(c->name(),
                        std::make_unique<Pacer>(
                            clock_, rate == options_.rate_per_second.end() ? 0.0 : rate->second));
      }
    }
    activation_thread_ = std::thread([this] { ActivationLoop(); });
  }

  ~CarrierNotifier() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    activation_thread_.join();
  }
  CarrierNotifier(const CarrierNotifier&) = delete;
  CarrierNotifier& operator=(const CarrierNotifier&) = delete;

  void SendActivationCode(const domain::Channel& channel, const std::string& code) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      // Bounded: a flood of activation requests must not grow memory; a
      // dropped code can be requested again.
      if (activations_.size() >= 1000) {
        spdlog::warn("msg=\"activation code dropped: queue full\" channel={}", channel.meta.id);
        return;
      }
      activations_.push_back({channel, code});
    }
    cv_.notify_all();
  }

  Result<Handover> SendPage(const PageMessage& page) override {
    if (page.channel_type == domain::ChannelType::kEmail) {
      if (!options_.mailer) {
        return FailedPrecondition("no SMTP server is configured (notify.smtp.url)");
      }
      auto id = options_.mailer->Send(RenderPageEmail(page));
      if (!id.ok()) return id.status();
      return Handover{"smtp:" + *id, {}};
    }
    CarrierMessage m;
    m.message_id = page.page_id;
    m.type = page.channel_type;
    m.to = page.delivery_address;
    m.text =
        page.channel_type == domain::ChannelType::kSms ? SmsPageText(page) : VoicePageText(page);
    m.accept_code = page.accept_code;
    return ViaCarriers(m);
  }

 private:
  struct Activation {
    domain::Channel channel;
    std::string code;
  };

  Result<Handover> ViaCarriers(CarrierMessage m) {
    const auto& carriers = m.type == domain::ChannelType::kSms ? options_.sms : options_.voice;
    if (carriers.empty()) {
      return FailedPrecondition(
          std::string("no carrier is configured for ") + domain::ChannelTypeName(m.type) +
          " (notify." + (m.type == domain::ChannelType::kSms ? "sms" : "voice") + ".carriers)");
    }
    if (!options_.public_url.empty()) {
      m.status_callback_url = options_.public_url + "/hooks/twilio/status";
      if (m.type == domain::ChannelType::kVoice) {
        m.gather_url = options_.public_url + "/hooks/twilio/gather";
      }
    }
    Handover out;
    for (const auto& carrier : carriers) {
      pacers_.at(carrier->name())->Wait();
      auto sent = carrier->Send(m);
      if (sent.ok()) {
        out.ref = carrier->name() + ":" + *sent;
        return out;
      }
      const std::string why = carrier->name() + ": " + sent.status().message();
      spdlog::warn("msg=\"carrier did not take the message\" id={} carrier={} error={}",
                   m.message_id, carrier->name(), LogQuote(sent.status().message()));
      out.failovers.push_back(why);
      if (!MayFailOver(sent.status().code())) {
        return Status(sent.status().code(), Joined(out.failovers));
      }
    }
    return Unavailable("every carrier failed: " + Joined(out.failovers));
  }

  void ActivationLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stopping_ || !activations_.empty(); });
      if (stopping_) return;
      Activation a = std::move(activations_.front());
      activations_.pop_front();
      lock.unlock();
      Status s = SendActivation(a);
      if (!s.ok()) {
        spdlog::warn("msg=\"activation code not delivered\" channel={} error={}", a.channel.meta.id,
                     LogQuote(s.message()));
      } else {
        spdlog::info("msg=\"activation code sent\" channel={}", a.channel.meta.id);
      }
      lock.lock();
    }
  }

  Status SendActivation(const Activation& a) {
    if (a.channel.type == domain::ChannelType::kEmail) {
      if (!options_.mailer) return FailedPrecondition("no SMTP server is configured");
      return options_.mailer->Send(RenderActivationEmail(a.channel.delivery_address, a.code))
          .status();
    }
    CarrierMessage m;
    m.message_id = "activation-" + a.channel.meta.id;
    m.type = a.channel.type;
    m.to = a.channel.delivery_address;
    m.text = "Your Tocsin activation code is " + a.code + ".";
    m.accept_code = a.code;
    return ViaCarriers(std::move(m)).status();
  }

  CarrierNotifierOptions options_;
  Clock& clock_;
  std::map<std::string, std::unique_ptr<Pacer>> pacers_;  // Fixed after construction.

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Activation> activations_;  // Guarded by mu_.
  bool stopping_ = false;               // Guarded by mu_.
  std::thread activation_thread_;
};

}  // namespace

std::string SmsPageText(const PageMessage& page) {
  std::string subject = page.public_subject.empty() ? page.subject : page.public_subject;
  std::string content = page.public_content.empty() ? page.content : page.public_content;
  std::string text = "[Tocsin] " + Clip(subject, 120);
  if (!content.empty()) text += ": " + Clip(content, 200);
  text += " Reply ACK " + page.accept_code + " or open " + page.ack_url;
  return text;
}

std::string VoicePageText(const PageMessage& page) {
  std::string subject = page.public_subject.empty() ? page.subject : page.public_subject;
  std::string content = page.public_content.empty() ? page.content : page.public_content;
  std::string text = "This is a Tocsin page. " + Clip(subject, 200) + ".";
  if (!content.empty()) text += " " + Clip(content, 400);
  return text;
}

std::unique_ptr<Notifier> NewCarrierNotifier(CarrierNotifierOptions options) {
  return std::make_unique<CarrierNotifier>(std::move(options));
}

}  // namespace tocsin::notify
