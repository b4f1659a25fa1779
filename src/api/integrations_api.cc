// /api/v1/integrations (CRUD, rotate-key), /api/v1/rules (CRUD; the test
// route is in rules_api.cc) and an incident's findings.
//
// Creating an integration or rotating its key answers with the ingest key
// ("ingestKey") and the URL to give the sender ("ingestUrl" =
// server.publicUrl + /api/v1/ingest/{key}), once: only the key's hash is
// kept. Integrations and rules are admin-written and readable by every
// person's role: their patterns and plans are not secrets, their keys are.
#include "api/crud.h"
#include "api/internal.h"
#include "tocsin/codec/resources.h"

namespace tocsin::api {
namespace {

using domain::Integration;
using domain::Rule;

Json WithKey(const Api::Impl& api, const ingest::CreatedIntegration& created) {
  Json out =
      WithMeta(created.integration.meta, "", codec::IntegrationToPublic(created.integration));
  out["ingestKey"] = created.key;
  out["ingestUrl"] = api.config.public_url + "/api/v1/ingest/" + created.key;
  return out;
}

void AddIntegrationCrud(Api::Impl& api) {
  ingest::IngestService& ingest = *api.svc.ingest;
  Crud<Integration> crud;
  crud.base = "/api/v1/integrations";
  crud.kind = "integration";
  crud.name_of = [](const Integration& i) { return i.name; };
  crud.read_roles = kReaders;
  crud.write_roles = kAdmin;
  crud.get = [](store::ReadTxn& txn, std::string_view ref) { return txn.Integrations().Get(ref); };
  crud.list = [](store::ReadTxn& txn, store::ListOptions o) { return txn.Integrations().List(o); };
  crud.decode_spec = codec::IntegrationSpecFromReader;
  crud.spec_json = codec::IntegrationSpecToJson;
  crud.render = [](const Integration& i) {
    return WithMeta(i.meta, "", codec::IntegrationToPublic(i));
  };
  crud.update = [&ingest](store::WriteTxn& txn, const domain::Principal& who,
                          const Integration& cur, Integration upd,
                          std::optional<int64_t> expected) {
    return ingest.UpdateIntegration(txn, who, cur, std::move(upd), expected);
  };
  crud.remove = [&ingest](store::WriteTxn& txn, std::string_view ref) {
    return ingest.DeleteIntegration(txn, ref);
  };
  crud.create_route = false;
  AddCrudRoutes(api, std::move(crud));

  // The key is part of the answer, not of the resource: own POST routes.
  auto respond = [&api](unsigned status) {
    return [&api, status](const ingest::CreatedIntegration& created) {
      return WithEtag(JsonResponse(status, WithKey(api, created)),
                      created.integration.meta.version);
    };
  };
  api.routes.push_back(
      {"POST", "/api/v1/integrations", kAdmin, [&api, &ingest, respond](Call& call) {
         auto body = BodyJson(call.req);
         if (!body.ok()) return api.Fail(call, body.status());
         Integration spec;
         codec::DecodeErrors errors;
         codec::ObjectReader reader(*body, "", errors);
         codec::IntegrationSpecFromReader(reader, spec);
         if (Status s = reader.Finish(); !s.ok()) return api.Fail(call, s);
         api.Mutate<ingest::CreatedIntegration>(
             call,
             [&ingest, who = call.who, rid = call.rid(),
              spec = std::move(spec)](store::WriteTxn& txn) -> Result<ingest::CreatedIntegration> {
               auto created = ingest.CreateIntegration(txn, who, spec);
               if (!created.ok()) return created.status();
               TOCSIN_RETURN_IF_ERROR(Audit(txn, who, rid, "create", "integration",
                                            created->integration.meta.id,
                                            created->integration.name));
               return created;
             },
             respond(201));
       }});
  api.routes.push_back({"POST", "/api/v1/integrations/{id}/rotate-key", kAdmin,
                        [&api, &ingest, respond](Call& call) {
                          api.Mutate<ingest::CreatedIntegration>(
                              call,
                              [&ingest, who = call.who, rid = call.rid(), ref = call.param(0)](
                                  store::WriteTxn& txn) -> Result<ingest::CreatedIntegration> {
                                auto rotated = ingest.RotateKey(txn, who, ref);
                                if (!rotated.ok()) return rotated.status();
                                TOCSIN_RETURN_IF_ERROR(
                                    Audit(txn, who, rid, "rotate-key", "integration",
                                          rotated->integration.meta.id, rotated->integration.name));
                                return rotated;
                              },
                              respond(200));
                        }});
}

void AddRuleCrud(Api::Impl& api) {
  ingest::IngestService& ingest = *api.svc.ingest;
  Crud<Rule> crud;
  crud.base = "/api/v1/rules";
  crud.kind = "rule";
  crud.name_of = [](const Rule& r) { return r.name; };
  crud.read_roles = kReaders;
  crud.write_roles = kAdmin;
  crud.get = [](store::ReadTxn& txn, std::string_view ref) { return txn.Rules().Get(ref); };
  crud.list = [](store::ReadTxn& txn, store::ListOptions o) { return txn.Rules().List(o); };
  crud.decode_spec = codec::RuleSpecFromReader;
  crud.spec_json = codec::RuleSpecToJson;
  crud.render = [](const Rule& r) { return WithMeta(r.meta, "", codec::RuleToPublic(r)); };
  crud.create = [&ingest](store::WriteTxn& txn, const domain::Principal& who, Rule r) {
    return ingest.CreateRule(txn, who, std::move(r));
  };
  crud.update = [&ingest](store::WriteTxn& txn, const domain::Principal& who, const Rule& cur,
                          Rule upd, std::optional<int64_t> expected) {
    return ingest.UpdateRule(txn, who, cur, std::move(upd), expected);
  };
  crud.remove = [&ingest](store::WriteTxn& txn, std::string_view ref) {
    return ingest.DeleteRule(txn, ref);
  };
  AddCrudRoutes(api, std::move(crud));
}

void AddFindingRoutes(Api::Impl& api) {
  api.routes.push_back({"GET", "/api/v1/incidents/{id}/findings", kReaders, [&api](Call& call) {
                          Json items = Json::array();
                          if (!api.Read(call, [&](store::ReadTxn& txn) {
                                auto incident = txn.GetIncident(call.param(0));
                                if (!incident.ok()) return incident.status();
                                auto found = txn.Ingest().ListFindingsOfIncident(incident->id, 100);
                                if (!found.ok()) return found.status();
                                for (const auto& f : *found) {
                                  auto body = codec::ParseJson(f.body);
                                  Json item = body.ok() ? std::move(*body) : Json::object();
                                  item["integration"] = f.integration_id;
                                  item["receivedTime"] = FormatRfc3339(f.received_at);
                                  items.push_back(std::move(item));
                                }
                                return Status::Ok();
                              })) {
                            return;
                          }
                          api.SendJson(call, 200, {{"items", std::move(items)}});
                        }});
}

}  // namespace

void AddIntegrationRoutes(Api::Impl& api) {
  AddIntegrationCrud(api);
  AddRuleCrud(api);
  AddFindingRoutes(api);
}

}  // namespace tocsin::api
