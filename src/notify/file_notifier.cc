#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "tocsin/core/json_text.h"
#include "tocsin/notify/notifier.h"

namespace tocsin::notify {
namespace {

class FileNotifier final : public Notifier {
 public:
  explicit FileNotifier(int fd) : fd_(fd) {}
  ~FileNotifier() override { ::close(fd_); }
  FileNotifier(const FileNotifier&) = delete;
  FileNotifier& operator=(const FileNotifier&) = delete;

  void SendActivationCode(const domain::Channel& channel, const std::string& code) override {
    JsonObject o;
    o.Add("kind", "activation").Add("channelId", channel.meta.id);
    o.Add("type", domain::ChannelTypeName(channel.type)).Add("address", channel.delivery_address);
    o.Add("code", code);
    Append(o.Build()).IgnoreError();  // Activation can be re-requested; nothing to report to.
  }

  Result<Handover> SendPage(const PageMessage& p) override {
    JsonObject o;
    o.Add("kind", "page").Add("pageId", p.page_id).Add("engagementId", p.engagement_id);
    o.Add("incidentId", p.incident_id).Add("contact", p.contact_alias);
    o.Add("channelId", p.channel_id).Add("type", domain::ChannelTypeName(p.channel_type));
    o.Add("address", p.delivery_address).Add("attempt", p.attempt).Add("sender", p.sender);
    o.Add("subject", p.subject).Add("content", p.content);
    o.Add("publicSubject", p.public_subject).Add("publicContent", p.public_content);
    o.Add("code", p.accept_code).Add("ackUrl", p.ack_url);
    TOCSIN_RETURN_IF_ERROR(Append(o.Build()));
    return Handover{"file:" + p.page_id, {}};
  }

 private:
  Status Append(std::string line) {
    line += '\n';
    std::lock_guard<std::mutex> lock(mu_);
    size_t done = 0;
    while (done < line.size()) {
      const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Unavailable(std::string("notify file: ") + std::strerror(errno));
      done += static_cast<size_t>(n);
    }
    if (::fdatasync(fd_) != 0)
      return Unavailable(std::string("notify file: ") + std::strerror(errno));
    return Status::Ok();
  }

  std::mutex mu_;
  int fd_;
};

}  // namespace

Result<std::unique_ptr<Notifier>> NewFileNotifier(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Unavailable("cannot open notify.file " + path + ": " + std::strerror(errno));
  }
  return std::unique_ptr<Notifier>(std::make_unique<FileNotifier>(fd));
}

}  // namespace tocsin::notify
