// Twilio's REST API (2010-04-01): Messages.json for SMS, Calls.json for voice.

#include <algorithm>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "notify/carrier_errors.h"
#include "tocsin/notify/carrier.h"

namespace tocsin::notify {
namespace {

constexpr size_t kMaxSidSize = 128;
constexpr size_t kMaxErrorTextSize = 300;

bool AlphaNumeric(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

// Returns "Twilio error 21211: The 'To' number … (HTTP 400)" from Twilio's
// JSON error body, or the start of the body when it is not one.
std::string DescribeError(int status, std::string_view body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string out;
  if (!j.is_discarded() && j.is_object()) {
    const auto code = j.find("code");
    const auto message = j.find("message");
    if (code != j.end() && (code->is_number_integer() || code->is_string())) {
      out = "Twilio error " + (code->is_string() ? code->get<std::string>() : code->dump());
    }
    if (message != j.end() && message->is_string()) {
      out +=
          (out.empty() ? "" : ": ") + ErrorSnippet(message->get<std::string>(), kMaxErrorTextSize);
    }
  }
  if (out.empty()) out = ErrorSnippet(body, kMaxErrorTextSize);
  return out + " (HTTP " + std::to_string(status) + ")";
}

class TwilioCarrier final : public Carrier {
 public:
  TwilioCarrier(std::string name, TwilioOptions options, net::HttpClient& http)
      : name_(std::move(name)), options_(std::move(options)), http_(http) {}

  const std::string& name() const override { return name_; }

  Result<std::string> Send(const CarrierMessage& m) override {
    const std::string what = "twilio carrier " + name_;
    if (m.to.empty()) return InvalidArgument(what + ": no destination number");
    net::Headers form;
    std::string resource;
    form.emplace_back("To", m.to);
    if (m.type == domain::ChannelType::kSms) {
      resource = "Messages.json";
      if (!options_.messaging_service_sid.empty()) {
        form.emplace_back("MessagingServiceSid", options_.messaging_service_sid);
      } else {
        form.emplace_back("From", options_.from);
      }
      form.emplace_back("Body", m.text);
      if (!m.status_callback_url.empty())
        form.emplace_back("StatusCallback", m.status_callback_url);
    } else if (m.type == domain::ChannelType::kVoice) {
      if (options_.from.empty()) {
        return InvalidArgument(what + ": calls need a From number, none is configured");
      }
      resource = "Calls.json";
      form.emplace_back("From", options_.from);
      if (!m.voice_url.empty()) {
        form.emplace_back("Url", m.voice_url);
      } else {
        form.emplace_back("Twiml", VoiceTwiml(m.text, m.gather_url));
      }
      if (!m.status_callback_url.empty()) {
        form.emplace_back("StatusCallback", m.status_callback_url);
        form.emplace_back("StatusCallbackMethod", "POST");
        for (const char* event : {"initiated", "ringing", "answered", "completed"}) {
          form.emplace_back("StatusCallbackEvent", event);
        }
      }
    } else {
      return InvalidArgument(what + " sends SMS and VOICE only");
    }

    net::HttpRequest request;
    request.method = "POST";
    request.url =
        options_.api_url + "/2010-04-01/Accounts/" + options_.account_sid + "/" + resource;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"Accept", "application/json"}};
    request.body = FormEncode(form);
    request.basic_user = options_.account_sid;
    request.basic_password = options_.auth_token;

    Result<net::HttpResponse> response = http_.Send(request);
    if (!response.ok()) {
      const Status& s = response.status();
      if (s.code() == StatusCode::kDeadlineExceeded) {
        return DeadlineExceeded(what + ": " + s.message());
      }
      return Unavailable(what + ": " + s.ToString());
    }
    const int status = response->status;
    if (status >= 200 && status < 300) {
      const nlohmann::json j =
          nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
      if (!j.is_discarded() && j.is_object()) {
        const auto sid = j.find("sid");
        if (sid != j.end() && sid->is_string()) {
          std::string value = sid->get<std::string>();
          if (!value.empty() && value.size() <= kMaxSidSize && AlphaNumeric(value)) return value;
        }
      }
      // Not Twilio answering (a proxy, a wrong api_url): treating it as
      // accepted would page nobody without a trace.
      return Unavailable(what + ": HTTP " + std::to_string(status) + " without a message SID: " +
                         ErrorSnippet(response->body, kMaxErrorTextSize));
    }
    const std::string detail = what + ": " + DescribeError(status, response->body);
    if (CarrierSideStatus(status)) return Unavailable(detail);
    return FailedPrecondition(detail);
  }

 private:
  const std::string name_;
  const TwilioOptions options_;
  net::HttpClient& http_;
};

}  // namespace

Result<std::unique_ptr<Carrier>> NewTwilioCarrier(std::string name, TwilioOptions options,
                                                  net::HttpClient& http) {
  if (name.empty()) return InvalidArgument("twilio carrier: empty name");
  const std::string what = "twilio carrier " + name;
  if (!AlphaNumeric(options.account_sid)) {
    return InvalidArgument(what + ": account_sid must be letters and digits", "account_sid");
  }
  if (options.auth_token.empty()) return InvalidArgument(what + ": no auth_token", "auth_token");
  if (options.from.empty() && options.messaging_service_sid.empty()) {
    return InvalidArgument(what + ": from or messaging_service_sid is required", "from");
  }
  if (!options.messaging_service_sid.empty() && !AlphaNumeric(options.messaging_service_sid)) {
    return InvalidArgument(what + ": messaging_service_sid must be letters and digits",
                           "messaging_service_sid");
  }
  while (!options.api_url.empty() && options.api_url.back() == '/') options.api_url.pop_back();
  const bool plain = options.api_url.rfind("http://", 0) == 0 && options.api_url.size() > 7;
  const bool tls = options.api_url.rfind("https://", 0) == 0 && options.api_url.size() > 8;
  if (!plain && !tls) {
    return InvalidArgument(what + ": api_url must be http:// or https://", "api_url");
  }
  return std::unique_ptr<Carrier>(
      std::make_unique<TwilioCarrier>(std::move(name), std::move(options), http));
}

}  // namespace tocsin::notify
