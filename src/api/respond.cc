#include <charconv>

#include "api/internal.h"
#include "tocsin/core/log.h"

namespace tocsin::api {

unsigned HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kAborted:
      return 412;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

http::Response ErrorResponse(const Status& status, std::string_view request_id) {
  std::string message = status.message();
  if (status.code() == StatusCode::kInternal) {
    spdlog::error("rid={} msg=\"internal error\" error={}", request_id, LogQuote(message));
    message = "internal error";
  } else if (status.code() == StatusCode::kUnavailable) {
    spdlog::warn("rid={} msg=\"unavailable\" error={}", request_id, LogQuote(message));
  }
  Json error = {{"code", StatusCodeName(status.code())}, {"message", message}};
  if (!status.field().empty()) error["field"] = status.field();
  if (!status.blockers().empty()) {
    Json refs = Json::array();
    for (const auto& b : status.blockers()) {
      Json r = {{"type", b.kind}, {"id", b.id}};
      if (!b.name.empty()) r["name"] = b.name;
      refs.push_back(std::move(r));
    }
    error["referrers"] = std::move(refs);
  }
  error["requestId"] = request_id;
  http::Response response =
      JsonResponse(HttpStatusFor(status.code()), {{"error", std::move(error)}});
  if (status.code() == StatusCode::kUnavailable ||
      status.code() == StatusCode::kResourceExhausted) {
    response.headers.push_back({"retry-after", "1"});
  }
  if (status.code() == StatusCode::kUnauthenticated) {
    response.headers.push_back({"www-authenticate", "Bearer realm=\"tocsin\""});
  }
  return response;
}

http::Response JsonResponse(unsigned status, const Json& body) {
  return JsonTextResponse(status, status == 204 ? std::string() : codec::Dump(body));
}

http::Response JsonTextResponse(unsigned status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Result<std::optional<int64_t>> ParseIfMatch(std::string_view h) {
  if (h.empty() || h == "*") return std::optional<int64_t>();
  if (h.substr(0, 2) == "W/") h.remove_prefix(2);
  if (h.size() >= 2 && h.front() == '"' && h.back() == '"') h = h.substr(1, h.size() - 2);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(h.data(), h.data() + h.size(), v);
  if (ec != std::errc() || ptr != h.data() + h.size() || v < 1) {
    return InvalidArgument("If-Match must be the resource's ETag, e.g. \"3\"", "If-Match");
  }
  return std::optional<int64_t>(v);
}

Result<Json> BodyJson(const http::Request& req) {
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) return Json::object();
  auto json = codec::ParseJson(req.body);
  if (!json.ok()) return json.status();
  if (!json->is_object()) return InvalidArgument("request body must be a JSON object");
  return json;
}

Result<store::ListOptions> ListOptionsFrom(const http::Request& req) {
  store::ListOptions options;
  if (auto limit = req.QueryValue("limit")) {
    int v = 0;
    auto [ptr, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), v);
    if (ec != std::errc() || ptr != limit->data() + limit->size() || v < 1 || v > 100) {
      return InvalidArgument("limit must be an integer from 1 to 100", "limit");
    }
    options.limit = static_cast<size_t>(v);
  }
  if (auto cursor = req.QueryValue("cursor")) options.cursor = std::string(*cursor);
  return options;
}

Json WithMeta(const domain::ResourceMeta& meta, const std::string& arn, const Json& body) {
  Json json = {{"id", meta.id}};
  if (!arn.empty()) json["arn"] = arn;
  for (const auto& [k, v] : body.items()) json[k] = v;
  json["version"] = meta.version;
  json["createdAt"] = FormatRfc3339(meta.created_at);
  json["updatedAt"] = FormatRfc3339(meta.updated_at);
  json["createdBy"] = meta.created_by;
  json["updatedBy"] = meta.updated_by;
  return json;
}

void Api::Impl::Send(Call& call, http::Response response) const {
  response.principal = call.who.id;
  call.reply(std::move(response));
}

std::string Api::Impl::ContactArn(std::string_view alias) const {
  return "arn:aws:ssm-contacts:" + config.aws_region + ":" + config.aws_account_id + ":contact/" +
         std::string(alias);
}

std::string Api::Impl::ChannelArn(std::string_view alias, std::string_view id) const {
  return "arn:aws:ssm-contacts:" + config.aws_region + ":" + config.aws_account_id +
         ":contact-channel/" + std::string(alias) + "/" + std::string(id);
}

std::string Api::Impl::RotationArn(std::string_view id) const {
  return "arn:aws:ssm-contacts:" + config.aws_region + ":" + config.aws_account_id + ":rotation/" +
         std::string(id);
}

std::string Api::Impl::ResponsePlanArn(std::string_view name) const {
  return "arn:aws:ssm-incidents::" + config.aws_account_id + ":response-plan/" + std::string(name);
}

}  // namespace tocsin::api
