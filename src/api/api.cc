#include "tocsin/api/api.h"

#include "api/internal.h"
#include "tocsin/core/log.h"

namespace tocsin::api {

Api::Api(ApiConfig config, Services services)
    : impl_(std::make_unique<Impl>(std::move(config), services)) {
  AddHealthRoutes(*impl_);
  AddApiKeyRoutes(*impl_);
  AddContactRoutes(*impl_);
  AddPlanRoutes(*impl_);
  AddIncidentRoutes(*impl_);
  AddLedgerRoutes(*impl_);
  AddStreamRoutes(*impl_);
  AddEngagementRoutes(*impl_);
  AddCarrierHookRoutes(*impl_);
  AddOutboxRoutes(*impl_);
  AddRuleRoutes(*impl_);
  AddIntegrationRoutes(*impl_);
  AddIngestRoutes(*impl_);
  AddSessionRoutes(*impl_);
  AddUserRoutes(*impl_);
  AddWebRoutes(*impl_);
}

Api::~Api() = default;

const char* AuthModeName(AuthMode mode) {
  switch (mode) {
    case AuthMode::kKeyOrSession:
      return "key or session";
    case AuthMode::kKeyOnly:
      return "key";
    case AuthMode::kSessionOnly:
      return "session";
  }
  return "?";
}

std::vector<RouteInfo> Api::RouteTable() const {
  std::vector<RouteInfo> out;
  for (const auto& r : impl_->routes) {
    out.push_back({r.method, r.pattern, r.roles, r.credential, r.auth});
  }
  return out;
}

void Api::RegisterRoutes(http::Router& router) {
  Impl& api = *impl_;
  for (const RouteSpec& spec : api.routes) {
    http::Route route;
    route.method = spec.method;
    route.pattern = spec.pattern;
    route.body_limit = spec.body_limit;
    route.redact_path = spec.redact_path;
    // Deny by default: every route passes this gate with its declared roles.
    route.handler = [&api, &spec](const http::Request& req, http::Reply reply) {
      Call call{req, domain::Principal{}, std::move(reply)};
      if (!spec.roles.empty()) {
        if (Status s = api.Authenticate(call, spec); !s.ok()) return api.Fail(call, s);
        if (spec.roles.count(call.who.role) == 0) {
          return api.Fail(call,
                          PermissionDenied(std::string("role ") + domain::RoleName(call.who.role) +
                                           " may not " + spec.method + " " + spec.pattern));
        }
      }
      try {
        spec.handler(call);
      } catch (const std::exception& e) {
        // Handlers validate input without exceptions; reaching here is a bug.
        api.Fail(call, Internal(std::string("handler threw: ") + e.what()));
      }
    };
    router.Add(std::move(route));
  }
}

}  // namespace tocsin::api
