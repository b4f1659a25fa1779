// Who is acting: the authenticated caller of a request, or the server itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tocsin::domain {

// Roles, most to least privileged for people; `kIntegration` is a machine role
// that may only send events and start incidents.
enum class Role { kAdmin, kResponder, kViewer, kIntegration };

const char* RoleName(Role role);  // "admin", "responder", "viewer", "integration"
std::optional<Role> ParseRole(std::string_view text);

struct Principal {
  std::string id;  // "api-key/<id>", "user/<name>", or "system".
  Role role = Role::kViewer;
};

// The server's own identity, used for scheduler and delivery actions.
inline Principal SystemPrincipal() { return {"system", Role::kAdmin}; }

}  // namespace tocsin::domain
