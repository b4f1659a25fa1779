// /api/v1/contacts, /escalation-plans, /oncall-schedules (all AWS "contacts",
// one alias namespace) and /channels.
#include "api/crud.h"
#include "tocsin/codec/resources.h"

namespace tocsin::api {
namespace {

using domain::Channel;
using domain::Contact;
using domain::ContactType;

struct ContactKind {
  ContactType type;
  const char* collection;  // URL segment.
  const char* kind;        // store kind, for list filtering.
};

constexpr ContactKind kKinds[] = {
    {ContactType::kPersonal, "contacts", "contact"},
    {ContactType::kEscalation, "escalation-plans", "escalation-plan"},
    {ContactType::kOncallSchedule, "oncall-schedules", "oncall-schedule"},
};

const char* Noun(ContactType type) {
  switch (type) {
    case ContactType::kPersonal:
      return "contact";
    case ContactType::kEscalation:
      return "escalation plan";
    case ContactType::kOncallSchedule:
      return "on-call schedule";
  }
  return "contact";
}

// Loads a contact of `type` (404 for other types sharing the alias namespace).
Result<Contact> GetTyped(store::ReadTxn& txn, std::string_view ref, ContactType type) {
  auto c = txn.Contacts().Get(ref);
  if (!c.ok() || c->type != type) {
    if (!c.ok() && c.status().code() != StatusCode::kNotFound) return c.status();
    return NotFound(std::string(Noun(type)) + " \"" + std::string(ref) + "\" not found");
  }
  return c;
}

Status DecodeChannelSpec(const Json& json, Channel& out, std::optional<bool>* defer) {
  codec::DecodeErrors errors;
  codec::ObjectReader reader(json, "", errors);
  if (defer != nullptr) *defer = reader.Bool("deferActivation");
  codec::ChannelSpecFromReader(reader, out);
  return reader.Finish();
}

void AddContactKindRoutes(Api::Impl& api, const ContactKind& k) {
  const ContactType type = k.type;
  Crud<Contact> crud;
  crud.base = std::string("/api/v1/") + k.collection;
  crud.kind = k.kind;
  crud.name_of = [](const Contact& c) { return c.alias; };
  crud.read_roles = kReaders;
  crud.write_roles = kResponders;
  crud.init = [type](Contact& c) { c.type = type; };
  crud.get = [type](store::ReadTxn& txn, std::string_view ref) { return GetTyped(txn, ref, type); };
  crud.list = [kind = k.kind](store::ReadTxn& txn, store::ListOptions options) {
    options.kind = kind;
    return txn.Contacts().List(options);
  };
  crud.decode_spec = codec::ContactSpecFromReader;
  crud.spec_json = codec::ContactSpecToJson;
  crud.render = [&api](const Contact& c) {
    return WithMeta(c.meta, api.ContactArn(c.alias), codec::ContactToPublic(c));
  };
  crud.create = [&api](store::WriteTxn& txn, const domain::Principal& who, Contact c) {
    return api.svc.contacts->Create(txn, who, std::move(c));
  };
  crud.update = [&api](store::WriteTxn& txn, const domain::Principal& who, const Contact& cur,
                       Contact upd, std::optional<int64_t> expected) {
    return api.svc.contacts->Update(txn, who, cur, std::move(upd), expected);
  };
  crud.remove = [&api, type](store::WriteTxn& txn, std::string_view ref) {
    return api.svc.contacts->Delete(txn, ref, type);
  };
  AddCrudRoutes(api, std::move(crud));
}

}  // namespace

void AddContactRoutes(Api::Impl& api) {
  for (const auto& k : kKinds) AddContactKindRoutes(api, k);

  // Channels render with their owner's alias in the ARN, read in the same transaction.
  auto render = [&api](const Channel& ch, const std::string& alias) {
    return WithMeta(ch.meta, api.ChannelArn(alias, ch.meta.id), codec::ChannelToPublic(ch));
  };
  auto owner_alias = [](store::ReadTxn& txn, const Channel& ch) {
    auto owner = txn.Contacts().Get(ch.contact_id);
    return owner.ok() ? owner->alias : std::string();
  };
  using ChannelOut = std::pair<Channel, std::string>;
  auto channel_reply = [render](unsigned status) {
    return [render, status](const ChannelOut& out) {
      return WithEtag(JsonResponse(status, render(out.first, out.second)), out.first.meta.version);
    };
  };
  // Runs a channel mutation and attaches the owner's alias for rendering.
  // Runs a channel mutation, records it in the audit trail, and attaches the
  // owner's alias for rendering.
  auto mutate_channel = [&api, owner_alias, channel_reply](
                            Call& call, unsigned status, const char* action,
                            std::function<Result<Channel>(store::WriteTxn&)> fn) {
    api.Mutate<ChannelOut>(
        call,
        [fn = std::move(fn), owner_alias, action, who = call.who,
         rid = call.rid()](store::WriteTxn& txn) -> Result<ChannelOut> {
          auto ch = fn(txn);
          if (!ch.ok()) return ch.status();
          std::string alias = owner_alias(txn, *ch);
          TOCSIN_RETURN_IF_ERROR(Audit(txn, who, rid, action, "channel", ch->meta.id, alias));
          return ChannelOut{std::move(*ch), std::move(alias)};
        },
        channel_reply(status));
  };

  api.routes.push_back(
      {"POST", "/api/v1/contacts/{id}/channels", kResponders, [&api, mutate_channel](Call& call) {
         auto body = BodyJson(call.req);
         if (!body.ok()) return api.Fail(call, body.status());
         Channel spec;
         std::optional<bool> defer;
         if (Status s = DecodeChannelSpec(*body, spec, &defer); !s.ok()) return api.Fail(call, s);
         const auto who = call.who;
         mutate_channel(call, 201, "create",
                        [&api, who, contact = call.param(0), spec = std::move(spec),
                         defer = defer.value_or(false)](store::WriteTxn& txn) {
                          return api.svc.contacts->CreateChannel(txn, who, contact, spec, defer);
                        });
       }});

  api.routes.push_back(
      {"GET", "/api/v1/contacts/{id}/channels", kReaders, [&api, render](Call& call) {
         auto options = ListOptionsFrom(call.req);
         if (!options.ok()) return api.Fail(call, options.status());
         Json items = Json::array();
         std::string next;
         if (!api.Read(call, [&](store::ReadTxn& txn) {
               auto contact = GetTyped(txn, call.param(0), ContactType::kPersonal);
               if (!contact.ok()) return contact.status();
               options->parent_id = contact->meta.id;
               auto page = txn.Channels().List(*options);
               if (!page.ok()) return page.status();
               for (const auto& ch : page->items) items.push_back(render(ch, contact->alias));
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
      {"GET", "/api/v1/channels/{id}", kReaders, [&api, render, owner_alias](Call& call) {
         Channel channel;
         std::string alias;
         if (!api.Read(call, [&](store::ReadTxn& txn) {
               auto ch = txn.Channels().Get(call.param(0));
               if (!ch.ok()) return ch.status();
               channel = std::move(*ch);
               alias = owner_alias(txn, channel);
               return Status::Ok();
             })) {
           return;
         }
         api.Send(call, WithEtag(JsonResponse(200, render(channel, alias)), channel.meta.version));
       }});

  api.routes.push_back(
      {"PATCH", "/api/v1/channels/{id}", kResponders, [&api, mutate_channel](Call& call) {
         auto patch = BodyJson(call.req);
         if (!patch.ok()) return api.Fail(call, patch.status());
         auto if_match = ParseIfMatch(call.req.HeaderValue("if-match"));
         if (!if_match.ok()) return api.Fail(call, if_match.status());
         const auto who = call.who;
         mutate_channel(call, 200, "update",
                        [&api, who, id = call.param(0), patch = std::move(*patch),
                         expected = *if_match](store::WriteTxn& txn) -> Result<Channel> {
                          auto current = txn.Channels().Get(id);
                          if (!current.ok()) return current.status();
                          Json merged = codec::ChannelSpecToJson(*current);
                          codec::MergePatch(merged, patch);
                          Channel updated;
                          TOCSIN_RETURN_IF_ERROR(DecodeChannelSpec(merged, updated, nullptr));
                          return api.svc.contacts->UpdateChannel(txn, who, *current,
                                                                 std::move(updated), expected);
                        });
       }});

  api.routes.push_back(
      {"DELETE", "/api/v1/channels/{id}", kResponders, [&api](Call& call) {
         const auto who = call.who;
         api.Mutate<bool>(
             call,
             [&api, who, rid = call.rid(),
              id = call.param(0)](store::WriteTxn& txn) -> Result<bool> {
               TOCSIN_RETURN_IF_ERROR(api.svc.contacts->DeleteChannel(txn, who, id));
               TOCSIN_RETURN_IF_ERROR(Audit(txn, who, rid, "delete", "channel", id, ""));
               return true;
             },
             [](const bool&) { return JsonResponse(204, {}); });
       }});

  api.routes.push_back(
      {"POST", "/api/v1/channels/{id}/activate", kResponders, [&api, mutate_channel](Call& call) {
         auto body = BodyJson(call.req);
         if (!body.ok()) return api.Fail(call, body.status());
         codec::DecodeErrors errors;
         codec::ObjectReader reader(*body, "", errors);
         auto code = reader.String("code", 1, 10, true);
         if (Status s = reader.Finish(); !s.ok()) return api.Fail(call, s);
         const auto who = call.who;
         mutate_channel(call, 200, "activate",
                        [&api, who, id = call.param(0), code = *code](store::WriteTxn& txn) {
                          return api.svc.contacts->Activate(txn, who, id, code);
                        });
       }});

  api.routes.push_back(
      {"POST", "/api/v1/channels/{id}/deactivate", kResponders, [&api, mutate_channel](Call& call) {
         const auto who = call.who;
         mutate_channel(call, 200, "deactivate",
                        [&api, who, id = call.param(0)](store::WriteTxn& txn) {
                          return api.svc.contacts->Deactivate(txn, who, id);
                        });
       }});

  api.routes.push_back({"POST", "/api/v1/channels/{id}/send-activation-code", kResponders,
                        [&api, mutate_channel](Call& call) {
                          const auto who = call.who;
                          mutate_channel(call, 202, "send-activation-code",
                                         [&api, who, id = call.param(0)](store::WriteTxn& txn) {
                                           return api.svc.contacts->SendActivationCode(txn, who,
                                                                                       id);
                                         });
                        }});
}

}  // namespace tocsin::api
