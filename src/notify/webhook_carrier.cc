// The generic HTTP carrier (an SMS gateway's webhook) and the placeholder
// templates it shares with the exec carrier.

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "notify/carrier_errors.h"
#include "tocsin/core/json_text.h"
#include "tocsin/notify/carrier.h"

namespace tocsin::notify {
namespace {

constexpr size_t kMaxCarrierIdSize = 128;
constexpr size_t kMaxSnippetSize = 200;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool HasHeader(const net::Headers& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return Lower(h.first) == lower_name; });
}

TemplateEscape EscapeFor(std::string_view content_type) {
  const std::string media = Lower(Trim(content_type.substr(0, content_type.find(';'))));
  if (media == "application/json" ||
      (media.size() > 5 && media.compare(media.size() - 5, 5, "+json") == 0)) {
    return TemplateEscape::kJson;
  }
  if (media == "application/x-www-form-urlencoded") return TemplateEscape::kForm;
  return TemplateEscape::kRaw;
}

std::string Escape(std::string_view value, TemplateEscape escape) {
  switch (escape) {
    case TemplateEscape::kJson:
      return JsonEscape(value);
    case TemplateEscape::kForm: {
      // FormEncode of the pair (value, "") is "<encoded value>=".
      std::string encoded = FormEncode({{std::string(value), ""}});
      encoded.pop_back();
      return encoded;
    }
    case TemplateEscape::kRaw:
      break;
  }
  return std::string(value);
}

// Returns the gateway's id from a JSON response object, or "" when it has none.
std::string CarrierIdFromJson(std::string_view body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return {};
  for (const char* key : {"id", "sid", "messageId"}) {
    const auto it = j.find(key);
    if (it == j.end()) continue;
    std::string id;
    if (it->is_string()) {
      id = it->get<std::string>();
    } else if (it->is_number_integer()) {
      id = it->dump();
    }
    id = std::string(Trim(id));
    const bool printable =
        std::all_of(id.begin(), id.end(), [](unsigned char c) { return c >= 0x20 && c != 0x7F; });
    if (!id.empty() && id.size() <= kMaxCarrierIdSize && printable) return id;
  }
  return {};
}

class WebhookCarrier final : public Carrier {
 public:
  WebhookCarrier(std::string name, WebhookCarrierOptions options, TemplateEscape escape,
                 net::HttpClient& http)
      : name_(std::move(name)), options_(std::move(options)), escape_(escape), http_(http) {}

  const std::string& name() const override { return name_; }

  Result<std::string> Send(const CarrierMessage& m) override {
    if (m.type != domain::ChannelType::kSms && m.type != domain::ChannelType::kVoice) {
      return InvalidArgument("webhook carrier " + name_ + " sends SMS and VOICE only");
    }
    if (m.to.empty()) return InvalidArgument("webhook carrier " + name_ + ": no destination");
    Result<std::string> body = ExpandCarrierTemplate(options_.body_template, m, escape_);
    if (!body.ok()) return body.status();

    net::HttpRequest request;
    request.method = options_.method;
    request.url = options_.url;
    request.headers = options_.headers;
    if (!HasHeader(request.headers, "content-type")) {
      request.headers.emplace_back("Content-Type", options_.content_type);
    }
    // Lets a gateway drop the duplicate when the outbox retries after an
    // unknown outcome.
    if (!m.message_id.empty() && !HasHeader(request.headers, "idempotency-key")) {
      request.headers.emplace_back("Idempotency-Key", m.message_id);
    }
    request.body = std::move(body).value();

    Result<net::HttpResponse> response = http_.Send(request);
    const std::string what = "webhook carrier " + name_;
    if (!response.ok()) {
      const Status& s = response.status();
      if (s.code() == StatusCode::kDeadlineExceeded)
        return DeadlineExceeded(what + ": " + s.message());
      return Unavailable(what + ": " + s.ToString());
    }
    const int status = response->status;
    if (status >= 200 && status < 300) {
      std::string id = CarrierIdFromJson(response->body);
      if (id.empty()) id = "webhook:" + m.message_id;
      return id;
    }
    const std::string detail = what + ": HTTP " + std::to_string(status) + ": " +
                               ErrorSnippet(response->body, kMaxSnippetSize);
    if (CarrierSideStatus(status)) return Unavailable(detail);
    return FailedPrecondition(detail);
  }

 private:
  const std::string name_;
  const WebhookCarrierOptions options_;
  const TemplateEscape escape_;
  net::HttpClient& http_;
};

}  // namespace

Result<std::string> ExpandCarrierTemplate(std::string_view tmpl, const CarrierMessage& m,
                                          TemplateEscape escape) {
  std::string out;
  out.reserve(tmpl.size() + m.text.size());
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find("{{", i);
    // "{{{to}}}" is a literal brace around a placeholder.
    while (open != std::string_view::npos && open + 2 < tmpl.size() && tmpl[open + 2] == '{') {
      ++open;
    }
    const size_t close = open == std::string_view::npos ? open : tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out.append(tmpl.substr(i));
      break;
    }
    out.append(tmpl.substr(i, open - i));
    const std::string_view key = Trim(tmpl.substr(open + 2, close - open - 2));
    if (key == "to") {
      out += Escape(m.to, escape);
    } else if (key == "text") {
      out += Escape(m.text, escape);
    } else if (key == "code") {
      out += Escape(m.accept_code, escape);
    } else if (key == "id") {
      out += Escape(m.message_id, escape);
    } else if (key == "type") {
      out += Escape(domain::ChannelTypeName(m.type), escape);
    } else {
      return InvalidArgument("unknown placeholder {{" + std::string(key) +
                             "}} (known: {{to}} {{text}} {{code}} {{id}} {{type}})");
    }
    i = close + 2;
  }
  return out;
}

Result<std::unique_ptr<Carrier>> NewWebhookCarrier(std::string name, WebhookCarrierOptions options,
                                                   net::HttpClient& http) {
  if (name.empty()) return InvalidArgument("webhook carrier: empty name");
  const std::string what = "webhook carrier " + name;
  const std::string scheme = Lower(options.url.substr(0, options.url.find("://") + 3));
  if ((scheme != "http://" && scheme != "https://") || options.url.size() <= scheme.size()) {
    return InvalidArgument(what + ": url must be http:// or https://", "url");
  }
  for (char& c : options.method) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  if (options.method.empty() || !std::all_of(options.method.begin(), options.method.end(),
                                             [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return InvalidArgument(what + ": bad method \"" + options.method + "\"", "method");
  }
  if (options.content_type.empty()) options.content_type = "application/json";
  const TemplateEscape escape = EscapeFor(options.content_type);
  if (options.body_template.empty()) {
    if (escape != TemplateEscape::kJson) {
      return InvalidArgument(
          what + ": body_template is required with content type " + options.content_type,
          "body_template");
    }
    options.body_template =
        R"({"to":"{{to}}","text":"{{text}}","code":"{{code}}","id":"{{id}}","type":"{{type}}"})";
  }
  // Fail at startup, not at 3 a.m. on the first page.
  Result<std::string> probe =
      ExpandCarrierTemplate(options.body_template, CarrierMessage{}, escape);
  if (!probe.ok()) return Status(probe.status()).WithField("body_template");
  return std::unique_ptr<Carrier>(
      std::make_unique<WebhookCarrier>(std::move(name), std::move(options), escape, http));
}

}  // namespace tocsin::notify
