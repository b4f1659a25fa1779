// The outbox seen from the API: test pages and what was sent about an incident.
//
//   POST /api/v1/contacts/{id}/test-page    a test message through every
//        activated channel of a person (202; 409 when none is activated)
//   GET  /api/v1/outbox?incident=ID         chat posts, webhooks and test pages
//   GET  /api/v1/outbox/{id}                one message, with its body
#include "api/internal.h"
#include "tocsin/domain/contact.h"
#include "tocsin/domain/outbox_service.h"

namespace tocsin::api {
namespace {

Json OutboxJson(const domain::OutboxMessage& m, bool with_body) {
  Json j;
  j["id"] = m.id;
  j["kind"] = domain::OutboxKindName(m.kind);
  if (!m.incident_id.empty()) j["incidentId"] = m.incident_id;
  j["targetId"] = m.target_id;
  j["event"] = m.event;
  j["state"] = domain::OutboxStateName(m.state);
  j["attempts"] = m.attempts;
  j["maxAttempts"] = m.max_attempts;
  j["nextAttemptAt"] = FormatRfc3339(m.next_at);
  if (!m.last_error.empty()) j["lastError"] = m.last_error;
  if (!m.provider_ref.empty()) j["providerRef"] = m.provider_ref;
  j["createdAt"] = FormatRfc3339(m.created_at);
  if (m.sent_at) j["sentAt"] = FormatRfc3339(*m.sent_at);
  if (with_body) j["body"] = m.body;
  return j;
}

}  // namespace

void AddOutboxRoutes(Api::Impl& api) {
  domain::OutboxService& outbox = *api.svc.outbox;

  api.routes.push_back(
      {"POST", "/api/v1/contacts/{id}/test-page", kResponders, [&api, &outbox](Call& call) {
         api.Mutate<std::vector<domain::OutboxMessage>>(
             call,
             [&outbox, actor = ActorOf(call), ref = call.param(0)](
                 store::WriteTxn& txn) -> Result<std::vector<domain::OutboxMessage>> {
               auto contact = txn.Contacts().Get(ref);
               if (!contact.ok()) return contact.status();
               if (contact->type != domain::ContactType::kPersonal) {
                 return InvalidArgument("test pages go to people (PERSONAL contacts)", "id");
               }
               store::ListOptions options;
               options.parent_id = contact->meta.id;
               options.limit = 100;
               auto channels = txn.Channels().List(options);
               if (!channels.ok()) return channels.status();
               std::vector<domain::OutboxMessage> queued;
               for (const domain::Channel& c : channels->items) {
                 if (c.activation_status != domain::ActivationStatus::kActivated) continue;
                 domain::OutboxMessage m;
                 m.kind = domain::OutboxKind::kTestPage;
                 m.target_id = c.meta.id;
                 m.event = "test";
                 m.body = "This is a test page for " + contact->alias +
                          " from Tocsin. No action is needed.";
                 auto stored = outbox.Enqueue(txn, actor, std::move(m));
                 if (!stored.ok()) return stored.status();
                 queued.push_back(std::move(*stored));
               }
               if (queued.empty()) {
                 return FailedPrecondition("contact " + contact->alias +
                                           " has no activated channel to test");
               }
               return queued;
             },
             [](const std::vector<domain::OutboxMessage>& queued) {
               Json out;
               out["messages"] = Json::array();
               for (const auto& m : queued) out["messages"].push_back(OutboxJson(m, false));
               return JsonResponse(202, out);
             });
       }});

  api.routes.push_back({"GET", "/api/v1/outbox", kReaders, [&api](Call& call) {
                          auto incident = call.req.QueryValue("incident");
                          if (!incident || incident->empty()) {
                            return api.Fail(call,
                                            InvalidArgument("incident is required", "incident"));
                          }
                          Json out;
                          out["items"] = Json::array();
                          if (!api.Read(call, [&](store::ReadTxn& txn) {
                                auto list = txn.Outbox().ListOutboxOfIncident(*incident, 1000);
                                if (!list.ok()) return list.status();
                                for (const auto& m : *list) {
                                  out["items"].push_back(OutboxJson(m, false));
                                }
                                return Status::Ok();
                              })) {
                            return;
                          }
                          api.SendJson(call, 200, out);
                        }});

  api.routes.push_back({"GET", "/api/v1/outbox/{id}", kReaders, [&api](Call& call) {
                          Json out;
                          if (!api.Read(call, [&](store::ReadTxn& txn) {
                                auto m = txn.Outbox().GetOutbox(call.param(0));
                                if (!m.ok()) return m.status();
                                out = OutboxJson(*m, true);
                                return Status::Ok();
                              })) {
                            return;
                          }
                          api.SendJson(call, 200, out);
                        }});
}

}  // namespace tocsin::api
