// /api/v1/rotations (+ overrides, shifts, preview, on call),
// /api/v1/oncall-schedules/{id}/oncall, /api/v1/response-plans,
// /api/v1/notification-targets, /api/v1/chat-channels.
#include <map>

#include "api/crud.h"
#include "tocsin/codec/resources.h"
#include "tocsin/domain/plan_service.h"

namespace tocsin::api {
namespace {

using domain::ChatChannel;
using domain::NotificationTarget;
using domain::ResponsePlan;
using domain::Rotation;

// Reads an RFC 3339 query parameter; `fallback` when absent.
Result<TimePoint> TimeParam(const http::Request& req, const char* name,
                            std::optional<TimePoint> fallback) {
  auto text = req.QueryValue(name);
  if (!text) {
    if (fallback) return *fallback;
    return InvalidArgument(std::string(name) + " is required (an RFC 3339 timestamp)", name);
  }
  auto t = ParseRfc3339(*text);
  if (!t) return InvalidArgument(std::string(name) + " must be an RFC 3339 timestamp", name);
  return *t;
}

// Contact ids → aliases, for showing people by name.
Json Aliases(store::ReadTxn& txn, const std::vector<std::string>& ids) {
  Json out = Json::array();
  for (const auto& id : ids) {
    auto c = txn.Contacts().Get(id);
    out.push_back(c.ok() ? c->alias : id);
  }
  return out;
}

Json ShiftsJson(const std::vector<domain::Shift>& shifts,
                const std::function<Json(const std::vector<std::string>&)>& names) {
  Json items = Json::array();
  for (const auto& shift : shifts) {
    Json j = codec::ShiftToJson(shift);
    j["members"] = names(shift.members);
    if (shift.type == domain::ShiftType::kOverridden) {
      j["overriddenMembers"] = names(shift.overridden_members);
    }
    items.push_back(std::move(j));
  }
  return items;
}

Json OnCallJson(store::ReadTxn& txn, TimePoint at, const std::vector<std::string>& ids) {
  Json id_list = Json::array();
  for (const auto& id : ids) id_list.push_back(id);
  return {
      {"at", FormatRfc3339(at)}, {"members", Aliases(txn, ids)}, {"memberIds", std::move(id_list)}};
}

void AddRotationRoutes(Api::Impl& api) {
  domain::PlanService& plans = *api.svc.plans;
  Crud<Rotation> crud;
  crud.base = "/api/v1/rotations";
  crud.kind = "rotation";
  crud.name_of = [](const Rotation& r) { return r.name; };
  crud.read_roles = kReaders;
  crud.write_roles = kResponders;
  crud.get = [](store::ReadTxn& txn, std::string_view ref) { return txn.Rotations().Get(ref); };
  crud.list = [](store::ReadTxn& txn, store::ListOptions o) { return txn.Rotations().List(o); };
  crud.decode_spec = codec::RotationSpecFromReader;
  crud.spec_json = codec::RotationSpecToJson;
  crud.render = [&api](const Rotation& r) {
    return WithMeta(r.meta, api.RotationArn(r.meta.id), codec::RotationToPublic(r));
  };
  crud.create = [&plans](store::WriteTxn& txn, const domain::Principal& who, Rotation r) {
    return plans.CreateRotation(txn, who, std::move(r));
  };
  crud.update = [&plans](store::WriteTxn& txn, const domain::Principal& who, const Rotation& cur,
                         Rotation upd, std::optional<int64_t> expected) {
    return plans.UpdateRotation(txn, who, cur, std::move(upd), expected);
  };
  crud.remove = [&plans](store::WriteTxn& txn, std::string_view ref) {
    return plans.DeleteRotation(txn, ref);
  };
  AddCrudRoutes(api, std::move(crud));

  api.routes.push_back(
      {"GET", "/api/v1/rotations/{id}/shifts", kReaders, [&api, &plans](Call& call) {
         auto from = TimeParam(call.req, "from", std::nullopt);
         if (!from.ok()) return api.Fail(call, from.status());
         auto to = TimeParam(call.req, "to", std::nullopt);
         if (!to.ok()) return api.Fail(call, to.status());
         Json items;
         if (!api.Read(call, [&](store::ReadTxn& txn) {
               auto result = plans.Shifts(txn, call.param(0), *from, *to);
               if (!result.ok()) return result.status();
               items =
                   ShiftsJson(result->shifts, [&](const auto& ids) { return Aliases(txn, ids); });
               return Status::Ok();
             })) {
           return;
         }
         api.SendJson(call, 200, {{"items", std::move(items)}, {"nextCursor", nullptr}});
       }});

  api.routes.push_back(
      {"GET", "/api/v1/rotations/{id}/oncall", kReaders, [&api, &plans](Call& call) {
         auto at = TimeParam(call.req, "at", api.svc.clock->Now());
         if (!at.ok()) return api.Fail(call, at.status());
         Json out;
         if (!api.Read(call, [&](store::ReadTxn& txn) {
               auto members = plans.OnCall(txn, call.param(0), *at);
               if (!members.ok()) return members.status();
               out = OnCallJson(txn, *at, *members);
               return Status::Ok();
             })) {
           return;
         }
         api.SendJson(call, 200, out);
       }});

  api.routes.push_back(
      {"GET", "/api/v1/oncall-schedules/{id}/oncall", kReaders, [&api, &plans](Call& call) {
         auto at = TimeParam(call.req, "at", api.svc.clock->Now());
         if (!at.ok()) return api.Fail(call, at.status());
         Json out;
         if (!api.Read(call, [&](store::ReadTxn& txn) {
               auto members = plans.ScheduleOnCall(txn, call.param(0), *at);
               if (!members.ok()) return members.status();
               out = OnCallJson(txn, *at, *members);
               return Status::Ok();
             })) {
           return;
         }
         api.SendJson(call, 200, out);
       }});

  // An unsaved configuration: members are free text, nothing is stored.
  api.routes.push_back(
      {"POST", "/api/v1/rotations/preview", kReaders, [&api](Call& call) {
         auto body = BodyJson(call.req);
         if (!body.ok()) return api.Fail(call, body.status());
         codec::DecodeErrors errors;
         codec::ObjectReader r(*body, "", errors);
         domain::RotationSpec spec;
         r.String("name", 0, 255);  // Accepted (a rotation's fields) and ignored.
         codec::RotationFieldsFromReader(r, spec);
         auto from = r.Time("from", true);
         auto to = r.Time("to", true);
         std::vector<domain::OverrideSpec> overrides;
         if (const Json* list = r.Array("overrides", domain::kMaxOverridesPerRotation)) {
           for (size_t i = 0; i < list->size() && r.ok(); ++i) {
             codec::ObjectReader o(list->at(i), codec::IndexPath("overrides", i), errors);
             domain::OverrideSpec ov;
             codec::OverrideSpecFromReader(o, ov);
             (void)o.Finish();
             overrides.push_back(std::move(ov));
           }
         }
         if (Status s = r.Finish(); !s.ok()) return api.Fail(call, s);
         if (Status s = domain::ValidateRotationSpec(spec); !s.ok()) return api.Fail(call, s);
         if (Status s = domain::ValidateOverrides(overrides); !s.ok()) return api.Fail(call, s);
         if (*to <= *from) return api.Fail(call, InvalidArgument("to must be after from", "to"));
         if (*to - *from > domain::kMaxShiftWindow) {
           return api.Fail(call, InvalidArgument("the window may span at most 366 days", "to"));
         }
         auto shifts = domain::ComputeShifts(spec, overrides, *from, *to);
         if (!shifts.ok()) return api.Fail(call, Status(shifts.status()).WithField("to"));
         auto same = [](const std::vector<std::string>& names) {
           Json out = Json::array();
           for (const auto& n : names) out.push_back(n);
           return out;
         };
         api.SendJson(call, 200, {{"items", ShiftsJson(*shifts, same)}, {"nextCursor", nullptr}});
       }});

  auto render_override = [](const domain::RotationOverride& o) {
    return WithMeta(o.meta, "", codec::OverrideToPublic(o));
  };

  api.routes.push_back(
      {"POST", "/api/v1/rotations/{id}/overrides", kResponders,
       [&api, &plans, render_override](Call& call) {
         auto body = BodyJson(call.req);
         if (!body.ok()) return api.Fail(call, body.status());
         codec::DecodeErrors errors;
         codec::ObjectReader r(*body, "", errors);
         domain::OverrideSpec spec;
         codec::OverrideSpecFromReader(r, spec);
         if (Status s = r.Finish(); !s.ok()) return api.Fail(call, s);
         const auto who = call.who;
         api.Mutate<domain::RotationOverride>(
             call,
             [&plans, who, ref = call.param(0), spec = std::move(spec)](store::WriteTxn& txn) {
               return plans.CreateOverride(txn, who, ref, spec);
             },
             [render_override](const domain::RotationOverride& o) {
               return JsonResponse(201, render_override(o));
             });
       }});

  api.routes.push_back(
      {"GET", "/api/v1/rotations/{id}/overrides", kReaders,
       [&api, &plans, render_override](Call& call) {
         std::optional<TimePoint> from, to;
         if (call.req.QueryValue("from")) {
           auto t = TimeParam(call.req, "from", std::nullopt);
           if (!t.ok()) return api.Fail(call, t.status());
           from = *t;
         }
         if (call.req.QueryValue("to")) {
           auto t = TimeParam(call.req, "to", std::nullopt);
           if (!t.ok()) return api.Fail(call, t.status());
           to = *t;
         }
         Json items = Json::array();
         if (!api.Read(call, [&](store::ReadTxn& txn) {
               auto list = plans.ListOverrides(txn, call.param(0), from, to);
               if (!list.ok()) return list.status();
               for (const auto& o : *list) items.push_back(render_override(o));
               return Status::Ok();
             })) {
           return;
         }
         api.SendJson(call, 200, {{"items", std::move(items)}, {"nextCursor", nullptr}});
       }});

  api.routes.push_back({"DELETE", "/api/v1/rotations/{id}/overrides/{overrideId}", kResponders,
                        [&api, &plans](Call& call) {
                          api.Mutate<bool>(
                              call,
                              [&plans, rotation = call.param(0),
                               id = call.param(1)](store::WriteTxn& txn) -> Result<bool> {
                                TOCSIN_RETURN_IF_ERROR(plans.DeleteOverride(txn, rotation, id));
                                return true;
                              },
                              [](const bool&) { return JsonResponse(204, {}); });
                        }});
}

void AddResponsePlanRoutes(Api::Impl& api) {
  domain::PlanService& plans = *api.svc.plans;
  Crud<ResponsePlan> crud;
  crud.base = "/api/v1/response-plans";
  crud.kind = "response-plan";
  crud.name_of = [](const ResponsePlan& p) { return p.name; };
  crud.read_roles = kReaders;
  crud.write_roles = kAdmin;
  crud.get = [](store::ReadTxn& txn, std::string_view ref) { return txn.ResponsePlans().Get(ref); };
  crud.list = [](store::ReadTxn& txn, store::ListOptions o) { return txn.ResponsePlans().List(o); };
  crud.decode_spec = codec::ResponsePlanSpecFromReader;
  crud.spec_json = codec::ResponsePlanSpecToJson;
  crud.render = [&api](const ResponsePlan& p) {
    return WithMeta(p.meta, api.ResponsePlanArn(p.name), codec::ResponsePlanToPublic(p));
  };
  crud.create = [&plans](store::WriteTxn& txn, const domain::Principal& who, ResponsePlan p) {
    return plans.CreateResponsePlan(txn, who, std::move(p));
  };
  crud.update = [&plans](store::WriteTxn& txn, const domain::Principal& who,
                         const ResponsePlan& cur, ResponsePlan upd,
                         std::optional<int64_t> expected) {
    return plans.UpdateResponsePlan(txn, who, cur, std::move(upd), expected);
  };
  crud.remove = [&plans](store::WriteTxn& txn, std::string_view ref) {
    return plans.DeleteResponsePlan(txn, ref);
  };
  AddCrudRoutes(api, std::move(crud));
}

void AddTargetAndChatRoutes(Api::Impl& api) {
  domain::PlanService& plans = *api.svc.plans;
  // Webhook URLs and secrets are credentials: admins only, reads included.
  Crud<NotificationTarget> targets;
  targets.base = "/api/v1/notification-targets";
  targets.kind = "notification-target";
  targets.name_of = [](const NotificationTarget& t) { return t.name; };
  targets.read_roles = kAdmin;
  targets.write_roles = kAdmin;
  targets.get = [](store::ReadTxn& txn, std::string_view ref) {
    return txn.NotificationTargets().Get(ref);
  };
  targets.list = [](store::ReadTxn& txn, store::ListOptions o) {
    return txn.NotificationTargets().List(o);
  };
  targets.decode_spec = codec::NotificationTargetSpecFromReader;
  targets.spec_json = codec::NotificationTargetSpecToJson;
  targets.render = [](const NotificationTarget& t) {
    return WithMeta(t.meta, "", codec::NotificationTargetToPublic(t));
  };
  targets.create = [&plans](store::WriteTxn& txn, const domain::Principal& who,
                            NotificationTarget t) {
    return plans.CreateNotificationTarget(txn, who, std::move(t));
  };
  targets.update = [&plans](store::WriteTxn& txn, const domain::Principal& who,
                            const NotificationTarget& cur, NotificationTarget upd,
                            std::optional<int64_t> expected) {
    return plans.UpdateNotificationTarget(txn, who, cur, std::move(upd), expected);
  };
  targets.remove = [&plans](store::WriteTxn& txn, std::string_view ref) {
    return plans.DeleteNotificationTarget(txn, ref);
  };
  AddCrudRoutes(api, std::move(targets));

  Crud<ChatChannel> chat;
  chat.base = "/api/v1/chat-channels";
  chat.kind = "chat-channel";
  chat.name_of = [](const ChatChannel& c) { return c.name; };
  chat.read_roles = kAdmin;
  chat.write_roles = kAdmin;
  chat.get = [](store::ReadTxn& txn, std::string_view ref) { return txn.ChatChannels().Get(ref); };
  chat.list = [](store::ReadTxn& txn, store::ListOptions o) { return txn.ChatChannels().List(o); };
  chat.decode_spec = codec::ChatChannelSpecFromReader;
  chat.spec_json = codec::ChatChannelSpecToJson;
  chat.render = [](const ChatChannel& c) {
    return WithMeta(c.meta, "", codec::ChatChannelToPublic(c));
  };
  chat.create = [&plans](store::WriteTxn& txn, const domain::Principal& who, ChatChannel c) {
    return plans.CreateChatChannel(txn, who, std::move(c));
  };
  chat.update = [&plans](store::WriteTxn& txn, const domain::Principal& who, const ChatChannel& cur,
                         ChatChannel upd, std::optional<int64_t> expected) {
    return plans.UpdateChatChannel(txn, who, cur, std::move(upd), expected);
  };
  chat.remove = [&plans](store::WriteTxn& txn, std::string_view ref) {
    return plans.DeleteChatChannel(txn, ref);
  };
  AddCrudRoutes(api, std::move(chat));
}

}  // namespace

void AddPlanRoutes(Api::Impl& api) {
  AddRotationRoutes(api);
  AddResponsePlanRoutes(api);
  AddTargetAndChatRoutes(api);
}

}  // namespace tocsin::api
