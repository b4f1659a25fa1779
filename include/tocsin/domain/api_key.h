// API keys: bearer credentials for scripts, alarms and the AWS-style clients.
// The secret is shown once at creation; only its SHA-256 is stored.
#pragma once

#include <optional>
#include <string>

#include "tocsin/core/time.h"
#include "tocsin/domain/principal.h"

namespace tocsin::domain {

struct ApiKey {
  std::string id;    // Public identifier, shown in listings and audit.
  std::string name;  // 1..255, free text.
  Role role = Role::kViewer;
  std::string key_hash;  // SHA-256 of the whole token (32 raw bytes).
  std::string prefix;    // First characters of the token, to recognise it.
  TimePoint created_at{};
  std::string created_by;
  std::optional<TimePoint> expires_at;
};

}  // namespace tocsin::domain
