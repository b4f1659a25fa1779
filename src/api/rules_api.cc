// POST /api/v1/rules/test {pattern, event} → {"match": true|false}: the
// EventBridge TestEventPattern of Tocsin's rules engine (src/rules). Each of
// `pattern` and `event` may be a JSON object or a string holding one, as AWS
// takes them. An invalid pattern is a 400 with EventBridge's reason
// ("Event pattern is not valid. Reason: …", field EventPattern).
#include "api/internal.h"
#include "tocsin/rules/event_pattern.h"

namespace tocsin::api {
namespace {

constexpr size_t kRuleTestBodyLimit = 64 * 1024;

// The text of a member that may be a string or any JSON value.
std::optional<std::string> TextOf(const Json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

}  // namespace

void AddRuleRoutes(Api::Impl& api) {
  RouteSpec test{"POST", "/api/v1/rules/test", kReaders, [&api](Call& call) {
                   auto body = BodyJson(call.req);
                   if (!body.ok()) return api.Fail(call, body.status());
                   auto pattern = TextOf(*body, "pattern");
                   if (!pattern) {
                     return api.Fail(call, InvalidArgument("pattern is required", "pattern"));
                   }
                   auto event = TextOf(*body, "event");
                   if (!event) return api.Fail(call, InvalidArgument("event is required", "event"));
                   auto match = rules::TestEventPattern(*pattern, *event);
                   if (!match.ok()) return api.Fail(call, match.status());
                   api.SendJson(call, 200, Json{{"match", *match}});
                 }};
  test.body_limit = kRuleTestBodyLimit;
  api.routes.push_back(std::move(test));
}

}  // namespace tocsin::api
