// Carrier callbacks: /hooks/twilio/{status,sms,gather}.
//
// Twilio calls these without an API key; each request must carry a valid
// X-Twilio-Signature (HMAC-SHA1 with the account's auth token over the URL
// Twilio called, server.publicUrl + the request target, and the sorted form
// parameters), else 403 and nothing changes. Without notify.twilio.authToken
// the routes answer 404.
//  - status: MessageStatus / CallStatus callbacks become page receipts
//    (DELIVERED, READ, ERROR) on the page the SID belongs to;
//  - sms: an inbound reply "ACK 123456" (or just the code) acknowledges the
//    sender's recent page with that accept code;
//  - gather: a keypress during a voice page; "1" acknowledges that call's page.
// Answers are TwiML that sends nothing further: a reply by SMS would be a
// message outside the outbox.
#include <cctype>

#include "api/internal.h"
#include "tocsin/core/log.h"
#include "tocsin/domain/engagement_service.h"
#include "tocsin/notify/carrier.h"

namespace tocsin::api {
namespace {

constexpr size_t kHookBodyLimit = 16 * 1024;

http::Response Twiml(std::string body) {
  http::Response r;
  r.status = 200;
  r.content_type = "text/xml; charset=utf-8";
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + std::move(body);
  return r;
}

std::string Param(const net::Headers& form, std::string_view name) {
  for (const auto& [k, v] : form) {
    if (k == name) return v;
  }
  return {};
}

// The accept code of a reply: the first run of 4..12 digits ("ACK 123456",
// "123456", "ack: 123456 thanks").
std::string CodeInReply(std::string_view body) {
  for (size_t i = 0; i < body.size();) {
    if (!std::isdigit(static_cast<unsigned char>(body[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < body.size() && std::isdigit(static_cast<unsigned char>(body[j]))) ++j;
    if (j - i >= 4 && j - i <= 12) return std::string(body.substr(i, j - i));
    i = j;
  }
  return {};
}

// Checks the signature and decodes the form; on failure replies and returns nullopt.
std::optional<net::Headers> VerifiedForm(Api::Impl& api, Call& call) {
  auto form = notify::FormDecode(call.req.body);
  if (!form.ok()) {
    api.Fail(call, InvalidArgument("body must be application/x-www-form-urlencoded"));
    return std::nullopt;
  }
  const std::string url = api.config.public_url + call.req.target;
  if (!notify::TwilioSignatureValid(api.config.twilio_auth_token, url, *form,
                                    call.req.HeaderValue("x-twilio-signature"))) {
    spdlog::warn("msg=\"twilio callback with a bad signature\" rid={} path={} remote={}",
                 call.rid(), LogQuote(call.req.path), call.req.remote_address);
    api.Fail(call, PermissionDenied("X-Twilio-Signature does not match this request"));
    return std::nullopt;
  }
  return std::move(*form);
}

domain::Actor CarrierActor(const Call& call, const char* who) {
  return {domain::Principal{who, domain::Role::kResponder}, call.rid()};
}

void AddTwilioRoutes(Api::Impl& api) {
  domain::EngagementService& engagements = *api.svc.engagements;
  auto configured = [&api](Call& call) {
    if (api.config.twilio_auth_token.empty()) {
      api.Fail(call, NotFound("twilio is not configured (notify.twilio.authToken)"));
      return false;
    }
    return true;
  };

  RouteSpec status{
      "POST", "/hooks/twilio/status", kPublic, [&api, &engagements, configured](Call& call) {
        if (!configured(call)) return;
        auto form = VerifiedForm(api, call);
        if (!form) return;
        std::string sid = Param(*form, "MessageSid");
        std::string state = Param(*form, "MessageStatus");
        if (sid.empty()) {
          sid = Param(*form, "CallSid");
          state = Param(*form, "CallStatus");
        }
        const std::string type = notify::TwilioReceiptType(state);
        const auto receipt = domain::ParseReceiptType(type);
        if (sid.empty() || !receipt) return api.Send(call, Twiml("<Response/>"));
        std::string info = state;
        if (const std::string code = Param(*form, "ErrorCode"); !code.empty())
          info += " (error " + code + ")";
        auto reply = call.reply;
        api.svc.store->Submit(
            [&engagements, ref = "twilio:" + sid, r = *receipt, info](store::WriteTxn& txn) {
              Status s = engagements.RecordCarrierReceipt(txn, ref, r, info);
              // Callbacks for messages that are not pages (tests,
              // activation codes) have nothing to update.
              return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
            },
            [reply, rid = call.rid()](Status s) {
              reply.Later(
                  [s, rid] { return s.ok() ? Twiml("<Response/>") : ErrorResponse(s, rid); });
            },
            store::WritePriority::kEngine);
      }};
  status.body_limit = kHookBodyLimit;
  api.routes.push_back(std::move(status));

  RouteSpec sms{
      "POST", "/hooks/twilio/sms", kPublic, [&api, &engagements, configured](Call& call) {
        if (!configured(call)) return;
        auto form = VerifiedForm(api, call);
        if (!form) return;
        const std::string from = Param(*form, "From");
        const std::string code = CodeInReply(Param(*form, "Body"));
        if (from.empty() || code.empty()) {
          spdlog::info("msg=\"sms reply without a code\" rid={}", call.rid());
          return api.Send(call, Twiml("<Response/>"));
        }
        auto reply = call.reply;
        store::SubmitFor<domain::Page>(
            *api.svc.store,
            [&engagements, actor = CarrierActor(call, "sms-reply"), from, code](
                store::WriteTxn& txn) { return engagements.AcceptReply(txn, actor, from, code); },
            [reply, rid = call.rid()](Result<domain::Page> r) {
              if (!r.ok()) {
                spdlog::info("msg=\"sms reply not accepted\" rid={} error={}", rid,
                             LogQuote(r.status().message()));
              }
              reply.Later([] { return Twiml("<Response/>"); });
            },
            store::WritePriority::kEngine);
      }};
  sms.body_limit = kHookBodyLimit;
  api.routes.push_back(std::move(sms));

  RouteSpec gather{
      "POST", "/hooks/twilio/gather", kPublic, [&api, &engagements, configured](Call& call) {
        if (!configured(call)) return;
        auto form = VerifiedForm(api, call);
        if (!form) return;
        const std::string sid = Param(*form, "CallSid");
        if (sid.empty() || Param(*form, "Digits") != "1") {
          return api.Send(call, Twiml("<Response><Say>Not acknowledged.</Say></Response>"));
        }
        auto reply = call.reply;
        store::SubmitFor<domain::Page>(
            *api.svc.store,
            [&engagements, actor = CarrierActor(call, "voice-keypress"),
             ref = "twilio:" + sid](store::WriteTxn& txn) -> Result<domain::Page> {
              auto page = txn.Engagements().FindPageByProviderRef(ref);
              if (!page.ok()) return page.status();
              domain::AcceptRequest a;
              a.enforce_code = false;  // The person answered the call we placed.
              a.note = "pressed 1 on the call";
              return engagements.Accept(txn, actor, page->id, a);
            },
            [reply](Result<domain::Page> r) {
              reply.Later([ok = r.ok()] {
                return Twiml(
                    ok ? "<Response><Say>Acknowledged. Paging has stopped.</Say></Response>"
                       : "<Response><Say>This page could not be acknowledged.</Say>"
                         "</Response>");
              });
            },
            store::WritePriority::kEngine);
      }};
  gather.body_limit = kHookBodyLimit;
  api.routes.push_back(std::move(gather));
}

}  // namespace

void AddCarrierHookRoutes(Api::Impl& api) { AddTwilioRoutes(api); }

}  // namespace tocsin::api
