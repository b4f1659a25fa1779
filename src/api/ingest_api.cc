// Alarms and events in:
//  - POST /api/v1/ingest/{key}: an integration's payload in its own format
//    (Alertmanager, Grafana, CloudWatch via EventBridge or SNS, Security Hub,
//    GuardDuty, EventBridge, the events API shape) → 202 with what it did;
//  - POST /api/v1/ingest/{key}/heartbeat: the dead man's switch's ping;
//  - POST /api/v1/events: the events API (PagerDuty Events v2 shape), the
//    integration named by "routingKey" (its ingest key);
//  - GET /metrics: counters in the Prometheus text format.
//
// The key in the path or body is the credential (role integration): unknown
// → 401, and paths are redacted in the access log. A payload is normalized
// and decided on the I/O thread; signals that change nothing (a re-sent
// firing alert whose incident is open) are answered from a read snapshot
// without a write, the rest are applied in one write transaction and
// answered after it is durable. A payload is taken whole or not at all: a
// malformed one is a 400 that changed nothing.
#include <spdlog/spdlog.h>

#include "api/internal.h"
#include "tocsin/core/log.h"
#include "tocsin/ingest/signal.h"

namespace tocsin::api {
namespace {

using domain::Integration;
using ingest::Decision;
using ingest::IngestCounts;

// BatchImportFindings takes up to 6 MB; Alertmanager groups can be large.
constexpr size_t kIngestBodyLimit = 4 * 1024 * 1024;
constexpr size_t kEventsBodyLimit = 512 * 1024;

constexpr const char* kSignalsMetric = "tocsin_ingest_signals_total";
constexpr const char* kRequestsMetric = "tocsin_ingest_requests_total";
constexpr const char* kUnmatchedMetric = "tocsin_ingest_unmatched_total";
constexpr const char* kTruncatedMetric = "tocsin_ingest_truncated_alerts_total";

void DescribeMetrics(Metrics& m) {
  m.Describe(kSignalsMetric, "Ingested signals by integration type and outcome.");
  m.Describe(kRequestsMetric, "Ingest requests by integration type and status code.");
  m.Describe(kUnmatchedMetric,
             "Signals no rule matched on integrations without a default plan (dropped).");
  m.Describe(kTruncatedMetric, "Alerts senders left out of payloads (truncatedAlerts).");
}

void CountOutcomes(Metrics& m, const char* type, const IngestCounts& c) {
  const std::pair<const char*, int> outcomes[] = {
      {"started", c.started},     {"deduplicated", c.deduplicated},
      {"resolved", c.resolved},   {"acknowledged", c.acknowledged},
      {"annotated", c.annotated}, {"dropped", c.dropped},
      {"ignored", c.ignored}};
  for (const auto& [outcome, n] : outcomes) {
    if (n > 0)
      m.Add(kSignalsMetric, {{"type", type}, {"outcome", outcome}}, static_cast<uint64_t>(n));
  }
}

Json CountsJson(const IngestCounts& c) {
  return {
      {"signals", c.signals},   {"started", c.started},           {"deduplicated", c.deduplicated},
      {"resolved", c.resolved}, {"acknowledged", c.acknowledged}, {"annotated", c.annotated},
      {"dropped", c.dropped},   {"ignored", c.ignored},           {"incidents", c.incidents}};
}

// Renders the 202 of a processed payload.
using Render = std::function<Json(const IngestCounts&, const ingest::Batch&)>;

class IngestHandler {
 public:
  explicit IngestHandler(Api::Impl& api) : api_(api) { DescribeMetrics(*api.svc.metrics); }

  // Authenticates `key`, normalizes `body` (in `format`, else the
  // integration's own) and applies it; replies.
  void Handle(Call& call, std::string_view key, std::string_view body,
              std::optional<domain::IntegrationType> format, const Render& render) {
    std::optional<Integration> integration;
    if (!api_.Read(call, [&](store::ReadTxn& txn) {
          auto found = api_.svc.ingest->Authenticate(txn, key);
          if (!found.ok()) return found.status();
          integration = std::move(*found);
          return Status::Ok();
        })) {
      return;
    }
    const char* type = domain::IntegrationTypeName(integration->type);
    ingest::NormalizeContext context;
    context.type = format.value_or(integration->type);
    context.alert_key = integration->alert_key;
    context.integration_id = integration->meta.id;
    context.integration_name = integration->name;
    context.account_id = api_.config.aws_account_id;
    context.region = api_.config.aws_region;
    context.now = api_.svc.clock->Now();
    auto batch = ingest::Normalize(context, body);
    if (!batch.ok()) {
      spdlog::warn("msg=\"ingest payload refused\" rid={} integration={} type={} error={}",
                   call.rid(), LogQuote(integration->name), type,
                   LogQuote(batch.status().message()));
      Count(type, 400);
      return api_.Fail(call, batch.status());
    }
    if (batch->sns) ConfirmSubscription(call, *integration, *batch->sns);
    if (batch->truncated_alerts > 0) {
      api_.svc.metrics->Add(kTruncatedMetric, {{"type", type}},
                            static_cast<uint64_t>(batch->truncated_alerts));
      spdlog::warn("msg=\"sender truncated alerts\" rid={} integration={} truncated={}", call.rid(),
                   LogQuote(integration->name), batch->truncated_alerts);
    }

    auto rules = api_.svc.ingest->Rules(*api_.svc.store);
    if (!rules.ok()) return api_.Fail(call, rules.status());
    std::vector<Decision> decisions;
    decisions.reserve(batch->signals.size());
    for (const auto& signal : batch->signals) {
      decisions.push_back((*rules)->Decide(signal, *integration));
      if (decisions.back().drop_reason == "unmatched") {
        api_.svc.metrics->Add(kUnmatchedMetric, {{"type", type}});
      }
    }

    // Signals that change nothing are answered from a snapshot.
    std::vector<ingest::PlannedSignal> planned;
    if (!api_.Read(call, [&](store::ReadTxn& txn) {
          planned = api_.svc.ingest->Plan(txn, *integration, batch->signals, decisions);
          return Status::Ok();
        })) {
      return;
    }
    IngestCounts quiet;
    auto work = std::make_shared<std::pair<std::vector<ingest::Signal>, std::vector<Decision>>>();
    for (size_t i = 0; i < planned.size(); ++i) {
      if (planned[i].needs_write) {
        work->first.push_back(std::move(batch->signals[i]));
        work->second.push_back(std::move(decisions[i]));
        continue;
      }
      ++quiet.signals;
      const Decision::Kind kind = decisions[i].kind;
      if (kind == Decision::Kind::kDrop) {
        ++quiet.dropped;
      } else if (kind == Decision::Kind::kStart) {
        ++quiet.deduplicated;
      } else {
        ++quiet.ignored;
      }
      quiet.Touch(planned[i].incident_id);
    }
    auto shape = std::make_shared<ingest::Batch>();
    shape->truncated_alerts = batch->truncated_alerts;
    shape->sns = batch->sns;
    if (work->first.empty()) {
      CountOutcomes(*api_.svc.metrics, type, quiet);
      Count(type, 202);
      return api_.SendJson(call, 202, render(quiet, *shape));
    }

    const domain::Actor actor{ingest::IngestService::PrincipalOf(*integration), call.rid()};
    const int truncated = batch->truncated_alerts;
    Metrics* metrics = api_.svc.metrics;
    api_.Mutate<IngestCounts>(
        call,
        [ingest = api_.svc.ingest, actor, integration = *integration, work,
         truncated](store::WriteTxn& txn) {
          return ingest->Apply(txn, actor, integration, work->first, work->second, truncated);
        },
        [render, quiet, shape, metrics, type](const IngestCounts& applied) {
          IngestCounts merged = quiet;
          merged.Merge(applied);
          CountOutcomes(*metrics, type, merged);
          metrics->Add(kRequestsMetric, {{"type", type}, {"code", "202"}});
          return JsonResponse(202, render(merged, *shape));
        });
  }

 private:
  void Count(const char* type, int code) {
    api_.svc.metrics->Add(kRequestsMetric, {{"type", type}, {"code", std::to_string(code)}});
  }

  // Visits SubscribeURL through the outbound guard (which refuses what
  // notify.allow does not permit), on the background worker.
  void ConfirmSubscription(const Call& call, const Integration& integration,
                           const ingest::SnsControl& sns) {
    if (sns.type != "SubscriptionConfirmation" || sns.subscribe_url.empty()) return;
    if (api_.svc.http == nullptr) return;
    net::HttpClient* http = api_.svc.http;
    const bool queued = api_.background.Post([http, url = sns.subscribe_url, topic = sns.topic_arn,
                                              rid = call.rid(), name = integration.name] {
      net::HttpRequest request;
      request.method = "GET";
      request.url = url;
      auto response = http->Send(request);
      if (response.ok() && response->status / 100 == 2) {
        spdlog::info("msg=\"SNS subscription confirmed\" rid={} integration={} topic={}", rid,
                     LogQuote(name), LogQuote(topic));
      } else {
        spdlog::warn(
            "msg=\"SNS subscription not confirmed\" rid={} integration={} topic={} "
            "error={}",
            rid, LogQuote(name), LogQuote(topic),
            LogQuote(response.ok() ? "HTTP " + std::to_string(response->status)
                                   : response.status().message()));
      }
    });
    if (!queued) {
      spdlog::warn("msg=\"SNS confirmation not queued: worker busy\" rid={} topic={}", call.rid(),
                   LogQuote(sns.topic_arn));
    }
  }

  Api::Impl& api_;
};

}  // namespace

void AddIngestRoutes(Api::Impl& api) {
  auto handler = std::make_shared<IngestHandler>(api);

  RouteSpec ingest{"POST", "/api/v1/ingest/{key}", kPublic, [handler](Call& call) {
                     handler->Handle(call, call.param(0), call.req.body, std::nullopt,
                                     [](const IngestCounts& c, const ingest::Batch& b) {
                                       Json out = CountsJson(c);
                                       if (b.truncated_alerts > 0) {
                                         out["truncatedAlerts"] = b.truncated_alerts;
                                       }
                                       if (b.sns) out["sns"] = b.sns->type;
                                       return out;
                                     });
                   }};
  ingest.body_limit = kIngestBodyLimit;
  ingest.redact_path = true;
  ingest.credential = "ingest key";
  api.routes.push_back(std::move(ingest));

  RouteSpec events{"POST", "/api/v1/events", kPublic, [&api, handler](Call& call) {
                     auto body = BodyJson(call.req);
                     if (!body.ok()) return api.Fail(call, body.status());
                     std::string key;
                     for (const char* name : {"routingKey", "routing_key"}) {
                       auto it = body->find(name);
                       if (it != body->end() && it->is_string()) key = it->get<std::string>();
                     }
                     if (key.empty()) {
                       return api.Fail(call, InvalidArgument("routingKey is required: the "
                                                             "ingest key of an integration",
                                                             "routingKey"));
                     }
                     handler->Handle(
                         call, key, call.req.body, domain::IntegrationType::kGeneric,
                         [](const IngestCounts& c, const ingest::Batch&) {
                           Json out = {{"status", "success"}, {"message", "Event processed"}};
                           out["incident"] =
                               c.incidents.empty() ? Json() : Json(c.incidents.front());
                           out["counts"] = CountsJson(c);
                           return out;
                         });
                   }};
  events.body_limit = kEventsBodyLimit;
  events.credential = "ingest key (routingKey)";
  api.routes.push_back(std::move(events));

  RouteSpec ping{
      "POST", "/api/v1/ingest/{key}/heartbeat", kPublic, [&api](Call& call) {
        std::optional<Integration> integration;
        if (!api.Read(call, [&](store::ReadTxn& txn) {
              auto found = api.svc.ingest->Authenticate(txn, call.param(0));
              if (!found.ok()) return found.status();
              integration = std::move(*found);
              return Status::Ok();
            })) {
          return;
        }
        const domain::Actor actor{ingest::IngestService::PrincipalOf(*integration), call.rid()};
        api.Mutate<TimePoint>(
            call,
            [ingest = api.svc.ingest, actor, integration = *integration](store::WriteTxn& txn) {
              return ingest->Ping(txn, actor, integration);
            },
            [](const TimePoint& next) {
              return JsonResponse(202, {{"nextDueTime", FormatRfc3339(next)}});
            });
      }};
  ping.redact_path = true;
  ping.credential = "ingest key";
  api.routes.push_back(std::move(ping));

  api.routes.push_back({"GET", "/metrics", kReaders, [&api](Call& call) {
                          http::Response r;
                          r.status = 200;
                          r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                          r.body = api.svc.metrics->Render();
                          api.Send(call, std::move(r));
                        }});
}

}  // namespace tocsin::api
