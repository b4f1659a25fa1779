// /healthz (the process answers) and /readyz (the store takes durable writes).
#include "api/internal.h"

namespace tocsin::api {

void AddHealthRoutes(Api::Impl& api) {
  api.routes.push_back({"GET", "/healthz", kPublic, [&api](Call& call) {
                          api.SendJson(call, 200, {{"status", "ok"}});
                        }});

  // Readiness proves the disk still takes a synchronous commit: a tiny
  // durable write, not just a look at the last write's outcome.
  api.routes.push_back(
      {"GET", "/readyz", kPublic, [&api](Call& call) {
         auto reply = call.reply;
         // Damage found by the background start-up check:
         // paging goes on, but an operator must know.
         if (std::string damage = api.svc.store->Health().integrity_error; !damage.empty()) {
           http::Response r =
               JsonResponse(503, {{"status", "unavailable"}, {"reason", std::move(damage)}});
           reply(std::move(r));
           return;
         }
         const std::string now = FormatRfc3339(api.svc.clock->Now());
         api.svc.store->Submit(
             [now](store::WriteTxn& txn) { return txn.PutMeta("heartbeat", now); },
             [reply](Status s) {
               if (s.ok()) {
                 reply(JsonResponse(200, {{"status", "ready"}}));
               } else {
                 http::Response r =
                     JsonResponse(503, {{"status", "unavailable"}, {"reason", s.message()}});
                 r.headers.push_back({"retry-after", "1"});
                 reply(std::move(r));
               }
             },
             store::WritePriority::kRequest);
       }});
}

}  // namespace tocsin::api
