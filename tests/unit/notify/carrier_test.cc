#include "tocsin/notify/carrier.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/port_child.h"
#include "support/temp_dir.h"
#include "support/tiny_http_server.h"
#include "tocsin/net/outbound.h"

#include <sys/stat.h>
#include <sys/wait.h>

namespace tocsin::notify {
namespace {

using test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

// Records every request and answers from a script (FIFO); thread-safe.
class FakeHttpClient final : public net::HttpClient {
 public:
  Result<net::HttpResponse> Send(const net::HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    if (script_.empty()) return Internal("FakeHttpClient: no scripted response");
    Result<net::HttpResponse> next = script_.front();
    script_.pop_front();
    return next;
  }

  void Reply(int status, std::string body) {
    net::HttpResponse r;
    r.status = status;
    r.headers = {{"content-type", "application/json"}};
    r.body = std::move(body);
    r.peer_address = "203.0.113.7";
    std::lock_guard<std::mutex> lock(mu_);
    script_.emplace_back(std::move(r));
  }
  void Fail(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.emplace_back(std::move(status));
  }
  std::vector<net::HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  net::HttpRequest last() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.empty() ? net::HttpRequest{} : requests_.back();
  }

 private:
  mutable std::mutex mu_;
  std::deque<Result<net::HttpResponse>> script_;
  std::vector<net::HttpRequest> requests_;
};

// All values of `name`, in order.
std::vector<std::string> Values(const net::Headers& form, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : form) {
    if (k == name) out.push_back(v);
  }
  return out;
}

std::string Value(const net::Headers& form, std::string_view name) {
  const std::vector<std::string> all = Values(form, name);
  return all.empty() ? "<absent>" : all.front();
}

std::string HeaderValue(const net::Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

net::Headers Form(const std::string& body) {
  Result<net::Headers> form = FormDecode(body);
  EXPECT_TRUE(form.ok()) << form.status().ToString();
  return form.ok() ? *form : net::Headers{};
}

CarrierMessage Sms() {
  CarrierMessage m;
  m.message_id = "page-1";
  m.type = domain::ChannelType::kSms;
  m.to = "+15551234567";
  m.text = "Database down (impact 1). Reply ACK 123456";
  m.accept_code = "123456";
  m.status_callback_url = "https://tocsin.example/hooks/twilio/status?page=page-1";
  return m;
}

CarrierMessage Voice() {
  CarrierMessage m = Sms();
  m.type = domain::ChannelType::kVoice;
  m.text = "Database down";
  return m;
}

TwilioOptions Twilio() {
  TwilioOptions o;
  o.account_sid = "AC0123456789abcdef0123456789abcdef";
  o.auth_token = "secret-token";
  o.from = "+15005550006";
  o.api_url = "https://api.twilio.test/";
  return o;
}

std::unique_ptr<Carrier> MakeTwilio(FakeHttpClient& http, TwilioOptions o = Twilio()) {
  Result<std::unique_ptr<Carrier>> c = NewTwilioCarrier("twilio-main", std::move(o), http);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

constexpr char kInvalidNumberBody[] =
    R"({"code": 21211, "message": "The 'To' number +1555 is not a valid phone number.",)"
    R"( "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})";

// --- Twilio carrier ---------------------------------------------------------------

TEST(TwilioCarrierTest, SmsRequestHasTwiliosShape) {
  FakeHttpClient http;
  http.Reply(201, R"({"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"})");
  auto carrier = MakeTwilio(http);
  ASSERT_NE(carrier, nullptr);
  EXPECT_EQ(carrier->name(), "twilio-main");

  Result<std::string> sid = carrier->Send(Sms());
  ASSERT_TRUE(sid.ok()) << sid.status().ToString();
  EXPECT_EQ(*sid, "SM0123456789abcdef0123456789abcdef");

  const net::HttpRequest r = http.last();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url,
            "https://api.twilio.test/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/"
            "Messages.json");
  EXPECT_EQ(r.basic_user, "AC0123456789abcdef0123456789abcdef");
  EXPECT_EQ(r.basic_password, "secret-token");
  EXPECT_EQ(HeaderValue(r.headers, "Content-Type"), "application/x-www-form-urlencoded");
  const net::Headers form = Form(r.body);
  EXPECT_EQ(Value(form, "To"), "+15551234567");
  EXPECT_EQ(Value(form, "From"), "+15005550006");
  EXPECT_EQ(Value(form, "Body"), Sms().text);
  EXPECT_EQ(Value(form, "StatusCallback"), Sms().status_callback_url);
  EXPECT_EQ(Value(form, "MessagingServiceSid"), "<absent>");
  // "+" must be escaped, or Twilio would read a space.
  EXPECT_THAT(r.body, HasSubstr("To=%2B15551234567"));
}

TEST(TwilioCarrierTest, MessagingServiceReplacesFromAndNoCallbackWhenEmpty) {
  FakeHttpClient http;
  http.Reply(201, R"({"sid": "SMx", "status": "accepted"})");
  TwilioOptions o = Twilio();
  o.messaging_service_sid = "MG0123456789abcdef0123456789abcdef";
  auto carrier = MakeTwilio(http, o);
  ASSERT_NE(carrier, nullptr);
  CarrierMessage m = Sms();
  m.status_callback_url.clear();
  ASSERT_TRUE(carrier->Send(m).ok());
  const net::Headers form = Form(http.last().body);
  EXPECT_EQ(Value(form, "MessagingServiceSid"), "MG0123456789abcdef0123456789abcdef");
  EXPECT_EQ(Value(form, "From"), "<absent>");
  EXPECT_EQ(Value(form, "StatusCallback"), "<absent>");
}

TEST(TwilioCarrierTest, VoiceWithInlineTwiml) {
  FakeHttpClient http;
  http.Reply(201, R"({"sid": "CA0123456789abcdef0123456789abcdef", "status": "queued"})");
  auto carrier = MakeTwilio(http);
  ASSERT_NE(carrier, nullptr);
  Result<std::string> sid = carrier->Send(Voice());
  ASSERT_TRUE(sid.ok()) << sid.status().ToString();
  EXPECT_EQ(*sid, "CA0123456789abcdef0123456789abcdef");

  const net::HttpRequest r = http.last();
  EXPECT_THAT(r.url, testing::EndsWith("/Calls.json"));
  const net::Headers form = Form(r.body);
  EXPECT_EQ(Value(form, "To"), "+15551234567");
  EXPECT_EQ(Value(form, "From"), "+15005550006");
  EXPECT_EQ(Value(form, "Twiml"), VoiceTwiml("Database down", ""));
  EXPECT_THAT(Value(form, "Twiml"), StartsWith("<Response><Say>Database down.</Say>"));
  EXPECT_EQ(Value(form, "Url"), "<absent>");
  EXPECT_EQ(Value(form, "StatusCallback"), Voice().status_callback_url);
  EXPECT_THAT(Values(form, "StatusCallbackEvent"),
              ElementsAre("initiated", "ringing", "answered", "completed"));
}

TEST(TwilioCarrierTest, VoiceWithUrl) {
  FakeHttpClient http;
  http.Reply(201, R"({"sid": "CAx"})");
  auto carrier = MakeTwilio(http);
  ASSERT_NE(carrier, nullptr);
  CarrierMessage m = Voice();
  m.voice_url = "https://tocsin.example/hooks/twilio/voice/page-1";
  ASSERT_TRUE(carrier->Send(m).ok());
  const net::Headers form = Form(http.last().body);
  EXPECT_EQ(Value(form, "Url"), m.voice_url);
  EXPECT_EQ(Value(form, "Twiml"), "<absent>");
}

TEST(TwilioCarrierTest, ServerErrorsAndRateLimitsAreUnavailable) {
  for (const int status : {500, 502, 503, 429, 401, 404}) {
    FakeHttpClient http;
    http.Reply(status, R"({"code": 20500, "message": "Internal Server Error", "status": 500})");
    auto carrier = MakeTwilio(http);
    ASSERT_NE(carrier, nullptr);
    Result<std::string> sid = carrier->Send(Sms());
    ASSERT_FALSE(sid.ok());
    EXPECT_EQ(sid.status().code(), StatusCode::kUnavailable) << status;
    EXPECT_THAT(sid.status().message(), HasSubstr("HTTP " + std::to_string(status)));
  }
}

TEST(TwilioCarrierTest, InvalidNumberIsPermanentWithTwiliosCode) {
  FakeHttpClient http;
  http.Reply(400, kInvalidNumberBody);
  auto carrier = MakeTwilio(http);
  ASSERT_NE(carrier, nullptr);
  Result<std::string> sid = carrier->Send(Sms());
  ASSERT_FALSE(sid.ok());
  EXPECT_EQ(sid.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(sid.status().message(), HasSubstr("21211"));
  EXPECT_THAT(sid.status().message(), HasSubstr("is not a valid phone number"));
  EXPECT_THAT(sid.status().message(), HasSubstr("twilio-main"));
}

TEST(TwilioCarrierTest, NonJsonClientErrorKeepsTheStartOfTheBody) {
  FakeHttpClient http;
  http.Reply(400, "bad\nrequest");
  auto carrier = MakeTwilio(http);
  ASSERT_NE(carrier, nullptr);
  Result<std::string> sid = carrier->Send(Sms());
  EXPECT_EQ(sid.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(sid.status().message(), HasSubstr("bad request (HTTP 400)"));
}

TEST(TwilioCarrierTest, TransportErrorsMapToTransientCodes) {
  FakeHttpClient http;
  http.Fail(DeadlineExceeded("no response within 10000 ms"));
  http.Fail(Unavailable("connection refused"));
  http.Fail(PermissionDenied("refusing 10.0.0.1 (private 10.0.0.0/8)"));
  http.Fail(ResourceExhausted("response larger than 1048576 bytes"));
  auto carrier = MakeTwilio(http);
  ASSERT_NE(carrier, nullptr);
  Result<std::string> timeout = carrier->Send(Sms());
  EXPECT_EQ(timeout.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(timeout.status().message(), HasSubstr("no response within"));
  Result<std::string> refused = carrier->Send(Sms());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr("connection refused"));
  Result<std::string> guarded = carrier->Send(Sms());
  EXPECT_EQ(guarded.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(guarded.status().message(), HasSubstr("PERMISSION_DENIED"));
  EXPECT_EQ(carrier->Send(Sms()).status().code(), StatusCode::kUnavailable);
}

TEST(TwilioCarrierTest, SuccessWithoutSidIsUnavailable) {
  FakeHttpClient http;
  http.Reply(200, "<html>captive portal</html>");
  http.Reply(201, R"({"status": "queued"})");
  http.Reply(201, R"({"sid": "SM\"; DROP"})");
  auto carrier = MakeTwilio(http);
  ASSERT_NE(carrier, nullptr);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(carrier->Send(Sms()).status().code(), StatusCode::kUnavailable) << i;
  }
}

TEST(TwilioCarrierTest, RefusesMessagesItCannotSend) {
  FakeHttpClient http;
  TwilioOptions o = Twilio();
  o.from.clear();
  o.messaging_service_sid = "MG1";
  auto carrier = MakeTwilio(http, o);
  ASSERT_NE(carrier, nullptr);
  EXPECT_EQ(carrier->Send(Voice()).status().code(), StatusCode::kInvalidArgument);
  CarrierMessage email = Sms();
  email.type = domain::ChannelType::kEmail;
  EXPECT_EQ(carrier->Send(email).status().code(), StatusCode::kInvalidArgument);
  CarrierMessage nobody = Sms();
  nobody.to.clear();
  EXPECT_EQ(carrier->Send(nobody).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(http.requests().empty());
}

TEST(TwilioCarrierTest, RejectsBadOptions) {
  FakeHttpClient http;
  const auto code = [&](TwilioOptions o) {
    return NewTwilioCarrier("t", std::move(o), http).status().code();
  };
  TwilioOptions o = Twilio();
  o.account_sid = "AC/../x";
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o = Twilio();
  o.auth_token.clear();
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o = Twilio();
  o.from.clear();
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o = Twilio();
  o.api_url = "ftp://api.twilio.com";
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  EXPECT_EQ(NewTwilioCarrier("", Twilio(), http).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(NewTwilioCarrier("t", Twilio(), http).ok());
}

// --- Signatures ------------------------------------------------------------------

// The example of Twilio's request-validation documentation
// (https://www.twilio.com/docs/usage/security) as Twilio's server libraries
// test it (twilio-php, twilio-csharp RequestValidatorTest: auth token 12345).
const char kDocUrl[] = "https://mycompany.com/myapp.php?foo=1&bar=2";
net::Headers DocParams(const std::string& caller = "+14158675309") {
  return {{"CallSid", "CA1234567890ABCDE"},
          {"Caller", caller},
          {"Digits", "1234"},
          {"From", caller},
          {"To", "+18005551212"}};
}

TEST(TwilioSignatureTest, MatchesTwiliosPublishedVectors) {
  EXPECT_EQ(TwilioSignature("12345", kDocUrl, DocParams()), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  // The same example as the current documentation page spells the number.
  EXPECT_EQ(TwilioSignature("12345", kDocUrl, DocParams("+14158675310")),
            "GvWf1cFY/Q7PnoempGyD5oXAezc=");
  // twilio-php testValidateWithArrayAndDuplicates: repeated names sort by
  // value, exact duplicates count once, "Sid" sorts before "SidAccount".
  const net::Headers repeated = {{"Sid", "CA123"},
                                 {"SidAccount", "AC123"},
                                 {"Digits", "5678"},
                                 {"Digits", "1234"},
                                 {"Digits", "1234"}};
  EXPECT_EQ(TwilioSignature("12345", kDocUrl, repeated), "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
}

TEST(TwilioSignatureTest, OrderOfParametersDoesNotMatter) {
  net::Headers reversed = DocParams();
  std::reverse(reversed.begin(), reversed.end());
  EXPECT_TRUE(TwilioSignatureValid("12345", kDocUrl, reversed, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
}

TEST(TwilioSignatureTest, RejectsTampering) {
  const std::string good = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
  EXPECT_TRUE(TwilioSignatureValid("12345", kDocUrl, DocParams(), good));

  net::Headers digits = DocParams();
  digits[2].second = "9999";
  EXPECT_FALSE(TwilioSignatureValid("12345", kDocUrl, digits, good));
  net::Headers extra = DocParams();
  extra.emplace_back("Extra", "");
  EXPECT_FALSE(TwilioSignatureValid("12345", kDocUrl, extra, good));
  net::Headers fewer = DocParams();
  fewer.pop_back();
  EXPECT_FALSE(TwilioSignatureValid("12345", kDocUrl, fewer, good));
  EXPECT_FALSE(TwilioSignatureValid("12345", "https://mycompany.com/myapp.php?foo=1&bar=3",
                                    DocParams(), good));
  EXPECT_FALSE(TwilioSignatureValid("12346", kDocUrl, DocParams(), good));
  EXPECT_FALSE(TwilioSignatureValid("12345", kDocUrl, DocParams(), good.substr(0, 27)));
  EXPECT_FALSE(TwilioSignatureValid("12345", kDocUrl, DocParams(), good + "="));
  EXPECT_FALSE(TwilioSignatureValid("12345", kDocUrl, DocParams(), ""));
  EXPECT_FALSE(TwilioSignatureValid("", kDocUrl, DocParams(), TwilioSignature("", kDocUrl, {})));
}

// --- Form encoding ---------------------------------------------------------------

TEST(FormTest, EncodesLikeABrowserForm) {
  EXPECT_EQ(FormEncode({{"To", "+15551234567"}, {"Body", "a b&c=d/e%f~g.h_i-j"}}),
            "To=%2B15551234567&Body=a+b%26c%3Dd%2Fe%25f~g.h_i-j");
  EXPECT_EQ(FormEncode({{"Body", "caf\xC3\xA9 \xF0\x9F\x94\xA5"}}), "Body=caf%C3%A9+%F0%9F%94%A5");
  EXPECT_EQ(FormEncode({{"Empty", ""}}), "Empty=");
  EXPECT_EQ(FormEncode({}), "");
}

TEST(FormTest, DecodesPlusPercentAndBarePairs) {
  Result<net::Headers> form = FormDecode("To=%2b15551234567&Body=hello+world%20again&&Empty=&Flag");
  ASSERT_TRUE(form.ok()) << form.status().ToString();
  EXPECT_THAT(*form, ElementsAre(Pair("To", "+15551234567"), Pair("Body", "hello world again"),
                                 Pair("Empty", ""), Pair("Flag", "")));
  Result<net::Headers> plus = FormDecode("a=1+1%2B1");
  ASSERT_TRUE(plus.ok());
  EXPECT_EQ(plus->front().second, "1 1+1");
}

TEST(FormTest, RoundTripsEveryByteAndUtf8) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const net::Headers params = {{"bytes", all},
                               {"utf8 name \xE2\x9C\x93", "\xE6\x97\xA5\xE6\x9C\xAC +%20"},
                               {"Body", "ACK 123456"},
                               {"Body", "repeated"}};
  Result<net::Headers> back = FormDecode(FormEncode(params));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, params);
}

TEST(FormTest, RejectsMalformedEscapes) {
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "a=ok&b=%x1"}) {
    Result<net::Headers> form = FormDecode(bad);
    EXPECT_FALSE(form.ok()) << bad;
    EXPECT_EQ(form.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

// --- TwiML and receipts ----------------------------------------------------------

TEST(VoiceTwimlTest, GatherShape) {
  EXPECT_EQ(VoiceTwiml("Database down", "https://t.example/hooks/gather?page=p1&attempt=2"),
            "<Response><Gather numDigits=\"1\" "
            "action=\"https://t.example/hooks/gather?page=p1&amp;attempt=2\" method=\"POST\">"
            "<Say>Database down. Press 1 to acknowledge.</Say></Gather>"
            "<Say>No answer received. Goodbye.</Say></Response>");
  EXPECT_THAT(VoiceTwiml("Is the database down?", "https://t.example/g"),
              HasSubstr("<Say>Is the database down? Press 1"));
}

TEST(VoiceTwimlTest, EscapesXml) {
  const std::string twiml =
      VoiceTwiml("Disk <full> & \"hot\" 'now'\x01</Say><Hangup/>", "https://t.example/g?a=\"x\"");
  EXPECT_THAT(twiml, HasSubstr("Disk &lt;full&gt; &amp; &quot;hot&quot; &#39;now&#39; "
                               "&lt;/Say&gt;&lt;Hangup/&gt;."));
  EXPECT_THAT(twiml, HasSubstr("action=\"https://t.example/g?a=&quot;x&quot;\""));
  EXPECT_EQ(twiml.find("<Hangup/>"), std::string::npos);
  EXPECT_EQ(twiml.find('\x01'), std::string::npos);
}

TEST(VoiceTwimlTest, WithoutGatherUrlSaysItTwice) {
  EXPECT_EQ(VoiceTwiml("DB down", ""),
            "<Response><Say>DB down.</Say><Pause length=\"1\"/><Say>DB down.</Say></Response>");
}

TEST(TwilioReceiptTypeTest, MapsMessageAndCallStatuses) {
  const std::pair<const char*, const char*> cases[] = {{"queued", ""},
                                                       {"sending", ""},
                                                       {"accepted", ""},
                                                       {"initiated", ""},
                                                       {"sent", "SENT"},
                                                       {"ringing", "SENT"},
                                                       {"delivered", "DELIVERED"},
                                                       {"in-progress", "DELIVERED"},
                                                       {"completed", "DELIVERED"},
                                                       {"read", "READ"},
                                                       {"undelivered", "ERROR"},
                                                       {"failed", "ERROR"},
                                                       {"busy", "ERROR"},
                                                       {"no-answer", "ERROR"},
                                                       {"canceled", "ERROR"},
                                                       {"Delivered", "DELIVERED"},
                                                       {"", ""},
                                                       {"bogus", ""}};
  for (const auto& [status, receipt] : cases) {
    EXPECT_EQ(TwilioReceiptType(status), receipt) << status;
  }
}

// --- Templates and the webhook carrier --------------------------------------------

TEST(CarrierTemplateTest, ExpandsOnceAndEscapes) {
  CarrierMessage m = Sms();
  m.text = "say {{code}} \"now\"";
  Result<std::string> raw =
      ExpandCarrierTemplate("{{to}}|{{ text }}|{{code}}|{{id}}|{{type}}", m, TemplateEscape::kRaw);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, "+15551234567|say {{code}} \"now\"|123456|page-1|SMS");
  Result<std::string> json = ExpandCarrierTemplate("{{text}}", m, TemplateEscape::kJson);
  EXPECT_EQ(*json, "say {{code}} \\\"now\\\"");
  Result<std::string> form = ExpandCarrierTemplate("{{to}}", m, TemplateEscape::kForm);
  EXPECT_EQ(*form, "%2B15551234567");
  EXPECT_EQ(*ExpandCarrierTemplate("{{{to}}} {{to", m, TemplateEscape::kRaw),
            "{+15551234567} {{to");
  Result<std::string> unknown = ExpandCarrierTemplate("{{to}} {{secret}}", m, TemplateEscape::kRaw);
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("{{secret}}"));
}

WebhookCarrierOptions Webhook() {
  WebhookCarrierOptions o;
  o.url = "https://sms-gateway.example/v1/send";
  o.headers = {{"Authorization", "Bearer gw-token"}};
  return o;
}

std::unique_ptr<Carrier> MakeWebhook(FakeHttpClient& http, WebhookCarrierOptions o = Webhook()) {
  Result<std::unique_ptr<Carrier>> c = NewWebhookCarrier("gateway", std::move(o), http);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

TEST(WebhookCarrierTest, DefaultTemplateIsJsonWithEscapedValues) {
  FakeHttpClient http;
  http.Reply(202, R"({"messageId": "gw-77"})");
  auto carrier = MakeWebhook(http);
  ASSERT_NE(carrier, nullptr);
  CarrierMessage m = Sms();
  m.text = "line 1\nline \"2\" \\ tab\t\x01 caf\xC3\xA9";
  Result<std::string> id = carrier->Send(m);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "gw-77");

  const net::HttpRequest r = http.last();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://sms-gateway.example/v1/send");
  EXPECT_EQ(HeaderValue(r.headers, "Authorization"), "Bearer gw-token");
  EXPECT_EQ(HeaderValue(r.headers, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderValue(r.headers, "Idempotency-Key"), "page-1");
  const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << r.body;
  EXPECT_EQ(body["to"], "+15551234567");
  EXPECT_EQ(body["text"], m.text);
  EXPECT_EQ(body["code"], "123456");
  EXPECT_EQ(body["id"], "page-1");
  EXPECT_EQ(body["type"], "SMS");
}

TEST(WebhookCarrierTest, FormTemplateIsFormEncoded) {
  FakeHttpClient http;
  http.Reply(200, "queued");
  WebhookCarrierOptions o = Webhook();
  o.content_type = "application/x-www-form-urlencoded";
  o.body_template = "phone={{to}}&msg={{text}}&kind={{type}}";
  auto carrier = MakeWebhook(http, o);
  ASSERT_NE(carrier, nullptr);
  CarrierMessage m = Voice();
  m.text = "a&b=c +d";
  Result<std::string> id = carrier->Send(m);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "webhook:page-1");
  EXPECT_THAT(Form(http.last().body), ElementsAre(Pair("phone", "+15551234567"),
                                                  Pair("msg", "a&b=c +d"), Pair("kind", "VOICE")));
}

TEST(WebhookCarrierTest, RawTemplateAndCallerHeadersWin) {
  FakeHttpClient http;
  http.Reply(200, R"({"id": 42})");
  WebhookCarrierOptions o = Webhook();
  o.method = "put";
  o.content_type = "text/plain";
  o.body_template = "{{to}}: {{text}}";
  o.headers.emplace_back("idempotency-key", "mine");
  auto carrier = MakeWebhook(http, o);
  ASSERT_NE(carrier, nullptr);
  CarrierMessage m = Sms();
  m.text = "\"raw\"";
  EXPECT_EQ(*carrier->Send(m), "42");
  const net::HttpRequest r = http.last();
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.body, "+15551234567: \"raw\"");
  EXPECT_EQ(HeaderValue(r.headers, "Idempotency-Key"), "<absent>");
  EXPECT_EQ(HeaderValue(r.headers, "idempotency-key"), "mine");
}

TEST(WebhookCarrierTest, CarrierIdComesFromIdSidOrMessageId) {
  FakeHttpClient http;
  http.Reply(200, R"({"sid": "abc"})");
  http.Reply(200, R"({"id": ""})");
  http.Reply(200, R"([1, 2])");
  http.Reply(204, "");
  auto carrier = MakeWebhook(http);
  ASSERT_NE(carrier, nullptr);
  EXPECT_EQ(*carrier->Send(Sms()), "abc");
  EXPECT_EQ(*carrier->Send(Sms()), "webhook:page-1");
  EXPECT_EQ(*carrier->Send(Sms()), "webhook:page-1");
  EXPECT_EQ(*carrier->Send(Sms()), "webhook:page-1");
}

TEST(WebhookCarrierTest, MapsFailures) {
  FakeHttpClient http;
  http.Reply(500, "oops");
  http.Reply(429, "slow down");
  http.Reply(400, "{\"error\": \"unknown number\"}\n");
  http.Reply(302, "");
  http.Fail(DeadlineExceeded("timed out"));
  auto carrier = MakeWebhook(http);
  ASSERT_NE(carrier, nullptr);
  EXPECT_EQ(carrier->Send(Sms()).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(carrier->Send(Sms()).status().code(), StatusCode::kUnavailable);
  Result<std::string> refused = carrier->Send(Sms());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("HTTP 400"));
  EXPECT_THAT(refused.status().message(), HasSubstr("unknown number"));
  EXPECT_EQ(carrier->Send(Sms()).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(carrier->Send(Sms()).status().code(), StatusCode::kDeadlineExceeded);
}

TEST(WebhookCarrierTest, RejectsBadOptions) {
  FakeHttpClient http;
  const auto code = [&](WebhookCarrierOptions o) {
    return NewWebhookCarrier("gw", std::move(o), http).status().code();
  };
  WebhookCarrierOptions o = Webhook();
  o.url = "file:///etc/passwd";
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o = Webhook();
  o.method = "PO ST";
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o = Webhook();
  o.body_template = "{\"to\": \"{{phone}}\"}";
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o = Webhook();
  o.content_type = "text/plain";
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);  // The default template is JSON.
  o = Webhook();
  o.content_type = "application/vnd.gateway+json; charset=utf-8";
  EXPECT_TRUE(NewWebhookCarrier("gw", o, http).ok());
}

// --- Exec carrier ----------------------------------------------------------------

std::unique_ptr<Carrier> MakeExec(std::vector<std::string> argv,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  Result<std::unique_ptr<Carrier>> c = NewExecCarrier("modem", {std::move(argv), timeout});
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t OpenFdCount() {
  size_t n = 0;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    while (::readdir(dir) != nullptr) ++n;
    ::closedir(dir);
  }
  return n;
}

TEST(ExecCarrierTest, FirstStdoutLineIsTheCarrierId) {
  auto carrier = MakeExec({"/bin/echo", " modem-{{id}}-{{type}} "});
  ASSERT_NE(carrier, nullptr);
  Result<std::string> id = carrier->Send(Sms());
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "modem-page-1-SMS");
}

TEST(ExecCarrierTest, NoIdOnStdoutFallsBackToMessageId) {
  auto carrier = MakeExec({"/bin/true"});
  ASSERT_NE(carrier, nullptr);
  EXPECT_EQ(*carrier->Send(Sms()), "exec:page-1");
  const std::string long_line(200, 'x');
  auto verbose = MakeExec({"/bin/echo", long_line});
  ASSERT_NE(verbose, nullptr);
  EXPECT_EQ(*verbose->Send(Sms()), "exec:page-1");
}

TEST(ExecCarrierTest, ShellSyntaxInTheTextStaysLiteral) {
  TempDir dir;
  const std::string marker = dir.File("pwned");
  const std::string out = dir.File("argv");
  CarrierMessage m = Sms();
  m.text = "x $(touch " + marker + "); touch " + marker + " `touch " + marker + "` | && > '\"";
  // $1 is expanded by the shell as data, never parsed as a command.
  auto carrier = MakeExec({"/bin/sh", "-c", "printf '%s' \"$1\" > \"$0\"", out, "{{text}}"});
  ASSERT_NE(carrier, nullptr);
  ASSERT_TRUE(carrier->Send(m).ok());
  EXPECT_EQ(ReadFile(out), m.text);
  EXPECT_FALSE(std::filesystem::exists(marker));

  // And straight to a program: one argument, as is.
  auto printf_carrier = MakeExec({"/usr/bin/printf", "%s", "{{text}}"});
  ASSERT_NE(printf_carrier, nullptr);
  m.text = "a; b $(c) `d`";
  EXPECT_EQ(*printf_carrier->Send(m), "a; b $(c) `d`");
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(ExecCarrierTest, TextGoesToStdin) {
  TempDir dir;
  const std::string out = dir.File("stdin");
  auto carrier = MakeExec({"/bin/sh", "-c", "cat > \"$0\"", out});
  ASSERT_NE(carrier, nullptr);
  CarrierMessage m = Sms();
  m.text = "first line\nsecond $(line)";
  ASSERT_TRUE(carrier->Send(m).ok());
  EXPECT_EQ(ReadFile(out), m.text);

  // Larger than any pipe buffer, both ways.
  m.text = std::string(1 << 20, 'z');
  auto echo_back = MakeExec({"/bin/sh", "-c", "cat; echo"});
  ASSERT_NE(echo_back, nullptr);
  EXPECT_EQ(*echo_back->Send(m), "exec:page-1");  // First line too long to be an id.
}

TEST(ExecCarrierTest, ProgramThatIgnoresStdinIsFine) {
  CarrierMessage m = Sms();
  m.text = std::string(4 << 20, 'y');  // The child exits without reading: EPIPE, not SIGPIPE.
  auto carrier = MakeExec({"/bin/echo", "ok"});
  ASSERT_NE(carrier, nullptr);
  EXPECT_EQ(*carrier->Send(m), "ok");
}

TEST(ExecCarrierTest, OutputIsBounded) {
  auto carrier = MakeExec({"/bin/sh", "-c",
                           "head -c 3000000 /dev/zero | tr '\\0' x; head -c 3000000 "
                           "/dev/zero | tr '\\0' y >&2; exit 4"});
  ASSERT_NE(carrier, nullptr);
  Result<std::string> r = carrier->Send(Sms());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("status 4"));
  EXPECT_LT(r.status().message().size(), 1000u);
}

TEST(ExecCarrierTest, FailureIsUnavailableWithStderr) {
  auto carrier = MakeExec({"/bin/false"});
  ASSERT_NE(carrier, nullptr);
  Result<std::string> r = carrier->Send(Sms());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("exited with status 1"));

  auto modem = MakeExec(
      {"/bin/sh", "-c", "echo 'sent?' ; echo 'modem offline: {{to}}' >&2; echo more >&2; exit 3"});
  ASSERT_NE(modem, nullptr);
  r = modem->Send(Sms());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("status 3: modem offline: +15551234567"));
  EXPECT_THAT(r.status().message(), testing::Not(HasSubstr("more")));

  auto killed = MakeExec({"/bin/sh", "-c", "kill -TERM $$"});
  ASSERT_NE(killed, nullptr);
  r = killed->Send(Sms());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("signal 15"));

  auto missing = MakeExec({"/nonexistent/send-sms"});
  ASSERT_NE(missing, nullptr);
  r = missing->Send(Sms());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("cannot run /nonexistent/send-sms"));
}

// Returns true once `pid` is gone or a zombie (its parent, the killed shell,
// is gone, so init reaps it when it gets to it).
bool Dead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

TEST(ExecCarrierTest, TimeoutKillsTheWholeProcessGroup) {
  TempDir dir;
  const std::string pid_file = dir.File("grandchild.pid");
  auto carrier = MakeExec({"/bin/sh", "-c", "sleep 30 & echo $! > \"$0\"; wait", pid_file},
                          std::chrono::milliseconds(300));
  ASSERT_NE(carrier, nullptr);
  const auto start = std::chrono::steady_clock::now();
  Result<std::string> r = carrier->Send(Sms());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(r.status().message(), HasSubstr("300 ms"));

  const pid_t grandchild = static_cast<pid_t>(std::atoi(ReadFile(pid_file).c_str()));
  ASSERT_GT(grandchild, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!Dead(grandchild) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(Dead(grandchild));

  auto sleeper = MakeExec({"/bin/sleep", "30"}, std::chrono::milliseconds(100));
  ASSERT_NE(sleeper, nullptr);
  EXPECT_EQ(sleeper->Send(Sms()).status().code(), StatusCode::kDeadlineExceeded);

  // A program that never stops writing cannot keep Send from its deadline.
  auto chatty = MakeExec({"/usr/bin/yes", "spam"}, std::chrono::milliseconds(300));
  ASSERT_NE(chatty, nullptr);
  const auto chatty_start = std::chrono::steady_clock::now();
  EXPECT_EQ(chatty->Send(Sms()).status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - chatty_start, std::chrono::seconds(10));
}

TEST(ExecCarrierTest, BackgroundedGrandchildDoesNotHoldSendOpen) {
  // The program exits at once but leaves something holding its stdout.
  auto carrier = MakeExec({"/bin/sh", "-c", "sleep 30 & echo fast-id"}, std::chrono::seconds(20));
  ASSERT_NE(carrier, nullptr);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(*carrier->Send(Sms()), "fast-id");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(ExecCarrierTest, CleanEnvironmentAndNoInheritedDescriptors) {
  // A descriptor opened without O_CLOEXEC, as careless code elsewhere might.
  const int leaky = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(leaky, 0);
  ::setenv("TOCSIN_TEST_SECRET", "hunter2", 1);
  auto env = MakeExec({"/bin/sh", "-c", "env | grep -c . ; env | grep SECRET >&2; exit 0"});
  auto fds = MakeExec({"/bin/sh", "-c", "ls /proc/self/fd | wc -l"});
  ASSERT_NE(env, nullptr);
  ASSERT_NE(fds, nullptr);
  Result<std::string> env_count = env->Send(Sms());
  Result<std::string> fd_count = fds->Send(Sms());
  ::unsetenv("TOCSIN_TEST_SECRET");
  ::close(leaky);
  ASSERT_TRUE(env_count.ok());
  // sh adds PWD (and maybe SHLVL, _) to our PATH; never the secret.
  EXPECT_LE(std::atoi(env_count->c_str()), 4);
  ASSERT_TRUE(fd_count.ok());
  // 0, 1, 2 and the one ls opens to read the directory.
  EXPECT_EQ(*fd_count, "4");
}

TEST(ExecCarrierTest, LeavesNoDescriptorsOrZombies) {
  auto ok = MakeExec({"/bin/echo", "x"});
  auto bad = MakeExec({"/bin/false"});
  auto slow = MakeExec({"/bin/sleep", "30"}, std::chrono::milliseconds(50));
  ASSERT_NE(ok, nullptr);
  ASSERT_NE(bad, nullptr);
  ASSERT_NE(slow, nullptr);
  ASSERT_TRUE(ok->Send(Sms()).ok());  // Warm up lazily opened descriptors.
  const size_t before = OpenFdCount();
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(ok->Send(Sms()).ok());
    EXPECT_FALSE(bad->Send(Sms()).ok());
    EXPECT_FALSE(slow->Send(Sms()).ok());
  }
  EXPECT_EQ(OpenFdCount(), before);
  int status = 0;
  EXPECT_EQ(::waitpid(-1, &status, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(ExecCarrierTest, ConcurrentSends) {
  auto carrier = MakeExec({"/bin/sh", "-c", "cat >/dev/null; echo id-$0", "{{id}}"});
  ASSERT_NE(carrier, nullptr);
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        CarrierMessage m = Sms();
        m.message_id = "p" + std::to_string(t) + "-" + std::to_string(i);
        Result<std::string> id = carrier->Send(m);
        if (id.ok() && *id == "id-" + m.message_id) ++good;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(good.load(), 20);
}

TEST(ExecCarrierTest, RejectsBadOptionsAndMessages) {
  const auto code = [](std::vector<std::string> argv,
                       std::chrono::milliseconds timeout = std::chrono::seconds(1)) {
    return NewExecCarrier("x", {std::move(argv), timeout}).status().code();
  };
  EXPECT_EQ(code({}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({"echo", "hi"}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({"/usr/bin/{{to}}"}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({"/bin/echo", "{{body}}"}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({"/bin/echo"}, std::chrono::milliseconds(0)), StatusCode::kInvalidArgument);
  EXPECT_EQ(NewExecCarrier("", {{"/bin/echo"}, std::chrono::seconds(1)}).status().code(),
            StatusCode::kInvalidArgument);

  auto carrier = MakeExec({"/bin/echo", "{{text}}"});
  ASSERT_NE(carrier, nullptr);
  CarrierMessage m = Sms();
  m.text = std::string("nul\0byte", 8);
  EXPECT_EQ(carrier->Send(m).status().code(), StatusCode::kInvalidArgument);
}

// --- Against fake_twilio.py, through the real guarded HttpClient --------------------

constexpr char kSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kToken[] = "fake-token-0123";

class FakeTwilioTest : public testing::Test {
 protected:
  void SetUp() override {
    log_path_ = dir_.File("twilio.jsonl");
    ASSERT_TRUE(twilio_.Start({"/usr/bin/python3", test::SupportFile("fake_twilio.py"), "--port",
                               "0", "--log", log_path_, "--account-sid", kSid, "--auth-token",
                               kToken, "--callbacks", "--callback-delay", "0.01"}))
        << twilio_.error();
    base_ = "http://127.0.0.1:" + std::to_string(twilio_.port());

    http_ = Client(std::chrono::milliseconds(5000));
    ASSERT_NE(http_, nullptr);
  }

  static std::unique_ptr<net::HttpClient> Client(std::chrono::milliseconds timeout) {
    net::OutboundPolicy policy;
    policy.allow = {"127.0.0.1/32"};
    policy.total_timeout = timeout;
    Result<std::unique_ptr<net::HttpClient>> client = net::NewGuardedHttpClient(policy);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }

  TwilioOptions Options() const {
    TwilioOptions o;
    o.account_sid = kSid;
    o.auth_token = kToken;
    o.from = "+15005550006";
    o.api_url = base_;
    return o;
  }

  std::unique_ptr<Carrier> MakeCarrier(net::HttpClient& http, TwilioOptions o) {
    Result<std::unique_ptr<Carrier>> c = NewTwilioCarrier("fake", std::move(o), http);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  // POSTs JSON to a control endpoint; returns the response body.
  nlohmann::json Control(const std::string& path, const nlohmann::json& body) {
    net::HttpRequest r;
    r.url = base_ + path;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = body.dump();
    Result<net::HttpResponse> response = http_->Send(r);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    if (!response.ok()) return nullptr;
    EXPECT_EQ(response->status, 200) << response->body;
    return nlohmann::json::parse(response->body, nullptr, false);
  }

  std::vector<nlohmann::json> Log(const std::string& kind) const {
    std::vector<nlohmann::json> out;
    std::ifstream in(log_path_);
    std::string line;
    while (std::getline(in, line)) {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && j["kind"] == kind) out.push_back(std::move(j));
    }
    return out;
  }

  static net::Headers FormOf(const test::ReceivedRequest& r) { return Form(r.body); }

  TempDir dir_;
  std::string log_path_;
  test::PortChild twilio_;  // Stopped (SIGTERM) before dir_ goes.
  std::string base_;
  std::unique_ptr<net::HttpClient> http_;
};

TEST_F(FakeTwilioTest, SmsAndCallOverTheRealWireFormat) {
  auto carrier = MakeCarrier(*http_, Options());
  ASSERT_NE(carrier, nullptr);
  CarrierMessage m = Sms();
  m.status_callback_url.clear();
  m.text = "DB down: café +1 & more";
  Result<std::string> sms = carrier->Send(m);
  ASSERT_TRUE(sms.ok()) << sms.status().ToString();
  EXPECT_THAT(*sms, StartsWith("SM"));
  EXPECT_EQ(sms->size(), 34u);

  CarrierMessage v = Voice();
  v.status_callback_url.clear();
  Result<std::string> call = carrier->Send(v);
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_THAT(*call, StartsWith("CA"));

  const std::vector<nlohmann::json> api = Log("api");
  ASSERT_EQ(api.size(), 2u);
  EXPECT_EQ(api[0]["path"], std::string("/2010-04-01/Accounts/") + kSid + "/Messages.json");
  EXPECT_EQ(api[0]["auth"]["ok"], true);
  EXPECT_EQ(api[0]["params"]["To"], "+15551234567");
  EXPECT_EQ(api[0]["params"]["From"], "+15005550006");
  EXPECT_EQ(api[0]["params"]["Body"], m.text);
  EXPECT_EQ(api[0]["sid"], *sms);
  EXPECT_EQ(api[1]["params"]["Twiml"], VoiceTwiml(v.text, ""));
}

TEST_F(FakeTwilioTest, InvalidNumberAndBadCredentials) {
  auto carrier = MakeCarrier(*http_, Options());
  ASSERT_NE(carrier, nullptr);
  CarrierMessage m = Sms();
  m.to = "5551234";
  Result<std::string> r = carrier->Send(m);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("21211"));

  TwilioOptions wrong = Options();
  wrong.auth_token = "not-the-token";
  auto unauthorized = MakeCarrier(*http_, wrong);
  ASSERT_NE(unauthorized, nullptr);
  r = unauthorized->Send(Sms());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("20003"));
}

TEST_F(FakeTwilioTest, FailureModes) {
  std::unique_ptr<net::HttpClient> impatient = Client(std::chrono::milliseconds(1000));
  ASSERT_NE(impatient, nullptr);
  auto carrier = MakeCarrier(*impatient, Options());
  ASSERT_NE(carrier, nullptr);
  CarrierMessage m = Sms();
  m.status_callback_url.clear();

  Control("/_control", {{"mode", "500"}});
  EXPECT_EQ(carrier->Send(m).status().code(), StatusCode::kUnavailable);
  Control("/_control", {{"mode", "429"}});
  EXPECT_EQ(carrier->Send(m).status().code(), StatusCode::kUnavailable);
  Control("/_control", {{"mode", "close"}});
  EXPECT_EQ(carrier->Send(m).status().code(), StatusCode::kUnavailable);
  Control("/_control", {{"mode", "hang"}, {"count", 1}});
  Result<std::string> hung = carrier->Send(m);
  EXPECT_EQ(hung.status().code(), StatusCode::kDeadlineExceeded) << hung.status().ToString();
  // "count": 1 put it back to normal.
  EXPECT_TRUE(carrier->Send(m).ok());
}

TEST_F(FakeTwilioTest, SignedStatusCallbacksValidate) {
  test::TinyHttpServer receiver;
  ASSERT_TRUE(receiver.ok());
  auto carrier = MakeCarrier(*http_, Options());
  ASSERT_NE(carrier, nullptr);

  CarrierMessage m = Sms();
  m.status_callback_url = receiver.Url("/hooks/twilio/status?page=page-1&n=2");
  Result<std::string> sid = carrier->Send(m);
  ASSERT_TRUE(sid.ok()) << sid.status().ToString();
  ASSERT_TRUE(receiver.WaitForRequests(2, std::chrono::seconds(20)));

  std::vector<std::string> receipts;
  for (const test::ReceivedRequest& r : receiver.Requests()) {
    EXPECT_EQ(r.target, "/hooks/twilio/status?page=page-1&n=2");
    const net::Headers form = FormOf(r);
    const std::string signature = r.Header("x-twilio-signature");
    EXPECT_TRUE(TwilioSignatureValid(kToken, m.status_callback_url, form, signature));
    EXPECT_FALSE(TwilioSignatureValid("other", m.status_callback_url, form, signature));
    EXPECT_FALSE(
        TwilioSignatureValid(kToken, receiver.Url("/hooks/twilio/status"), form, signature));
    EXPECT_EQ(Value(form, "MessageSid"), *sid);
    EXPECT_EQ(Value(form, "AccountSid"), kSid);
    receipts.push_back(TwilioReceiptType(Value(form, "MessageStatus")));
  }
  EXPECT_THAT(receipts, ElementsAre("SENT", "DELIVERED"));

  test::TinyHttpServer call_receiver;
  ASSERT_TRUE(call_receiver.ok());
  CarrierMessage v = Voice();
  v.status_callback_url = call_receiver.Url("/hooks/twilio/call");
  Result<std::string> call = carrier->Send(v);
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  ASSERT_TRUE(call_receiver.WaitForRequests(4, std::chrono::seconds(20)));
  std::vector<std::string> statuses;
  for (const test::ReceivedRequest& r : call_receiver.Requests()) {
    const net::Headers form = FormOf(r);
    EXPECT_TRUE(
        TwilioSignatureValid(kToken, v.status_callback_url, form, r.Header("x-twilio-signature")));
    EXPECT_EQ(Value(form, "CallSid"), *call);
    statuses.push_back(Value(form, "CallStatus"));
  }
  EXPECT_THAT(statuses, ElementsAre("initiated", "ringing", "in-progress", "completed"));
}

TEST_F(FakeTwilioTest, InboundSmsAndGatherAreSigned) {
  test::TinyHttpServer receiver;
  ASSERT_TRUE(receiver.ok());
  const std::string sms_url = receiver.Url("/hooks/twilio/sms");
  const nlohmann::json inbound = Control(
      "/_control/inbound", {{"url", sms_url}, {"from", "+15551234567"}, {"body", "ACK 123456"}});
  EXPECT_EQ(inbound["status"], 200) << inbound.dump();
  const std::string gather_url = receiver.Url("/hooks/twilio/gather?page=page-1");
  const nlohmann::json gather =
      Control("/_control/gather",
              {{"url", gather_url}, {"digits", "1"}, {"callSid", "CAabc"}, {"to", "+15551234567"}});
  EXPECT_EQ(gather["status"], 200) << gather.dump();

  ASSERT_TRUE(receiver.WaitForRequests(2, std::chrono::seconds(20)));
  const std::vector<test::ReceivedRequest> requests = receiver.Requests();
  const net::Headers sms = FormOf(requests[0]);
  EXPECT_TRUE(TwilioSignatureValid(kToken, sms_url, sms, requests[0].Header("x-twilio-signature")));
  EXPECT_EQ(Value(sms, "Body"), "ACK 123456");
  EXPECT_EQ(Value(sms, "From"), "+15551234567");
  EXPECT_EQ(Value(sms, "NumMedia"), "0");
  EXPECT_THAT(Value(sms, "MessageSid"), StartsWith("SM"));
  // A tampered body no longer matches.
  net::Headers forged = sms;
  for (auto& [k, v] : forged) {
    if (k == "Body") v = "ACK 999999";
  }
  EXPECT_FALSE(
      TwilioSignatureValid(kToken, sms_url, forged, requests[0].Header("x-twilio-signature")));

  const net::Headers digits = FormOf(requests[1]);
  EXPECT_TRUE(
      TwilioSignatureValid(kToken, gather_url, digits, requests[1].Header("x-twilio-signature")));
  EXPECT_EQ(Value(digits, "Digits"), "1");
  EXPECT_EQ(Value(digits, "CallSid"), "CAabc");
  EXPECT_EQ(Value(digits, "To"), "+15551234567");
  EXPECT_EQ(Value(digits, "AccountSid"), kSid);
}

}  // namespace
}  // namespace tocsin::notify
