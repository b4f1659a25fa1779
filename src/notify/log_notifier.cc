#include <spdlog/spdlog.h>

#include "tocsin/core/log.h"
#include "tocsin/notify/notifier.h"

namespace tocsin::notify {
namespace {

class LogNotifier final : public Notifier {
 public:
  void SendActivationCode(const domain::Channel& channel, const std::string& code) override {
    // Development only: no delivery is configured, so the operator reads the
    // code from the log to activate the channel.
    spdlog::warn(
        "msg=\"activation code (notify.driver=log: no delivery configured)\" channel={} "
        "type={} address={} code={}",
        channel.meta.id, domain::ChannelTypeName(channel.type), LogQuote(channel.delivery_address),
        code);
  }
};

}  // namespace

std::unique_ptr<Notifier> NewLogNotifier() { return std::make_unique<LogNotifier>(); }

}  // namespace tocsin::notify
