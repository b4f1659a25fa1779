// /api/v1/engagements, /api/v1/pages (+ accept) and the acknowledgement link
// /ack/{token}.
//
// The link is a capability (the token is its credential), so it needs no
// API key. Its GET only shows what will be acknowledged and a confirm button:
// chat and mail clients fetch links to preview them, and a preview must
// never acknowledge. Only the POST of that form acknowledges.
#include "api/idempotency.h"
#include "api/internal.h"
#include "tocsin/core/escape.h"
#include "tocsin/domain/engagement_service.h"

namespace tocsin::api {
namespace {

using domain::Engagement;
using domain::EngagementRun;

std::string Arn(const Api::Impl& api, const char* kind, std::string_view alias,
                std::string_view id) {
  return "arn:aws:ssm-contacts:" + api.config.aws_region + ":" + api.config.aws_account_id + ":" +
         kind + "/" + std::string(alias) + "/" + std::string(id);
}

void AddTime(Json& j, const char* key, const std::optional<TimePoint>& t) {
  if (t) j[key] = FormatRfc3339(*t);
}

Json EngagementJson(const Api::Impl& api, const Engagement& e) {
  Json j;
  j["id"] = e.id;
  j["arn"] = Arn(api, "engagement", e.contact_alias, e.id);
  j["contactId"] = e.contact_id;
  j["contactArn"] = api.ContactArn(e.contact_alias);
  j["contactAlias"] = e.contact_alias;
  j["contactType"] = domain::ContactTypeName(e.contact_type);
  j["sender"] = e.sender;
  j["subject"] = e.subject;
  j["content"] = e.content;
  if (!e.public_subject.empty()) j["publicSubject"] = e.public_subject;
  if (!e.public_content.empty()) j["publicContent"] = e.public_content;
  if (!e.incident_id.empty()) j["incidentId"] = e.incident_id;
  j["state"] = domain::EngagementStateName(e.state);
  j["startTime"] = FormatRfc3339(e.started_at);
  AddTime(j, "stopTime", e.stopped_at);
  if (!e.stop_reason.empty()) j["stopReason"] = e.stop_reason;
  j["createdBy"] = e.created_by;
  return j;
}

Json RunJson(const Api::Impl& api, const EngagementRun& r) {
  Json j;
  j["id"] = r.id;
  if (!r.parent_id.empty()) j["parentId"] = r.parent_id;
  j["contactId"] = r.contact_id;
  j["contactArn"] = api.ContactArn(r.contact_alias);
  j["contactAlias"] = r.contact_alias;
  j["type"] = domain::ContactTypeName(r.kind);
  j["stageIndex"] = r.parent_stage;
  j["isEssential"] = r.essential;
  j["state"] = domain::RunStateName(r.state);
  j["currentStage"] = r.stage;
  j["pass"] = r.pass;
  return j;
}

Json PageJson(const Api::Impl& api, const domain::Page& p) {
  Json j;
  j["id"] = p.id;
  j["arn"] = Arn(api, "page", p.contact_alias, p.id);
  j["engagementId"] = p.engagement_id;
  j["contactId"] = p.contact_id;
  j["contactArn"] = api.ContactArn(p.contact_alias);
  j["contactAlias"] = p.contact_alias;
  j["channelId"] = p.channel_id;
  j["channelArn"] = api.ChannelArn(p.contact_alias, p.channel_id);
  j["channelType"] = domain::ChannelTypeName(p.channel_type);
  if (!p.incident_id.empty()) j["incidentId"] = p.incident_id;
  j["stage"] = p.stage;
  j["pass"] = p.pass;
  j["attempt"] = p.attempt;
  j["state"] = domain::PageStateName(p.state);
  j["acknowledged"] = p.acknowledged;
  j["codeLocked"] = p.code_failures >= domain::kMaxCodeFailures;
  j["createdTime"] = FormatRfc3339(p.created_at);
  AddTime(j, "sentTime", p.sent_at);
  AddTime(j, "deliveryTime", p.delivered_at);
  AddTime(j, "readTime", p.read_at);
  return j;
}

Json ReceiptJson(const Api::Impl& api, const domain::Page& p, const domain::Receipt& r) {
  Json j;
  j["contactChannelArn"] = api.ChannelArn(p.contact_alias, p.channel_id);
  j["receiptType"] = domain::ReceiptTypeName(r.type);
  j["receiptInfo"] = r.info;
  j["receiptTime"] = FormatRfc3339(r.at);
  return j;
}

http::Response Html(unsigned status, std::string_view title, std::string_view body) {
  http::Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.headers.push_back({"cache-control", "no-store"});
  r.headers.push_back({"referrer-policy", "no-referrer"});
  r.headers.push_back({"x-frame-options", "DENY"});
  r.headers.push_back({"content-security-policy",
                       "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"});
  r.body =
      "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
      "content=\"width=device-width,initial-scale=1\"><title>" +
      XmlEscape(title) +
      "</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem "
      "auto;padding:0 1rem}button{font-size:1.25rem;padding:.75rem 1.5rem}</style></head>"
      "<body>" +
      std::string(body) + "</body></html>";
  return r;
}

http::Response AckErrorPage(const Status& s) {
  const unsigned code = HttpStatusFor(s.code());
  return Html(code, "Tocsin", "<h1>Cannot acknowledge</h1><p>" + XmlEscape(s.message()) + "</p>");
}

// Decodes {code, acceptType, acceptCodeValidation, note}.
Result<domain::AcceptRequest> DecodeAccept(const Json& body) {
  codec::DecodeErrors errors;
  codec::ObjectReader r(body, "", errors);
  domain::AcceptRequest a;
  a.code = r.String("code", 0, 10).value_or("");
  const std::string type = r.String("acceptType", 1, 20).value_or("READ");
  const std::string validation = r.String("acceptCodeValidation", 1, 20).value_or("ENFORCE");
  a.note = r.String("note", 0, 2048).value_or("");
  TOCSIN_RETURN_IF_ERROR(r.Finish());
  if (type == "READ") {
    a.type = domain::AcceptType::kRead;
  } else if (type == "DELIVERED") {
    a.type = domain::AcceptType::kDelivered;
  } else {
    return InvalidArgument("acceptType must be DELIVERED or READ", "acceptType");
  }
  if (validation != "ENFORCE" && validation != "IGNORE") {
    return InvalidArgument("acceptCodeValidation must be ENFORCE or IGNORE",
                           "acceptCodeValidation");
  }
  a.enforce_code = validation == "ENFORCE";
  if (a.enforce_code &&
      (a.code.size() < 6 || a.code.find_first_not_of("0123456789") != std::string::npos)) {
    return InvalidArgument("code must be the 6 to 10 digits of the page", "code");
  }
  return a;
}

void AddEngagementCrudRoutes(Api::Impl& api) {
  domain::EngagementService& engagements = *api.svc.engagements;

  api.routes.push_back({"POST", "/api/v1/engagements", kStarters, [&api, &engagements](Call& call) {
                          auto body = BodyJson(call.req);
                          if (!body.ok()) return api.Fail(call, body.status());
                          codec::DecodeErrors errors;
                          codec::ObjectReader r(*body, "", errors);
                          domain::StartEngagementRequest start;
                          start.contact = r.String("contact", 1, 2048, true).value_or("");
                          start.sender = r.String("sender", 0, 255).value_or("");
                          start.subject = r.String("subject", 1, 2048, true).value_or("");
                          start.content = r.String("content", 1, 8192, true).value_or("");
                          start.public_subject = r.String("publicSubject", 0, 2048).value_or("");
                          start.public_content = r.String("publicContent", 0, 8192).value_or("");
                          start.incident = r.String("incident", 1, 1024).value_or("");
                          auto key = IdempotencyKeyOf(call.req, r);
                          if (Status s = r.Finish(); !s.ok()) return api.Fail(call, s);
                          if (!key.ok()) return api.Fail(call, key.status());
                          if (start.sender.empty()) start.sender = call.who.id;
                          MutateIdempotent(
                              api, call, *key, *body,
                              [&api, &engagements, actor = ActorOf(call), start = std::move(start)](
                                  store::WriteTxn& txn) -> Result<http::Response> {
                                auto e = engagements.Start(txn, actor, start);
                                if (!e.ok()) return e.status();
                                return JsonResponse(201, EngagementJson(api, *e));
                              });
                        }});

  api.routes.push_back({"GET", "/api/v1/engagements", kReaders, [&api](Call& call) {
                          auto options = ListOptionsFrom(call.req);
                          if (!options.ok()) return api.Fail(call, options.status());
                          store::EngagementQuery q;
                          q.limit = options->limit;
                          q.cursor = options->cursor;
                          if (auto state = call.req.QueryValue("state")) {
                            auto parsed = domain::ParseEngagementState(*state);
                            if (!parsed) {
                              return api.Fail(
                                  call, InvalidArgument("state must be ENGAGED, ACKNOWLEDGED, "
                                                        "STOPPED or UNACKNOWLEDGED",
                                                        "state"));
                            }
                            q.state = *parsed;
                          }
                          Json out;
                          if (!api.Read(call, [&](store::ReadTxn& txn) {
                                if (auto incident = call.req.QueryValue("incident")) {
                                  auto i = txn.GetIncident(*incident);
                                  if (!i.ok()) return i.status();
                                  q.incident_id = i->id;
                                }
                                auto page = txn.Engagements().ListEngagements(q);
                                if (!page.ok()) return page.status();
                                out["items"] = Json::array();
                                for (const auto& e : page->items)
                                  out["items"].push_back(EngagementJson(api, e));
                                if (!page->next_cursor.empty())
                                  out["nextCursor"] = page->next_cursor;
                                return Status::Ok();
                              })) {
                            return;
                          }
                          api.SendJson(call, 200, out);
                        }});

  api.routes.push_back({"GET", "/api/v1/engagements/{id}", kReaders, [&api](Call& call) {
                          Json out;
                          if (!api.Read(call, [&](store::ReadTxn& txn) {
                                auto e = txn.Engagements().GetEngagement(call.param(0));
                                if (!e.ok()) return e.status();
                                auto runs = txn.Engagements().ListRuns(e->id);
                                if (!runs.ok()) return runs.status();
                                out = EngagementJson(api, *e);
                                out["runs"] = Json::array();
                                for (const auto& r : *runs) out["runs"].push_back(RunJson(api, r));
                                return Status::Ok();
                              })) {
                            return;
                          }
                          api.SendJson(call, 200, out);
                        }});

  api.routes.push_back(
      {"POST", "/api/v1/engagements/{id}/stop", kResponders, [&api, &engagements](Call& call) {
         auto body = BodyJson(call.req);
         if (!body.ok()) return api.Fail(call, body.status());
         codec::DecodeErrors errors;
         codec::ObjectReader r(*body, "", errors);
         std::string reason = r.String("reason", 0, 255).value_or("");
         if (Status s = r.Finish(); !s.ok()) return api.Fail(call, s);
         api.Mutate<Engagement>(
             call,
             [&engagements, actor = ActorOf(call), id = call.param(0), reason = std::move(reason)](
                 store::WriteTxn& txn) { return engagements.Stop(txn, actor, id, reason); },
             [&api](const Engagement& e) { return JsonResponse(200, EngagementJson(api, e)); },
             store::WritePriority::kEngine);
       }});
}

void AddPageRoutes(Api::Impl& api) {
  domain::EngagementService& engagements = *api.svc.engagements;

  api.routes.push_back({"GET", "/api/v1/pages", kReaders, [&api](Call& call) {
                          auto options = ListOptionsFrom(call.req);
                          if (!options.ok()) return api.Fail(call, options.status());
                          store::PageQuery q;
                          q.limit = options->limit;
                          q.cursor = options->cursor;
                          q.engagement_id = call.req.QueryValue("engagement").value_or("");
                          Json out;
                          if (!api.Read(call, [&](store::ReadTxn& txn) {
                                if (auto incident = call.req.QueryValue("incident")) {
                                  auto i = txn.GetIncident(*incident);
                                  if (!i.ok()) return i.status();
                                  q.incident_id = i->id;
                                }
                                if (auto contact = call.req.QueryValue("contact")) {
                                  auto c = txn.Contacts().Get(*contact);
                                  if (!c.ok()) return c.status();
                                  q.contact_id = c->meta.id;
                                }
                                auto page = txn.Engagements().ListPages(q);
                                if (!page.ok()) return page.status();
                                out["items"] = Json::array();
                                for (const auto& p : page->items) {
                                  out["items"].push_back(PageJson(api, p));
                                }
                                if (!page->next_cursor.empty()) {
                                  out["nextCursor"] = page->next_cursor;
                                }
                                return Status::Ok();
                              })) {
                            return;
                          }
                          api.SendJson(call, 200, out);
                        }});

  api.routes.push_back({"GET", "/api/v1/pages/{id}", kReaders, [&api](Call& call) {
                          Json out;
                          if (!api.Read(call, [&](store::ReadTxn& txn) {
                                auto p = txn.Engagements().GetPage(call.param(0));
                                if (!p.ok()) return p.status();
                                auto receipts = txn.Engagements().ListReceipts(p->id);
                                if (!receipts.ok()) return receipts.status();
                                out = PageJson(api, *p);
                                out["receipts"] = Json::array();
                                for (const auto& r : *receipts) {
                                  out["receipts"].push_back(ReceiptJson(api, *p, r));
                                }
                                return Status::Ok();
                              })) {
                            return;
                          }
                          api.SendJson(call, 200, out);
                        }});

  api.routes.push_back(
      {"POST", "/api/v1/pages/{id}/accept", kResponders, [&api, &engagements](Call& call) {
         auto body = BodyJson(call.req);
         if (!body.ok()) return api.Fail(call, body.status());
         auto accept = DecodeAccept(*body);
         if (!accept.ok()) return api.Fail(call, accept.status());
         api.Mutate<domain::Page>(
             call,
             [&engagements, actor = ActorOf(call), id = call.param(0), accept = std::move(*accept)](
                 store::WriteTxn& txn) { return engagements.Accept(txn, actor, id, accept); },
             [&api](const domain::Page& p) { return JsonResponse(200, PageJson(api, p)); },
             store::WritePriority::kEngine);
       }});
}

void AddAckLinkRoutes(Api::Impl& api) {
  domain::EngagementService& engagements = *api.svc.engagements;

  RouteSpec show{
      "GET", "/ack/{token}", kPublic, [&api, &engagements](Call& call) {
        std::string html;
        Status s = api.svc.store->Read([&](store::ReadTxn& txn) {
          auto page = engagements.PageForToken(txn, call.param(0));
          if (!page.ok()) return page.status();
          auto e = txn.Engagements().GetEngagement(page->engagement_id);
          if (!e.ok()) return e.status();
          html = "<h1>Acknowledge this page?</h1><p><strong>" + XmlEscape(e->subject) +
                 "</strong></p><p>To " + XmlEscape(page->contact_alias) + " (" +
                 domain::ChannelTypeName(page->channel_type) + ", attempt " +
                 std::to_string(page->attempt) + ")</p>";
          if (page->acknowledged || (e->state != domain::EngagementState::kEngaged &&
                                     e->state != domain::EngagementState::kUnacknowledged)) {
            html += "<p>Paging has already stopped (" +
                    std::string(domain::EngagementStateName(e->state)) + ").</p>";
          } else {
            html +=
                "<form method=\"post\"><button type=\"submit\">Acknowledge</button>"
                "</form>";
          }
          return Status::Ok();
        });
        if (!s.ok()) return api.Send(call, AckErrorPage(s));
        api.Send(call, Html(200, "Acknowledge page", html));
      }};
  show.redact_path = true;  // The token is a credential: keep it out of the access log.
  api.routes.push_back(std::move(show));

  RouteSpec confirm{"POST", "/ack/{token}", kPublic, [&api, &engagements](Call& call) {
                      const domain::Actor actor{
                          domain::Principal{"ack-link", domain::Role::kResponder}, call.rid()};
                      auto reply = call.reply;
                      store::SubmitFor<domain::Page>(
                          *api.svc.store,
                          [&engagements, actor,
                           token = call.param(0)](store::WriteTxn& txn) -> Result<domain::Page> {
                            auto page = engagements.PageForToken(txn, token);
                            if (!page.ok()) return page.status();
                            domain::AcceptRequest a;
                            a.enforce_code = false;  // Holding the link is the proof.
                            a.note = "acknowledged with the link";
                            return engagements.Accept(txn, actor, page->id, a);
                          },
                          [reply](Result<domain::Page> r) {
                            reply.Later([r = std::move(r)] {
                              if (!r.ok()) return AckErrorPage(r.status());
                              return Html(200, "Acknowledged",
                                          "<h1>Acknowledged</h1><p>Paging for " +
                                              XmlEscape(r->contact_alias) + " has stopped.</p>");
                            });
                          },
                          store::WritePriority::kEngine);
                    }};
  confirm.redact_path = true;
  confirm.body_limit = 4096;
  api.routes.push_back(std::move(confirm));
}

}  // namespace

void AddEngagementRoutes(Api::Impl& api) {
  AddEngagementCrudRoutes(api);
  AddPageRoutes(api);
  AddAckLinkRoutes(api);
}

}  // namespace tocsin::api
