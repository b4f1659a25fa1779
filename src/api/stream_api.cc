// GET /api/v1/stream: Server-Sent Events of ledger entries, optionally of one
// incident, resumable with Last-Event-ID (see ledger_stream.h).
#include <charconv>

#include "api/internal.h"
#include "api/ledger_stream.h"

namespace tocsin::api {
namespace {

// Returns the seq after which the stream starts: the Last-Event-ID header, or
// the lastEventId query parameter for clients that cannot set headers; the
// header wins, since EventSource resends the original URL with a newer header
// when it reconnects. nullopt when neither is given.
Result<std::optional<int64_t>> ResumePoint(const http::Request& req) {
  std::string_view text = req.HeaderValue("last-event-id");
  std::string field = "Last-Event-ID";
  if (text.empty()) {
    auto query = req.QueryValue("lastEventId");
    if (!query) return std::optional<int64_t>();
    text = *query;
    field = "lastEventId";
  }
  int64_t seq = -1;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, seq);
  if (ec != std::errc() || ptr != end || seq < 0) {
    return InvalidArgument(field + " must be the id of a stream event (a ledger sequence number)",
                           field);
  }
  return std::optional<int64_t>(seq);
}

}  // namespace

void AddStreamRoutes(Api::Impl& api) {
  LedgerStreamOptions options;
  options.heartbeat = api.config.stream_heartbeat;
  options.max_streams = api.config.max_streams;
  options.catch_up_bytes = api.config.stream_catch_up_bytes;
  api.streams = LedgerStreams::Create(*api.svc.store, *api.svc.clock, options);

  api.routes.push_back(
      {"GET", "/api/v1/stream", kReaders, [&api](Call& call) {
         auto after = ResumePoint(call.req);
         if (!after.ok()) return api.Fail(call, after.status());
         std::string incident_id;
         if (auto ref = call.req.QueryValue("incident")) {
           if (ref->empty()) {
             return api.Fail(call,
                             InvalidArgument("incident must be an incident id or ARN", "incident"));
           }
           if (!api.Read(call, [&](store::ReadTxn& txn) {
                 auto incident = txn.GetIncident(*ref);
                 if (!incident.ok()) return incident.status();
                 incident_id = incident->id;
                 return Status::Ok();
               })) {
             return;
           }
         }
         auto start = api.streams->Open(std::move(incident_id), *after);
         if (!start.ok()) return api.Fail(call, start.status());
         http::Response response;
         response.content_type = "text/event-stream";
         response.stream = std::move(*start);
         api.Send(call, std::move(response));
       }});
}

void Api::PublishLedger(const std::vector<domain::TimelineEvent>& entries) {
  if (impl_->streams) impl_->streams->Publish(entries);
}

void Api::StopStreams() {
  if (impl_->streams) impl_->streams->Stop();
  StopLedgerVerifier(*impl_);
  impl_->background.Stop();
}

}  // namespace tocsin::api
