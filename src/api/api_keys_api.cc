// /api/v1/api-keys (admin only). The token is in the creation response only.
#include "api/crud.h"

namespace tocsin::api {
namespace {

Json RenderKey(const domain::ApiKey& k) {
  Json j = {{"id", k.id},
            {"name", k.name},
            {"role", domain::RoleName(k.role)},
            {"prefix", k.prefix},
            {"createdAt", FormatRfc3339(k.created_at)},
            {"createdBy", k.created_by}};
  j["expiresAt"] = k.expires_at ? Json(FormatRfc3339(*k.expires_at)) : Json();
  return j;
}

}  // namespace

void AddApiKeyRoutes(Api::Impl& api) {
  api.routes.push_back(
      {"POST", "/api/v1/api-keys", kAdmin, [&api](Call& call) {
         auto body = BodyJson(call.req);
         if (!body.ok()) return api.Fail(call, body.status());
         codec::DecodeErrors errors;
         codec::ObjectReader r(*body, "", errors);
         auto name = r.String("name", 1, 255, true);
         auto role_text = r.String("role", 1, 32, true);
         auto expires = r.Time("expiresAt");
         std::optional<domain::Role> role;
         if (role_text) {
           role = domain::ParseRole(*role_text);
           if (!role) r.Fail("role", "must be one of admin, responder, viewer, integration");
         }
         if (Status s = r.Finish(); !s.ok()) return api.Fail(call, s);
         const auto who = call.who;
         api.Mutate<domain::NewApiKey>(
             call,
             [&api, who, rid = call.rid(), name = *name, role = *role,
              expires](store::WriteTxn& txn) -> Result<domain::NewApiKey> {
               auto created = api.svc.api_keys->Create(txn, who, name, role, expires);
               if (!created.ok()) return created.status();
               TOCSIN_RETURN_IF_ERROR(
                   Audit(txn, who, rid, "create", "api-key", created->key.id,
                         created->key.name + " (" + domain::RoleName(role) + ")"));
               return created;
             },
             [](const domain::NewApiKey& created) {
               Json j = RenderKey(created.key);
               j["token"] = created.token;
               return JsonResponse(201, j);
             });
       }});

  api.routes.push_back(
      {"GET", "/api/v1/api-keys", kAdmin, [&api](Call& call) {
         SendPage<domain::ApiKey>(
             api, call,
             [](store::ReadTxn& txn, const store::ListOptions& o) { return txn.ListApiKeys(o); },
             RenderKey);
       }});

  api.routes.push_back({"GET", "/api/v1/api-keys/{id}", kAdmin, [&api](Call& call) {
                          domain::ApiKey key;
                          if (!api.Read(call, [&](store::ReadTxn& txn) {
                                auto k = txn.GetApiKey(call.param(0));
                                if (!k.ok()) return k.status();
                                key = std::move(*k);
                                return Status::Ok();
                              })) {
                            return;
                          }
                          api.SendJson(call, 200, RenderKey(key));
                        }});

  api.routes.push_back({"DELETE", "/api/v1/api-keys/{id}", kAdmin, [&api](Call& call) {
                          api.Mutate<bool>(
                              call,
                              [&api, who = call.who, rid = call.rid(),
                               id = call.param(0)](store::WriteTxn& txn) -> Result<bool> {
                                TOCSIN_RETURN_IF_ERROR(api.svc.api_keys->Delete(txn, id));
                                TOCSIN_RETURN_IF_ERROR(
                                    Audit(txn, who, rid, "delete", "api-key", id, ""));
                                // Revoke at once: drop the cached credential when the delete
                                // commits.
                                txn.OnCommit([&api, id] { api.auth.Forget(id); });
                                return true;
                              },
                              [](const bool&) { return JsonResponse(204, {}); });
                        }});
  // Minting a lasting bearer credential takes one already: a hijacked
  // browser session cannot leave a key behind.
  for (RouteSpec& route : api.routes) {
    if (route.pattern.rfind("/api/v1/api-keys", 0) == 0) route.auth = AuthMode::kKeyOnly;
  }
}

}  // namespace tocsin::api
