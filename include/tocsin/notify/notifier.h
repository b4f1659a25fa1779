// Notifier: how the domain hands messages for people to the delivery layer.
//
// Implementations: a logging notifier for development (`notify.driver: log`),
// a recording notifier in tests (tests/fakes), and the real outbox-backed
// delivery of the notifications issue. Calls arrive on the store's writer
// thread from commit hooks, so implementations must return quickly (queue,
// don't send inline) and must be thread-safe.
#pragma once

#include <memory>
#include <string>

#include "tocsin/domain/contact.h"

namespace tocsin::notify {

class Notifier {
 public:
  virtual ~Notifier() = default;

  // Sends `code` to `channel`'s address so its owner can activate it.
  virtual void SendActivationCode(const domain::Channel& channel, const std::string& code) = 0;
};

// Returns a Notifier that only logs (with the code, at warning level, so a
// developer running `make run` can activate channels without delivery set up).
std::unique_ptr<Notifier> NewLogNotifier();

}  // namespace tocsin::notify
