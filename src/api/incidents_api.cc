// /api/v1/incidents (+ resolve, timeline, related items).
#include "api/idempotency.h"
#include "api/internal.h"
#include "tocsin/codec/ledger.h"
#include "tocsin/core/json_text.h"
#include "tocsin/domain/incident_service.h"

namespace tocsin::api {
namespace {

using domain::Incident;
using domain::TimelineEvent;

Result<domain::TriggerDetails> DecodeTrigger(codec::ObjectReader& r, const Json& json) {
  codec::ObjectReader t(json, codec::JoinPath(r.path(), "triggerDetails"), r.errors());
  domain::TriggerDetails out;
  out.source = t.String("source", 1, 50, true).value_or("");
  out.timestamp = t.Time("timestamp", true).value_or(TimePoint{});
  out.trigger_arn = t.String("triggerArn", 0, 1000).value_or("");
  out.raw_data = t.String("rawData", 0, 10000).value_or("");
  TOCSIN_RETURN_IF_ERROR(t.Finish());
  return out;
}

// {type, arn|url|metricDefinition, title}
Result<domain::RelatedItem> DecodeRelatedItem(const Json& json, const std::string& path,
                                              codec::DecodeErrors& errors) {
  codec::ObjectReader r(json, path, errors);
  domain::RelatedItem item;
  item.type = r.String("type", 1, 32, true).value_or("");
  int kinds = 0;
  for (const char* kind : {"arn", "url", "metricDefinition"}) {
    if (auto v = r.String(kind, 1, 4000)) {
      item.value_kind = kind;
      item.value = *v;
      ++kinds;
    }
  }
  item.title = r.String("title", 0, 200).value_or("");
  TOCSIN_RETURN_IF_ERROR(r.Finish());
  if (kinds != 1)
    return InvalidArgument("exactly one of arn, url, metricDefinition is required", path);
  return item;
}

Result<std::vector<domain::EventReference>> DecodeReferences(codec::ObjectReader& r) {
  std::vector<domain::EventReference> out;
  const Json* list = r.Array("eventReferences", domain::kMaxEventReferences);
  if (list == nullptr) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    codec::ObjectReader e(list->at(i), codec::IndexPath("eventReferences", i), r.errors());
    domain::EventReference ref;
    ref.resource = e.String("resource", 1, 1000).value_or("");
    ref.related_item_id = e.String("relatedItemId", 1, 100).value_or("");
    TOCSIN_RETURN_IF_ERROR(e.Finish());
    if (ref.resource.empty() == ref.related_item_id.empty()) {
      return InvalidArgument("exactly one of resource, relatedItemId is required",
                             codec::IndexPath("eventReferences", i));
    }
    out.push_back(std::move(ref));
  }
  return out;
}

Result<std::vector<std::string>> MultiValue(const http::Request& req, const char* name) {
  std::vector<std::string> out;
  for (auto v : req.QueryValues(name)) {
    size_t start = 0;
    while (start <= v.size()) {
      auto comma = v.find(',', start);
      if (comma == std::string_view::npos) comma = v.size();
      if (comma > start) out.emplace_back(v.substr(start, comma - start));
      start = comma + 1;
    }
  }
  if (out.size() > 10)
    return InvalidArgument(std::string(name) + " accepts at most 10 values", name);
  return out;
}

Result<std::optional<TimePoint>> OptionalTime(const http::Request& req, const char* name) {
  auto text = req.QueryValue(name);
  if (!text) return std::optional<TimePoint>();
  auto t = ParseRfc3339(*text);
  if (!t) return InvalidArgument(std::string(name) + " must be an RFC 3339 timestamp", name);
  return std::optional<TimePoint>(*t);
}

// The filters of GET /api/v1/incidents (and /counts) other than responsePlan,
// which needs a read (ResolvePlanFilter).
Result<store::IncidentQuery> IncidentQueryOf(const http::Request& req) {
  store::IncidentQuery q;
  auto statuses = MultiValue(req, "status");
  if (!statuses.ok()) return statuses.status();
  for (const auto& s : *statuses) {
    auto parsed = domain::ParseIncidentStatus(s);
    if (!parsed) return InvalidArgument("status must be OPEN or RESOLVED", "status");
    q.statuses.push_back(*parsed);
  }
  auto impacts = MultiValue(req, "impact");
  if (!impacts.ok()) return impacts.status();
  for (const auto& s : *impacts) {
    if (s.size() != 1 || s[0] < '1' || s[0] > '5') {
      return InvalidArgument("impact must be 1 to 5", "impact");
    }
    q.impacts.push_back(s[0] - '0');
  }
  auto after = OptionalTime(req, "createdAfter");
  if (!after.ok()) return after.status();
  auto before = OptionalTime(req, "createdBefore");
  if (!before.ok()) return before.status();
  q.created_after = *after;
  q.created_before = *before;
  if (auto by = req.QueryValue("createdBy")) q.created_by = std::string(*by);
  if (auto text = req.QueryValue("q")) {
    if (text->size() > 200) return InvalidArgument("q must be at most 200 characters", "q");
    q.title_words = std::string(*text);
  }
  return q;
}

Status ResolvePlanFilter(store::ReadTxn& txn, const http::Request& req, store::IncidentQuery& q) {
  if (auto plan = req.QueryValue("responsePlan")) {
    auto p = txn.ResponsePlans().Get(*plan);
    if (!p.ok()) return Status(p.status()).WithField("responsePlan");
    q.response_plan_id = p->meta.id;
  }
  return Status::Ok();
}

http::Response IncidentResponse(unsigned status, const Incident& i,
                                std::optional<bool> deduplicated) {
  std::string text = codec::IncidentJsonText(i);
  if (deduplicated) {
    text.pop_back();  // The closing brace.
    text += *deduplicated ? ",\"deduplicated\":true}" : ",\"deduplicated\":false}";
  }
  http::Response r = JsonTextResponse(status, std::move(text));
  r.headers.push_back({"etag", "\"" + std::to_string(i.version) + "\""});
  return r;
}

void AddIncidentCoreRoutes(Api::Impl& api) {
  domain::IncidentService& incidents = *api.svc.incidents;

  api.routes.push_back(
      {"POST", "/api/v1/incidents", kStarters, [&api, &incidents](Call& call) {
         auto body = BodyJson(call.req);
         if (!body.ok()) return api.Fail(call, body.status());
         codec::DecodeErrors errors;
         codec::ObjectReader r(*body, "", errors);
         domain::StartIncident start;
         start.response_plan = r.String("responsePlan", 1, 200, true).value_or("");
         start.title = r.String("title", 1, 200);
         if (auto impact = r.Int("impact", INT32_MIN, INT32_MAX))
           start.impact = static_cast<int>(*impact);
         start.summary = r.String("summary", 0, 8000);
         if (const Json* trigger = r.Object("triggerDetails")) {
           auto t = DecodeTrigger(r, *trigger);
           if (!t.ok()) return api.Fail(call, t.status());
           start.trigger = std::move(*t);
         }
         if (const Json* items = r.Array("relatedItems", domain::kMaxRelatedItems)) {
           for (size_t i = 0; i < items->size(); ++i) {
             auto item =
                 DecodeRelatedItem(items->at(i), codec::IndexPath("relatedItems", i), errors);
             if (!item.ok()) return api.Fail(call, item.status());
             start.related_items.push_back(std::move(*item));
           }
         }
         auto key = IdempotencyKeyOf(call.req, r);
         if (Status s = r.Finish(); !s.ok()) return api.Fail(call, s);
         if (!key.ok()) return api.Fail(call, key.status());
         const auto actor = ActorOf(call);
         MutateIdempotent(api, call, *key, *body,
                          [&incidents, actor, start = std::move(start)](
                              store::WriteTxn& txn) -> Result<http::Response> {
                            auto result = incidents.Start(txn, actor, start);
                            if (!result.ok()) return result.status();
                            return IncidentResponse(result->deduplicated ? 200 : 201,
                                                    result->incident, result->deduplicated);
                          });
       }});

  api.routes.push_back({"GET", "/api/v1/incidents", kReaders, [&api](Call& call) {
                          auto q = IncidentQueryOf(call.req);
                          if (!q.ok()) return api.Fail(call, q.status());
                          auto options = ListOptionsFrom(call.req);
                          if (!options.ok()) return api.Fail(call, options.status());
                          q->limit = options->limit;
                          q->cursor = options->cursor;
                          std::string body;
                          if (!api.Read(call, [&](store::ReadTxn& txn) {
                                TOCSIN_RETURN_IF_ERROR(ResolvePlanFilter(txn, call.req, *q));
                                auto page = txn.ListIncidents(*q);
                                if (!page.ok()) return page.status();
                                body = "{\"items\":[";
                                for (size_t k = 0; k < page->items.size(); ++k) {
                                  if (k > 0) body += ',';
                                  body += codec::IncidentJsonText(page->items[k]);
                                }
                                body += "],\"nextCursor\":";
                                body += page->next_cursor.empty() ? std::string("null")
                                                                  : JsonQuote(page->next_cursor);
                                body += '}';
                                return Status::Ok();
                              })) {
                            return;
                          }
                          api.Send(call, JsonTextResponse(200, std::move(body)));
                        }});

  // Counts by impact for the dashboard's badges: the list's filters, no paging.
  api.routes.push_back({"GET", "/api/v1/incidents/counts", kReaders, [&api](Call& call) {
                          auto q = IncidentQueryOf(call.req);
                          if (!q.ok()) return api.Fail(call, q.status());
                          Json by_impact = Json::object();
                          int64_t total = 0;
                          for (int impact = 1; impact <= 5; ++impact) {
                            by_impact[std::to_string(impact)] = 0;
                          }
                          if (!api.Read(call, [&](store::ReadTxn& txn) {
                                TOCSIN_RETURN_IF_ERROR(ResolvePlanFilter(txn, call.req, *q));
                                auto counts = txn.CountIncidentsByImpact(*q);
                                if (!counts.ok()) return counts.status();
                                for (const auto& [impact, n] : *counts) {
                                  by_impact[std::to_string(impact)] = n;
                                  total += n;
                                }
                                return Status::Ok();
                              })) {
                            return;
                          }
                          api.SendJson(call, 200, {{"total", total}, {"byImpact", by_impact}});
                        }});

  api.routes.push_back({"GET", "/api/v1/incidents/{id}", kReaders, [&api](Call& call) {
                          Incident incident;
                          if (!api.Read(call, [&](store::ReadTxn& txn) {
                                auto i = txn.GetIncident(call.param(0));
                                if (!i.ok()) return i.status();
                                incident = std::move(*i);
                                return Status::Ok();
                              })) {
                            return;
                          }
                          api.Send(call, IncidentResponse(200, incident, std::nullopt));
                        }});

  api.routes.push_back(
      {"PATCH", "/api/v1/incidents/{id}", kResponders, [&api, &incidents](Call& call) {
         auto body = BodyJson(call.req);
         if (!body.ok()) return api.Fail(call, body.status());
         auto if_match = ParseIfMatch(call.req.HeaderValue("if-match"));
         if (!if_match.ok()) return api.Fail(call, if_match.status());
         codec::DecodeErrors errors;
         codec::ObjectReader r(*body, "", errors);
         domain::IncidentChanges c;
         c.title = r.String("title", 1, 200);
         c.summary = r.String("summary", 0, 8000);
         if (auto impact = r.Int("impact", INT32_MIN, INT32_MAX))
           c.impact = static_cast<int>(*impact);
         if (auto status = r.String("status", 1, 16)) {
           c.status = domain::ParseIncidentStatus(*status);
           if (!c.status) r.Fail("status", "must be OPEN or RESOLVED");
         }
         c.chat_channels = r.StringList("chatChannels", 5, 1, 255, false);
         c.notification_targets = r.StringList("notificationTargets", 10, 1, 255, false);
         auto key = IdempotencyKeyOf(call.req, r);
         if (Status s = r.Finish(); !s.ok()) return api.Fail(call, s);
         if (!key.ok()) return api.Fail(call, key.status());
         const auto actor = ActorOf(call);
         MutateIdempotent(api, call, *key, *body,
                          [&incidents, actor, id = call.param(0), c = std::move(c),
                           expected = *if_match](store::WriteTxn& txn) -> Result<http::Response> {
                            auto updated = incidents.Update(txn, actor, id, c, expected);
                            if (!updated.ok()) return updated.status();
                            return IncidentResponse(200, *updated, std::nullopt);
                          });
       }});

  api.routes.push_back(
      {"POST", "/api/v1/incidents/{id}/resolve", kResponders, [&api, &incidents](Call& call) {
         const auto actor = ActorOf(call);
         api.Mutate<Incident>(
             call,
             [&incidents, actor, id = call.param(0)](store::WriteTxn& txn) {
               return incidents.Resolve(txn, actor, id);
             },
             [](const Incident& i) { return IncidentResponse(200, i, std::nullopt); });
       }});
}

void AddTimelineRoutes(Api::Impl& api) {
  domain::IncidentService& incidents = *api.svc.incidents;
  const std::string base = "/api/v1/incidents/{id}/timeline";

  api.routes.push_back(
      {"GET", base, kReaders, [&api](Call& call) {
         store::TimelineQuery q;
         auto options = ListOptionsFrom(call.req);
         if (!options.ok()) return api.Fail(call, options.status());
         q.limit = options->limit;
         q.cursor = options->cursor;
         auto types = MultiValue(call.req, "eventType");
         if (!types.ok()) return api.Fail(call, types.status());
         q.event_types = std::move(*types);
         auto after = OptionalTime(call.req, "after");
         if (!after.ok()) return api.Fail(call, after.status());
         auto before = OptionalTime(call.req, "before");
         if (!before.ok()) return api.Fail(call, before.status());
         q.after = *after;
         q.before = *before;
         if (auto sort = call.req.QueryValue("sort")) {
           if (*sort != "asc" && *sort != "desc") {
             return api.Fail(call, InvalidArgument("sort must be asc or desc", "sort"));
           }
           q.descending = *sort == "desc";
         }
         Json items = Json::array();
         std::string next;
         if (!api.Read(call, [&](store::ReadTxn& txn) {
               auto incident = txn.GetIncident(call.param(0));
               if (!incident.ok()) return incident.status();
               q.incident_id = incident->id;
               auto page = txn.ListTimeline(q);
               if (!page.ok()) return page.status();
               for (const auto& e : page->items) items.push_back(codec::TimelineEventToJson(e));
               next = page->next_cursor;
               return Status::Ok();
             })) {
           return;
         }
         api.SendJson(
             call, 200,
             {{"items", std::move(items)}, {"nextCursor", next.empty() ? Json() : Json(next)}});
       }});

  api.routes.push_back(
      {"POST", base, kResponders, [&api, &incidents](Call& call) {
         auto body = BodyJson(call.req);
         if (!body.ok()) return api.Fail(call, body.status());
         codec::DecodeErrors errors;
         codec::ObjectReader r(*body, "", errors);
         domain::CustomEventSpec spec;
         spec.event_type = r.String("eventType", 1, 100, true).value_or("");
         spec.event_time = r.Time("eventTime").value_or(api.svc.clock->Now());
         spec.event_data = r.String("eventData", 1, domain::kMaxEventData, true).value_or("");
         auto refs = DecodeReferences(r);
         auto key = IdempotencyKeyOf(call.req, r);
         if (Status s = r.Finish(); !s.ok()) return api.Fail(call, s);
         if (!refs.ok()) return api.Fail(call, refs.status());
         if (!key.ok()) return api.Fail(call, key.status());
         spec.references = std::move(*refs);
         const auto actor = ActorOf(call);
         MutateIdempotent(api, call, *key, *body,
                          [&incidents, actor, id = call.param(0),
                           spec = std::move(spec)](store::WriteTxn& txn) -> Result<http::Response> {
                            auto e = incidents.AddEvent(txn, actor, id, spec);
                            if (!e.ok()) return e.status();
                            return JsonResponse(201, codec::TimelineEventToJson(*e));
                          });
       }});

  api.routes.push_back({"GET", base + "/{eventId}", kReaders, [&api](Call& call) {
                          TimelineEvent event;
                          if (!api.Read(call, [&](store::ReadTxn& txn) {
                                auto incident = txn.GetIncident(call.param(0));
                                if (!incident.ok()) return incident.status();
                                auto e = txn.GetTimelineEvent(incident->id, call.param(1));
                                if (!e.ok()) return e.status();
                                event = std::move(*e);
                                return Status::Ok();
                              })) {
                            return;
                          }
                          api.SendJson(call, 200, codec::TimelineEventToJson(event));
                        }});

  api.routes.push_back({"PATCH", base + "/{eventId}", kResponders, [&api, &incidents](Call& call) {
                          auto body = BodyJson(call.req);
                          if (!body.ok()) return api.Fail(call, body.status());
                          codec::DecodeErrors errors;
                          codec::ObjectReader r(*body, "", errors);
                          domain::CustomEventChanges c;
                          c.event_type = r.String("eventType", 1, 100);
                          c.event_time = r.Time("eventTime");
                          c.event_data = r.String("eventData", 1, domain::kMaxEventData);
                          if (r.Has("eventReferences")) {
                            auto refs = DecodeReferences(r);
                            if (!refs.ok()) return api.Fail(call, refs.status());
                            c.references = std::move(*refs);
                          }
                          if (Status s = r.Finish(); !s.ok()) return api.Fail(call, s);
                          const auto actor = ActorOf(call);
                          api.Mutate<TimelineEvent>(
                              call,
                              [&incidents, actor, id = call.param(0), event = call.param(1),
                               c = std::move(c)](store::WriteTxn& txn) {
                                return incidents.EditEvent(txn, actor, id, event, c);
                              },
                              [](const TimelineEvent& e) {
                                return JsonResponse(200, codec::TimelineEventToJson(e));
                              });
                        }});

  api.routes.push_back({"DELETE", base + "/{eventId}", kResponders, [&api, &incidents](Call& call) {
                          const auto actor = ActorOf(call);
                          api.Mutate<bool>(
                              call,
                              [&incidents, actor, id = call.param(0),
                               event = call.param(1)](store::WriteTxn& txn) -> Result<bool> {
                                TOCSIN_RETURN_IF_ERROR(
                                    incidents.DeleteEvent(txn, actor, id, event));
                                return true;
                              },
                              [](const bool&) { return JsonResponse(204, {}); });
                        }});
}

void AddRelatedItemRoutes(Api::Impl& api) {
  domain::IncidentService& incidents = *api.svc.incidents;
  const std::string base = "/api/v1/incidents/{id}/related-items";

  api.routes.push_back(
      {"GET", base, kReaders, [&api](Call& call) {
         Json items = Json::array();
         if (!api.Read(call, [&](store::ReadTxn& txn) {
               auto incident = txn.GetIncident(call.param(0));
               if (!incident.ok()) return incident.status();
               auto list = txn.ListRelatedItems(incident->id);
               if (!list.ok()) return list.status();
               for (const auto& item : *list) items.push_back(codec::RelatedItemToJson(item));
               return Status::Ok();
             })) {
           return;
         }
         api.SendJson(call, 200, {{"items", std::move(items)}, {"nextCursor", nullptr}});
       }});

  api.routes.push_back({"POST", base, kResponders, [&api, &incidents](Call& call) {
                          auto body = BodyJson(call.req);
                          if (!body.ok()) return api.Fail(call, body.status());
                          codec::DecodeErrors errors;
                          auto item = DecodeRelatedItem(*body, "", errors);
                          if (!item.ok()) return api.Fail(call, item.status());
                          const auto actor = ActorOf(call);
                          api.Mutate<domain::RelatedItem>(
                              call,
                              [&incidents, actor, id = call.param(0),
                               item = std::move(*item)](store::WriteTxn& txn) {
                                return incidents.AddRelatedItem(txn, actor, id, item);
                              },
                              [](const domain::RelatedItem& i) {
                                return JsonResponse(201, codec::RelatedItemToJson(i));
                              });
                        }});

  // Item ids contain slashes ("related-item/METRIC/<hex>"): send them
  // percent-encoded (%2F) in this path segment.
  api.routes.push_back({"DELETE", base + "/{itemId}", kResponders, [&api, &incidents](Call& call) {
                          const auto actor = ActorOf(call);
                          api.Mutate<bool>(
                              call,
                              [&incidents, actor, id = call.param(0),
                               item = call.param(1)](store::WriteTxn& txn) -> Result<bool> {
                                TOCSIN_RETURN_IF_ERROR(
                                    incidents.RemoveRelatedItem(txn, actor, id, item));
                                return true;
                              },
                              [](const bool&) { return JsonResponse(204, {}); });
                        }});
}

}  // namespace

void AddIncidentRoutes(Api::Impl& api) {
  AddIncidentCoreRoutes(api);
  AddTimelineRoutes(api);
  AddRelatedItemRoutes(api);
}

}  // namespace tocsin::api
