// Metadata every stored configuration resource carries.
#pragma once

#include <cstdint>
#include <string>

#include "tocsin/core/time.h"

namespace tocsin::domain {

struct ResourceMeta {
  std::string id;       // Opaque, server-assigned (a UUID).
  int64_t version = 0;  // 1 on create, +1 on every change; the ETag and If-Match value.
  TimePoint created_at{};
  TimePoint updated_at{};
  std::string created_by;  // Principal, e.g. "api-key/<key id>".
  std::string updated_by;
};

}  // namespace tocsin::domain
