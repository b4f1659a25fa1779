// Private plumbing of the api module: the per-call context, the route spec,
// response helpers and Api::Impl, which every *_api.cc file extends with its
// routes.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "api/background.h"
#include "api/login_throttle.h"
#include "tocsin/api/api.h"
#include "tocsin/codec/json_reader.h"
#include "tocsin/domain/resource.h"
#include "tocsin/http/message.h"

namespace tocsin::api {

class LedgerStreams;   // ledger_stream.h
class LedgerVerifier;  // ledger_api.cc

using codec::Json;
using domain::Role;

// One authenticated request being handled.
struct Call {
  const http::Request& req;
  domain::Principal who;
  http::Reply reply;
  // Set when the caller authenticated with a dashboard session cookie.
  std::optional<domain::SessionUser> session{};
  std::string session_token{};

  const std::string& param(size_t i) const { return req.params.at(i); }
  const std::string& rid() const { return req.request_id; }
};

// The caller of `call`, as recorded in ledger entries.
inline domain::Actor ActorOf(const Call& call) { return {call.who, call.rid()}; }

using ApiHandler = std::function<void(Call& call)>;

struct RouteSpec {
  std::string method;
  std::string pattern;
  std::set<Role> roles;  // Empty: public (no credentials needed).
  ApiHandler handler;
  size_t body_limit = http::kDefaultBodyLimit;
  bool redact_path = false;
  // For public routes whose request carries its own credential (an ingest
  // key): what it is. Such routes answer 401 to a wrong one.
  std::string credential{};
  // Which credentials a non-public route accepts.
  AuthMode auth = AuthMode::kKeyOrSession;
};

// Role sets used by the route table.
inline const std::set<Role> kPublic{};
inline const std::set<Role> kAdmin{Role::kAdmin};
inline const std::set<Role> kReaders{Role::kAdmin, Role::kResponder, Role::kViewer};
inline const std::set<Role> kResponders{Role::kAdmin, Role::kResponder};
inline const std::set<Role> kStarters{Role::kAdmin, Role::kResponder, Role::kIntegration};

// Maps a Status to its HTTP status code (the one place that does).
unsigned HttpStatusFor(StatusCode code);

// Builds the JSON error response for `status`. Internal errors are logged
// with the request id and reported as "internal error".
http::Response ErrorResponse(const Status& status, std::string_view request_id);

http::Response JsonResponse(unsigned status, const Json& body);
// `body` must already be JSON text (a hot path rendered without a JSON tree).
http::Response JsonTextResponse(unsigned status, std::string body);

// Returns the version in an If-Match header ("3", "\"3\"", "W/\"3\""); nullopt
// for no header or "*"; kInvalidArgument otherwise.
Result<std::optional<int64_t>> ParseIfMatch(std::string_view header);

// Decodes the request body as a JSON object ({} when empty).
Result<Json> BodyJson(const http::Request& req);

// Reads "limit" (1..100, default 50) and "cursor" query parameters.
Result<store::ListOptions> ListOptionsFrom(const http::Request& req);

// Returns the public form of a resource: id and arn first, then `body`'s
// fields, then version, timestamps and authors. An empty `arn` is omitted.
Json WithMeta(const domain::ResourceMeta& meta, const std::string& arn, const Json& body);

// The name of the session cookie: "__Host-" and Secure when the public URL is
// https (the browser then refuses it over plain HTTP and from subdomains).
std::string SessionCookieName(const ApiConfig& config);
// The session token in the request's Cookie header; empty if none.
std::string SessionTokenOf(const http::Request& req, std::string_view cookie_name);

// Authenticates bearer API keys, caching known keys in memory.
class Authenticator {
 public:
  Authenticator(store::Store& store, Clock& clock) : store_(store), clock_(clock) {}
  // kUnauthenticated for a missing, malformed, unknown or expired key.
  Result<domain::Principal> Authenticate(std::string_view authorization_header);
  // Drops cached entries of key `id` (after it is deleted).
  void Forget(const std::string& id);

 private:
  struct Cached {
    std::string id;
    std::string hash;
    Role role;
    std::optional<TimePoint> expires_at;
  };
  store::Store& store_;
  Clock& clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Cached> by_hash_;  // Guarded by mu_.
};

class Api::Impl {
 public:
  Impl(ApiConfig c, Services s) : config(std::move(c)), svc(s), auth(*s.store, *s.clock) {}

  // Replies with `response`, tagging it with the caller for the access log.
  void Send(Call& call, http::Response response) const;
  void Fail(Call& call, const Status& status) const {
    Send(call, ErrorResponse(status, call.rid()));
  }
  void SendJson(Call& call, unsigned status, const Json& body) const {
    Send(call, JsonResponse(status, body));
  }

  // Runs `fn` on the writer thread; after the commit, renders its value with
  // `render` on an I/O thread and replies (or replies with the error).
  // `priority` is kEngine only for what stops paging (acknowledgements, stop):
  // those go on while the disk is full and other requests get 503.
  template <typename T>
  void Mutate(Call& call, std::function<Result<T>(store::WriteTxn&)> fn,
              std::function<http::Response(const T&)> render,
              store::WritePriority priority = store::WritePriority::kRequest) {
    auto reply = call.reply;
    auto rid = call.rid();
    auto principal = call.who.id;
    store::SubmitFor<T>(
        *svc.store, std::move(fn),
        [reply, rid, principal, render = std::move(render)](Result<T> result) {
          // Runs on the writer thread: hand rendering to the connection's I/O
          // thread so the writer only does database work.
          reply.Later([rid, principal, render, result = std::move(result)] {
            http::Response response =
                result.ok() ? render(*result) : ErrorResponse(result.status(), rid);
            response.principal = principal;
            return response;
          });
        },
        priority);
  }

  // Runs `fn` against a read snapshot on this thread; on error replies and
  // returns false.
  bool Read(Call& call, const store::Store::ReadFn& fn) {
    Status s = svc.store->Read(fn);
    if (!s.ok()) Fail(call, s);
    return s.ok();
  }

  std::string ContactArn(std::string_view alias) const;
  std::string ChannelArn(std::string_view alias, std::string_view id) const;
  std::string RotationArn(std::string_view id) const;
  std::string ResponsePlanArn(std::string_view name) const;

  // Authenticates the caller of a non-public route by its API key or its
  // session cookie (with the anti-CSRF header on state changes), as `spec`
  // allows, and fills call.who (and call.session).
  Status Authenticate(Call& call, const RouteSpec& spec);

  ApiConfig config;
  Services svc;
  Authenticator auth;
  LoginThrottle login_throttle;
  BackgroundWorker passwords;  // Password hashing and the delays of failed logins.
  std::vector<RouteSpec> routes;
  std::shared_ptr<LedgerStreams> streams;    // Set by AddStreamRoutes.
  std::shared_ptr<LedgerVerifier> verifier;  // Set by AddLedgerRoutes.
  BackgroundWorker background;               // Stopped by StopStreams.
};

// Answers a keyset-paginated listing: reads ?limit and ?cursor, lists one
// page with `list` on a read snapshot and renders each item with `render`
// into {"items": [...], "nextCursor": "…" | null}.
template <typename T>
void SendPage(
    Api::Impl& api, Call& call,
    const std::function<Result<store::Page<T>>(store::ReadTxn&, const store::ListOptions&)>& list,
    const std::function<Json(const T&)>& render) {
  auto options = ListOptionsFrom(call.req);
  if (!options.ok()) return api.Fail(call, options.status());
  Json items = Json::array();
  std::string next;
  if (!api.Read(call, [&](store::ReadTxn& txn) {
        auto page = list(txn, *options);
        if (!page.ok()) return page.status();
        for (const auto& v : page->items) items.push_back(render(v));
        next = page->next_cursor;
        return Status::Ok();
      })) {
    return;
  }
  api.SendJson(call, 200,
               {{"items", std::move(items)}, {"nextCursor", next.empty() ? Json() : Json(next)}});
}

// Route groups, one per *_api.cc file.
void AddHealthRoutes(Api::Impl& api);
void AddApiKeyRoutes(Api::Impl& api);
void AddContactRoutes(Api::Impl& api);
void AddPlanRoutes(Api::Impl& api);
void AddIncidentRoutes(Api::Impl& api);
void AddLedgerRoutes(Api::Impl& api);
void AddStreamRoutes(Api::Impl& api);
void AddEngagementRoutes(Api::Impl& api);
void AddCarrierHookRoutes(Api::Impl& api);
void AddOutboxRoutes(Api::Impl& api);
void AddRuleRoutes(Api::Impl& api);
void AddIntegrationRoutes(Api::Impl& api);
void AddIngestRoutes(Api::Impl& api);
void AddSessionRoutes(Api::Impl& api);
void AddUserRoutes(Api::Impl& api);
void AddWebRoutes(Api::Impl& api);

// Refuses new ledger verifications and waits for the running one to reply.
void StopLedgerVerifier(Api::Impl& api);

}  // namespace tocsin::api
