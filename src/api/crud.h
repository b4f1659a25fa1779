// Routes for a configuration resource with the usual five operations:
// POST collection, GET collection (keyset pages), GET/PATCH/DELETE item.
// PATCH merges the body onto the resource's spec (RFC 7396) inside the write
// transaction and honours If-Match; every response carries an ETag.
#pragma once

#include <functional>
#include <string>

#include "api/internal.h"
#include "tocsin/domain/incident_service.h"

namespace tocsin::api {

template <typename T>
struct Crud {
  std::string base;                              // e.g. "/api/v1/rotations"
  std::string kind;                              // For the audit trail, e.g. "rotation".
  std::function<std::string(const T&)> name_of;  // Alias or name, for the audit trail.
  std::set<Role> read_roles;
  std::set<Role> write_roles;
  // Finds one by id or name (the type check for shared namespaces goes here).
  std::function<Result<T>(store::ReadTxn&, std::string_view)> get;
  std::function<Result<store::Page<T>>(store::ReadTxn&, store::ListOptions)> list;
  std::function<void(codec::ObjectReader&, T&)> decode_spec;  // Reads the spec fields.
  std::function<Json(const T&)> spec_json;                    // The PATCH base.
  std::function<Json(const T&)> render;                       // Public form.
  std::function<Result<T>(store::WriteTxn&, const domain::Principal&, T)> create;
  std::function<Result<T>(store::WriteTxn&, const domain::Principal&, const T&, T,
                          std::optional<int64_t>)>
      update;
  std::function<Status(store::WriteTxn&, std::string_view)> remove;
  // Prepares a fresh value before decoding (e.g. sets a contact's type).
  std::function<void(T&)> init = [](T&) {};
  // False when the resource's POST needs its own route (e.g. it answers with
  // a secret that is not part of the resource).
  bool create_route = true;
};

inline http::Response WithEtag(http::Response r, int64_t version) {
  r.headers.push_back({"etag", "\"" + std::to_string(version) + "\""});
  return r;
}

// Decodes a spec strictly (unknown fields rejected) into `out`.
template <typename T>
Status DecodeSpec(const Crud<T>& crud, const Json& json, T& out) {
  codec::DecodeErrors errors;
  codec::ObjectReader reader(json, "", errors);
  crud.decode_spec(reader, out);
  return reader.Finish();
}

// Records a configuration change in the ledger, in the change's transaction.
inline Status Audit(store::WriteTxn& txn, const Call& call, std::string_view action,
                    std::string_view kind, std::string_view id, std::string_view name) {
  return txn.AppendTimeline(domain::AuditEvent({call.who, call.rid()}, action, kind, id, name))
      .status();
}
inline Status Audit(store::WriteTxn& txn, const domain::Principal& who, const std::string& rid,
                    std::string_view action, std::string_view kind, std::string_view id,
                    std::string_view name) {
  return txn.AppendTimeline(domain::AuditEvent({who, rid}, action, kind, id, name)).status();
}

template <typename T>
void AddCrudRoutes(Api::Impl& api, Crud<T> spec) {
  auto crud = std::make_shared<const Crud<T>>(std::move(spec));
  // Responses are rendered from the committed value on the connection's I/O
  // thread (Mutate), keeping JSON work off the writer.
  auto respond = [crud](unsigned status) {
    return [crud, status](const T& value) {
      return WithEtag(JsonResponse(status, crud->render(value)), value.meta.version);
    };
  };

  if (crud->create_route) {
    api.routes.push_back({"POST", crud->base, crud->write_roles, [&api, crud, respond](Call& call) {
                            auto body = BodyJson(call.req);
                            if (!body.ok()) return api.Fail(call, body.status());
                            T value;
                            crud->init(value);
                            if (Status s = DecodeSpec(*crud, *body, value); !s.ok())
                              return api.Fail(call, s);
                            const auto who = call.who;
                            api.Mutate<T>(
                                call,
                                [crud, who, rid = call.rid(),
                                 value = std::move(value)](store::WriteTxn& txn) -> Result<T> {
                                  auto created = crud->create(txn, who, value);
                                  if (!created.ok()) return created.status();
                                  TOCSIN_RETURN_IF_ERROR(Audit(txn, who, rid, "create", crud->kind,
                                                               created->meta.id,
                                                               crud->name_of(*created)));
                                  return created;
                                },
                                respond(201));
                          }});
  }

  api.routes.push_back({"GET", crud->base, crud->read_roles, [&api, crud](Call& call) {
                          SendPage<T>(api, call, crud->list, crud->render);
                        }});

  api.routes.push_back({"GET", crud->base + "/{id}", crud->read_roles, [&api, crud](Call& call) {
                          Json out;
                          int64_t version = 0;
                          if (!api.Read(call, [&](store::ReadTxn& txn) {
                                auto v = crud->get(txn, call.param(0));
                                if (!v.ok()) return v.status();
                                version = v->meta.version;
                                out = crud->render(*v);
                                return Status::Ok();
                              })) {
                            return;
                          }
                          api.Send(call, WithEtag(JsonResponse(200, out), version));
                        }});

  api.routes.push_back(
      {"PATCH", crud->base + "/{id}", crud->write_roles, [&api, crud, respond](Call& call) {
         auto patch = BodyJson(call.req);
         if (!patch.ok()) return api.Fail(call, patch.status());
         auto if_match = ParseIfMatch(call.req.HeaderValue("if-match"));
         if (!if_match.ok()) return api.Fail(call, if_match.status());
         const auto who = call.who;
         api.Mutate<T>(
             call,
             [crud, who, rid = call.rid(), ref = call.param(0), patch = std::move(*patch),
              expected = *if_match](store::WriteTxn& txn) -> Result<T> {
               auto current = crud->get(txn, ref);
               if (!current.ok()) return current.status();
               Json merged = crud->spec_json(*current);
               codec::MergePatch(merged, patch);
               T updated;
               crud->init(updated);
               TOCSIN_RETURN_IF_ERROR(DecodeSpec(*crud, merged, updated));
               auto result = crud->update(txn, who, *current, std::move(updated), expected);
               if (!result.ok()) return result.status();
               TOCSIN_RETURN_IF_ERROR(Audit(txn, who, rid, "update", crud->kind, result->meta.id,
                                            crud->name_of(*result)));
               return result;
             },
             respond(200));
       }});

  api.routes.push_back(
      {"DELETE", crud->base + "/{id}", crud->write_roles, [&api, crud](Call& call) {
         api.Mutate<bool>(
             call,
             [crud, who = call.who, rid = call.rid(),
              ref = call.param(0)](store::WriteTxn& txn) -> Result<bool> {
               auto current = crud->get(txn, ref);
               if (!current.ok()) return current.status();
               TOCSIN_RETURN_IF_ERROR(crud->remove(txn, ref));
               TOCSIN_RETURN_IF_ERROR(Audit(txn, who, rid, "delete", crud->kind, current->meta.id,
                                            crud->name_of(*current)));
               return true;
             },
             [](const bool&) { return JsonResponse(204, {}); });
       }});
}

}  // namespace tocsin::api
