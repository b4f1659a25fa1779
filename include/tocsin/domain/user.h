// Dashboard users (people who log in with a password) and their sessions.
// Scripts and alarms use API keys (api_key.h); both carry a Role.
#pragma once

#include <cstdint>
#include <string>

#include "tocsin/core/time.h"
#include "tocsin/domain/principal.h"

namespace tocsin::domain {

struct User {
  std::string id;
  std::string name;           // Unique, case-insensitively; 1..64 of [A-Za-z0-9._@-].
  Role role = Role::kViewer;  // Never kIntegration.
  std::string password_hash;  // crypto::HashPassword's encoding.
  int64_t version = 1;
  TimePoint created_at{};
  std::string created_by;
  TimePoint updated_at{};
  std::string updated_by;
};

// A logged-in browser. The token lives only in the browser's cookie; the
// store keeps its SHA-256.
struct Session {
  std::string id;
  std::string user_id;
  std::string token_hash;
  TimePoint created_at{};
  TimePoint last_seen_at{};
  TimePoint expires_at{};  // Absolute expiry.
};

// Who a session belongs to, as authentication needs it.
struct SessionUser {
  Session session;
  std::string user_name;
  Role role = Role::kViewer;
};

}  // namespace tocsin::domain
