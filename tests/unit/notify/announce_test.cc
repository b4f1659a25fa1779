#include "tocsin/notify/announce.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tocsin::notify {
namespace {

using nlohmann::json;

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

// 2026-03-02T14:00:00Z.
TimePoint At() { return FromUnixMillis(1772460000000); }

IncidentAnnouncement Announcement(IncidentChange change) {
  IncidentAnnouncement a;
  a.change = change;
  domain::Incident& i = a.incident;
  i.id = "0195f0a2-7b1c-7d3e-8f40-123456789abc";
  i.arn = "arn:aws:ssm-incidents::111122223333:incident-record/db-plan/" + i.id;
  i.version = 4;
  i.response_plan_id = "plan-1";
  i.response_plan_name = "db-plan";
  i.title = "Database latency";
  i.summary = "p99 above 2 s on the primary";
  i.impact = 1;
  i.dedupe_string = "db-latency";
  i.created_at = At() - std::chrono::minutes(5);
  i.updated_at = At();
  i.created_by = "alice";
  i.updated_by = "alice";
  i.source = "tocsin.api";
  a.actor = "alice";
  a.incident_url = "https://tocsin.example.com/#/incidents/" + i.id;
  a.at = At();
  return a;
}

json Parse(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << text;
  return j;
}

// Returns true iff `s` is well-formed UTF-8 (RFC 3629, without the overlong
// and surrogate checks, which these tests do not need).
bool IsUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    const size_t n = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// All text of a Slack message: the fallback and every block's text.
std::string SlackText(const json& j) { return j.dump(); }

TEST(AnnounceTest, EventNames) {
  EXPECT_STREQ(IncidentChangeEventName(IncidentChange::kCreated), "incident.created");
  EXPECT_STREQ(IncidentChangeEventName(IncidentChange::kUpdated), "incident.updated");
  EXPECT_STREQ(IncidentChangeEventName(IncidentChange::kImpactChanged), "incident.impact_changed");
  EXPECT_STREQ(IncidentChangeEventName(IncidentChange::kNoteAdded), "incident.note_added");
  EXPECT_STREQ(IncidentChangeEventName(IncidentChange::kResolved), "incident.resolved");
  EXPECT_STREQ(IncidentChangeEventName(IncidentChange::kReopened), "incident.reopened");
}

TEST(AnnounceTest, SlackHasTextAndBlocks) {
  const json j = Parse(
      RenderChatPost(domain::ChatChannelType::kSlack, Announcement(IncidentChange::kCreated)));
  ASSERT_TRUE(j["text"].is_string());
  EXPECT_NE(j["text"].get<std::string>().find("Incident started: Database latency"),
            std::string::npos);
  ASSERT_TRUE(j["blocks"].is_array());
  ASSERT_GE(j["blocks"].size(), 3u);
  for (const json& block : j["blocks"]) {
    ASSERT_TRUE(block["type"].is_string());
    if (block.contains("text")) {
      EXPECT_EQ(block["text"]["type"], "mrkdwn");
      EXPECT_LE(block["text"]["text"].get<std::string>().size(), 3000u);
    }
  }
  const std::string all = SlackText(j);
  EXPECT_NE(all.find("1 Critical"), std::string::npos);
  EXPECT_NE(all.find("Open"), std::string::npos);
  EXPECT_NE(all.find("p99 above 2 s"), std::string::npos);
  EXPECT_NE(all.find("alice"), std::string::npos);
  EXPECT_NE(all.find("<https://tocsin.example.com/#/incidents/0195f0a2-7b1c-7d3e-8f40-"
                     "123456789abc|Open incident in Tocsin>"),
            std::string::npos);
}

TEST(AnnounceTest, SlackEscapesControlCharacters) {
  IncidentAnnouncement a = Announcement(IncidentChange::kNoteAdded);
  a.incident.title = "<script>&";
  a.incident.summary = "<!channel> a > b";
  a.note = "see <https://evil.example|here> & more";
  a.actor = "<@U123>";
  const json j = Parse(RenderChatPost(domain::ChatChannelType::kSlack, a));
  const std::string all = SlackText(j);
  EXPECT_NE(all.find("&lt;script&gt;&amp;"), std::string::npos);
  EXPECT_NE(j["text"].get<std::string>().find("&lt;script&gt;&amp;"), std::string::npos);
  EXPECT_EQ(all.find("<script>"), std::string::npos);
  EXPECT_EQ(all.find("<!channel>"), std::string::npos);
  EXPECT_EQ(all.find("<https://evil"), std::string::npos);
  EXPECT_EQ(all.find("<@U123>"), std::string::npos);
  EXPECT_NE(all.find("&lt;!channel&gt; a &gt; b"), std::string::npos);
}

TEST(AnnounceTest, SlackLongNoteStaysWithinSectionLimitWithoutSplittingEntity) {
  IncidentAnnouncement a = Announcement(IncidentChange::kNoteAdded);
  a.note = std::string(1990, '&');
  const json j = Parse(RenderChatPost(domain::ChatChannelType::kSlack, a));
  bool found = false;
  for (const json& block : j["blocks"]) {
    if (!block.contains("text")) continue;
    const std::string text = block["text"]["text"];
    if (text.rfind("*Note*\n", 0) != 0) continue;
    found = true;
    EXPECT_LE(text.size(), 3000u + kEllipsis.size());
    ASSERT_GT(text.size(), 12u);
    EXPECT_EQ(text.substr(text.size() - kEllipsis.size() - 5), "&amp;" + std::string(kEllipsis));
  }
  EXPECT_TRUE(found);
}

TEST(AnnounceTest, TeamsIsAnAdaptiveCardMessage) {
  const IncidentAnnouncement a = Announcement(IncidentChange::kResolved);
  const json j = Parse(RenderChatPost(domain::ChatChannelType::kTeams, a));
  EXPECT_EQ(j["type"], "message");
  ASSERT_TRUE(j["attachments"].is_array());
  ASSERT_EQ(j["attachments"].size(), 1u);
  const json& att = j["attachments"][0];
  EXPECT_EQ(att["contentType"], "application/vnd.microsoft.card.adaptive");
  const json& card = att["content"];
  EXPECT_EQ(card["$schema"], "http://adaptivecards.io/schemas/adaptive-card.json");
  EXPECT_EQ(card["type"], "AdaptiveCard");
  EXPECT_EQ(card["version"], "1.4");
  ASSERT_TRUE(card["body"].is_array());
  ASSERT_FALSE(card["body"].empty());
  for (const json& element : card["body"]) EXPECT_TRUE(element["type"].is_string());
  EXPECT_EQ(card["body"][0]["text"], "Incident resolved");
  ASSERT_EQ(card["actions"].size(), 1u);
  EXPECT_EQ(card["actions"][0]["type"], "Action.OpenUrl");
  EXPECT_EQ(card["actions"][0]["url"], a.incident_url);
  const std::string all = card.dump();
  EXPECT_NE(all.find("Database latency"), std::string::npos);
  EXPECT_NE(all.find("1 Critical"), std::string::npos);
}

TEST(AnnounceTest, MattermostHasMarkdownTextAndUsername) {
  IncidentAnnouncement a = Announcement(IncidentChange::kImpactChanged);
  a.previous_impact = 3;
  const json j = Parse(RenderChatPost(domain::ChatChannelType::kMattermost, a));
  EXPECT_EQ(j["username"], "Tocsin");
  const std::string text = j["text"];
  EXPECT_NE(text.find("Impact changed 3 \xE2\x86\x92 1"), std::string::npos);
  EXPECT_NE(text.find("Database latency"), std::string::npos);
  EXPECT_NE(text.find("**Impact:** 1 Critical"), std::string::npos);
  EXPECT_NE(text.find("[Open incident in Tocsin](" + a.incident_url + ")"), std::string::npos);
}

TEST(AnnounceTest, MattermostAndChimeDefangChannelMentions) {
  IncidentAnnouncement a = Announcement(IncidentChange::kCreated);
  a.incident.title = "@all database down";
  for (auto type : {domain::ChatChannelType::kMattermost, domain::ChatChannelType::kChime}) {
    const std::string text = Parse(RenderChatPost(type, a)).dump();
    EXPECT_EQ(text.find("@all"), std::string::npos);
    EXPECT_NE(text.find("@\xE2\x80\x8B"
                        "all database down"),
              std::string::npos);
  }
}

TEST(AnnounceTest, ChimeIsPlainContent) {
  IncidentAnnouncement a = Announcement(IncidentChange::kNoteAdded);
  a.note = "rolled back the deploy";
  const json j = Parse(RenderChatPost(domain::ChatChannelType::kChime, a));
  ASSERT_EQ(j.size(), 1u);
  const std::string content = j["Content"];
  EXPECT_EQ(content.rfind("Note added: Database latency\n", 0), 0u);
  EXPECT_NE(content.find("Impact: 1 Critical | Status: Open"), std::string::npos);
  EXPECT_NE(content.find("rolled back the deploy"), std::string::npos);
  EXPECT_NE(content.find("By: alice"), std::string::npos);
  EXPECT_NE(content.find(a.incident_url), std::string::npos);
}

TEST(AnnounceTest, ChimeTruncatesOnUtf8Boundary) {
  // Shifting the multi-byte text by 0..3 bytes puts the 4096-byte cut at every
  // position inside a character.
  for (const std::string ch : {"\xE2\x82\xAC", "\xF0\x9F\x94\xA5", "\xC3\xA9"}) {
    for (size_t shift = 0; shift < 4; ++shift) {
      IncidentAnnouncement a = Announcement(IncidentChange::kNoteAdded);
      a.note = std::string(shift, 'x');
      for (int k = 0; k < 1990; ++k) a.note += ch;
      const json j = Parse(RenderChatPost(domain::ChatChannelType::kChime, a));
      const std::string content = j["Content"];
      EXPECT_LE(content.size(), 4096u);
      EXPECT_GE(content.size(), 4096u - 6);
      EXPECT_TRUE(IsUtf8(content));
      EXPECT_EQ(content.find("\xEF\xBF\xBD"), std::string::npos);  // No U+FFFD.
      EXPECT_EQ(content.substr(content.size() - kEllipsis.size()), kEllipsis);
    }
  }
}

TEST(AnnounceTest, SummaryIsCutTo500Characters) {
  IncidentAnnouncement a = Announcement(IncidentChange::kCreated);
  a.incident.summary = std::string(1000, 's');
  const std::string text = Parse(RenderChatPost(domain::ChatChannelType::kMattermost, a))["text"];
  EXPECT_NE(text.find(std::string(499, 's') + std::string(kEllipsis)), std::string::npos);
  EXPECT_EQ(text.find(std::string(500, 's')), std::string::npos);
}

TEST(AnnounceTest, InvalidUtf8StillRendersValidJson) {
  IncidentAnnouncement a = Announcement(IncidentChange::kCreated);
  a.incident.title = "bad \xFF\xC0 bytes";
  a.note = "\xE2\x82";  // Truncated sequence.
  for (auto type : {domain::ChatChannelType::kSlack, domain::ChatChannelType::kTeams,
                    domain::ChatChannelType::kMattermost, domain::ChatChannelType::kChime,
                    domain::ChatChannelType::kWebhook}) {
    const std::string body = RenderChatPost(type, a);
    EXPECT_TRUE(IsUtf8(body));
    EXPECT_NE(Parse(body).dump().find("bad \xEF\xBF\xBD\xEF\xBF\xBD bytes"), std::string::npos);
  }
}

TEST(AnnounceTest, EveryChangeRendersInEveryFormat) {
  for (auto change :
       {IncidentChange::kCreated, IncidentChange::kUpdated, IncidentChange::kImpactChanged,
        IncidentChange::kNoteAdded, IncidentChange::kResolved, IncidentChange::kReopened}) {
    IncidentAnnouncement a = Announcement(change);
    a.incident_url.clear();  // No link: no dangling link markup.
    for (auto type : {domain::ChatChannelType::kSlack, domain::ChatChannelType::kTeams,
                      domain::ChatChannelType::kMattermost, domain::ChatChannelType::kChime}) {
      const json j = Parse(RenderChatPost(type, a));
      EXPECT_EQ(j.dump().find("tocsin.example.com"), std::string::npos);
      if (type == domain::ChatChannelType::kTeams) {
        EXPECT_TRUE(j["attachments"][0]["content"]["actions"].empty());
      }
    }
  }
}

TEST(AnnounceTest, WebhookBodyFields) {
  IncidentAnnouncement a = Announcement(IncidentChange::kResolved);
  a.incident.status = domain::IncidentStatus::kResolved;
  a.incident.resolved_at = At();
  const json j = Parse(RenderWebhookBody(a, "out-42"));
  EXPECT_EQ(j["event"], "incident.resolved");
  EXPECT_EQ(j["id"], "out-42");
  EXPECT_EQ(j["occurredAt"], "2026-03-02T14:00:00Z");
  EXPECT_EQ(j["actor"], "alice");
  EXPECT_FALSE(j.contains("previousImpact"));
  EXPECT_FALSE(j.contains("note"));
  const json& i = j["incident"];
  EXPECT_EQ(i["id"], a.incident.id);
  EXPECT_EQ(i["arn"], a.incident.arn);
  EXPECT_EQ(i["title"], "Database latency");
  EXPECT_EQ(i["summary"], "p99 above 2 s on the primary");
  EXPECT_EQ(i["impact"], 1);
  EXPECT_EQ(i["status"], "RESOLVED");
  EXPECT_EQ(i["responsePlan"], "db-plan");
  EXPECT_EQ(i["dedupeString"], "db-latency");
  EXPECT_EQ(i["createdAt"], "2026-03-02T13:55:00Z");
  EXPECT_EQ(i["resolvedAt"], "2026-03-02T14:00:00Z");
  EXPECT_EQ(i["incidentUrl"], a.incident_url);
}

TEST(AnnounceTest, WebhookBodyOptionalFields) {
  IncidentAnnouncement a = Announcement(IncidentChange::kImpactChanged);
  a.previous_impact = 3;
  json j = Parse(RenderWebhookBody(a, "out-1"));
  EXPECT_EQ(j["event"], "incident.impact_changed");
  EXPECT_EQ(j["previousImpact"], 3);
  EXPECT_TRUE(j["incident"]["resolvedAt"].is_null());

  a = Announcement(IncidentChange::kNoteAdded);
  a.note = std::string(3000, 'n');  // Machines get the whole note.
  j = Parse(RenderWebhookBody(a, "out-2"));
  EXPECT_EQ(j["note"], a.note);
}

TEST(AnnounceTest, GenericChatWebhookIsTheTargetBodyWithoutId) {
  const IncidentAnnouncement a = Announcement(IncidentChange::kCreated);
  const std::string body = RenderChatPost(domain::ChatChannelType::kWebhook, a);
  EXPECT_EQ(body, RenderWebhookBody(a, ""));
  const json j = Parse(body);
  EXPECT_EQ(j["event"], "incident.created");
  EXPECT_FALSE(j.contains("id"));
}

// Computed independently:
//   python3 -c 'import hmac,hashlib; print(hmac.new(b"whsec_5WbX",
//     b"1772460000." + b"{\"event\":\"incident.created\",\"id\":\"d-1\"}",
//     hashlib.sha256).hexdigest())'
constexpr std::string_view kSecret = "whsec_5WbX";
constexpr std::string_view kBody = R"({"event":"incident.created","id":"d-1"})";
constexpr std::string_view kTimestamp = "1772460000";
constexpr std::string_view kSignature =
    "v1=27a0726dd4de0077b6b5d743deb3cd934e4de912555617ecf2315928281434b7";

TEST(WebhookSignatureTest, HeadersMatchKnownVector) {
  const net::Headers h = SignedWebhookHeaders(kSecret, kBody, "d-1", At() + Millis(999));
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h[0], std::make_pair(std::string("Content-Type"), std::string("application/json")));
  EXPECT_EQ(h[1].first, "User-Agent");
  EXPECT_EQ(h[1].second.rfind("Tocsin/", 0), 0u) << h[1].second;
  EXPECT_EQ(h[2], std::make_pair(std::string("Idempotency-Key"), std::string("d-1")));
  EXPECT_EQ(h[3], std::make_pair(std::string("X-Tocsin-Timestamp"), std::string(kTimestamp)));
  EXPECT_EQ(h[4], std::make_pair(std::string("X-Tocsin-Signature"), std::string(kSignature)));
}

TEST(WebhookSignatureTest, NoSecretNoSignature) {
  const net::Headers h = SignedWebhookHeaders("", kBody, "d-1", At());
  for (const auto& [name, value] : h) EXPECT_NE(name, "X-Tocsin-Signature");
  EXPECT_FALSE(VerifyWebhookSignature("", kBody, kTimestamp, kSignature, At()));
}

TEST(WebhookSignatureTest, VerifyAcceptsSignedRequest) {
  EXPECT_TRUE(VerifyWebhookSignature(kSecret, kBody, kTimestamp, kSignature, At()));
  const std::string body = RenderWebhookBody(Announcement(IncidentChange::kCreated), "d-7");
  const TimePoint now = At() + std::chrono::hours(24);
  const net::Headers h = SignedWebhookHeaders("s3cret", body, "d-7", now);
  EXPECT_TRUE(VerifyWebhookSignature("s3cret", body, h[3].second, h[4].second, now));
}

TEST(WebhookSignatureTest, VerifyRejectsTamperingAndWrongSecret) {
  std::string tampered(kBody);
  tampered[2] = 'E';
  EXPECT_FALSE(VerifyWebhookSignature(kSecret, tampered, kTimestamp, kSignature, At()));
  EXPECT_FALSE(
      VerifyWebhookSignature(kSecret, std::string(kBody) + " ", kTimestamp, kSignature, At()));
  EXPECT_FALSE(VerifyWebhookSignature("whsec_5WbY", kBody, kTimestamp, kSignature, At()));
  // The timestamp is signed too: moving it invalidates the signature.
  EXPECT_FALSE(VerifyWebhookSignature(kSecret, kBody, "1772460001", kSignature, At()));
}

TEST(WebhookSignatureTest, VerifyEnforcesReplayWindow) {
  using std::chrono::seconds;
  EXPECT_TRUE(VerifyWebhookSignature(kSecret, kBody, kTimestamp, kSignature, At() + seconds(300)));
  EXPECT_FALSE(VerifyWebhookSignature(kSecret, kBody, kTimestamp, kSignature, At() + seconds(301)));
  EXPECT_TRUE(VerifyWebhookSignature(kSecret, kBody, kTimestamp, kSignature, At() - seconds(300)));
  EXPECT_FALSE(VerifyWebhookSignature(kSecret, kBody, kTimestamp, kSignature, At() - seconds(301)));
  EXPECT_TRUE(VerifyWebhookSignature(kSecret, kBody, kTimestamp, kSignature,
                                     At() + std::chrono::minutes(10), seconds(600)));
  EXPECT_FALSE(VerifyWebhookSignature(kSecret, kBody, kTimestamp, kSignature, At(), seconds(-1)));
}

TEST(WebhookSignatureTest, VerifyRejectsMalformedHeaders) {
  const std::string hex(kSignature.substr(3));
  for (const std::string& sig :
       {std::string(""), std::string("v1="), std::string("v1"), hex, "v0=" + hex, "v2=" + hex,
        "v1=" + hex.substr(2), "v1=" + hex + "00", "v1=" + hex.substr(1) + "g", "v1 =" + hex}) {
    EXPECT_FALSE(VerifyWebhookSignature(kSecret, kBody, kTimestamp, sig, At())) << sig;
  }
  for (const std::string ts : {"", " ", "1772460000.0", "+1772460000", "-1772460000", "1772460000x",
                               "0x69a59860", "99999999999999999999"}) {
    EXPECT_FALSE(VerifyWebhookSignature(kSecret, kBody, ts, kSignature, At())) << ts;
  }
}

TEST(WebhookSignatureTest, VerifyAcceptsAnyMatchingV1Entry) {
  const std::string other = "v1=" + std::string(64, '0');
  EXPECT_TRUE(VerifyWebhookSignature(kSecret, kBody, kTimestamp,
                                     "v0=abc, " + other + " , " + std::string(kSignature), At()));
  EXPECT_FALSE(VerifyWebhookSignature(kSecret, kBody, kTimestamp, other + ",v0=abc", At()));
}

}  // namespace
}  // namespace tocsin::notify
