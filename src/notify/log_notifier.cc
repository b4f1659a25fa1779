#include <spdlog/spdlog.h>

#include "tocsin/core/log.h"
#include "tocsin/notify/notifier.h"

namespace tocsin::notify {
namespace {

// Development only: no delivery is configured, so the operator reads codes
// and pages from the log.
class LogNotifier final : public Notifier {
 public:
  void SendActivationCode(const domain::Channel& channel, const std::string& code) override {
    spdlog::warn(
        "msg=\"activation code (notify.driver=log: no delivery configured)\" channel={} "
        "type={} address={} code={}",
        channel.meta.id, domain::ChannelTypeName(channel.type), LogQuote(channel.delivery_address),
        code);
  }

  Result<Handover> SendPage(const PageMessage& p) override {
    spdlog::warn(
        "msg=\"page (notify.driver=log: no delivery configured)\" page={} contact={} type={} "
        "address={} attempt={} subject={} code={} ack={}",
        p.page_id, p.contact_alias, domain::ChannelTypeName(p.channel_type),
        LogQuote(p.delivery_address), p.attempt, LogQuote(p.subject), p.accept_code, p.ack_url);
    return Handover{"log:" + p.page_id, {}};
  }
};

}  // namespace

std::unique_ptr<Notifier> NewLogNotifier() { return std::make_unique<LogNotifier>(); }

}  // namespace tocsin::notify
