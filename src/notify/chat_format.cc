#include <string>
#include <string_view>
#include <utility>

#include "tocsin/codec/json_reader.h"
#include "tocsin/core/json_text.h"
#include "tocsin/notify/announce.h"

namespace tocsin::notify {
namespace {

using codec::Json;

// Lengths in characters (code points), chosen to keep every product's
// per-field limit: Slack's section text is capped at 3000 characters and a
// section field at 2000.
constexpr size_t kMaxTitleChars = 200;
constexpr size_t kMaxLineChars = 200;  // Actor, response plan.
constexpr size_t kMaxSummaryChars = 500;
constexpr size_t kMaxNoteChars = 2000;
constexpr size_t kSlackSectionChars = 3000;
// Chime documents 4096 characters; counting bytes is never more.
constexpr size_t kChimeContentBytes = 4096;

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";         // U+2026
constexpr std::string_view kZeroWidthSpace = "\xE2\x80\x8B";   // U+200B
constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kRightArrow = " \xE2\x86\x92 ";     // " → "

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Every later step counts and cuts characters, which is only exact on valid
// UTF-8; incident text comes from alarms and may not be.
std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s.substr(i));
    if (n == 0) {
      out += kReplacementChar;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

size_t CountChars(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if (!IsContinuation(c)) ++n;
  }
  return n;
}

// Returns the byte length of the first `chars` characters of `s`.
size_t PrefixBytes(std::string_view s, size_t chars) {
  size_t i = 0;
  for (size_t seen = 0; i < s.size(); ++i) {
    if (!IsContinuation(s[i]) && seen++ == chars) break;
  }
  return i;
}

// Returns valid UTF-8 `s`, or its first max_chars - 1 characters and "…".
std::string CutChars(std::string_view s, size_t max_chars) {
  if (CountChars(s) <= max_chars) return std::string(s);
  std::string out(s.substr(0, PrefixBytes(s, max_chars - 1)));
  out += kEllipsis;
  return out;
}

// Returns valid UTF-8 `s` in at most `max_bytes` bytes, cut on a character
// boundary and ended with "…" when cut.
std::string CutBytes(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t end = max_bytes - kEllipsis.size();
  while (end > 0 && IsContinuation(s[end])) --end;
  std::string out(s.substr(0, end));
  out += kEllipsis;
  return out;
}

// Title, actor and plan are shown on one line.
std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return s;
}

// Keeps "@all", "@channel", "@here" and the like in incident text from
// notifying a whole channel (Mattermost, Chime) without changing how it reads.
std::string Defang(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    out += c;
    if (c == '@') out += kZeroWidthSpace;
  }
  return out;
}

// Slack requires &, < and > in message text to be escaped as HTML entities;
// unescaped, "<!channel>" or "<https://evil|ok>" in a title would be markup.
std::string SlackEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Returns SlackEscape(s) in at most `max_chars` characters, never cutting an
// entity in half.
std::string SlackEscapeCut(std::string_view s, size_t max_chars) {
  std::string escaped = SlackEscape(s);
  if (CountChars(escaped) <= max_chars) return escaped;
  escaped.resize(PrefixBytes(escaped, max_chars - 1));
  // Every '&' in escaped text starts an entity.
  const size_t amp = escaped.rfind('&');
  if (amp != std::string::npos && escaped.find(';', amp) == std::string::npos) {
    escaped.resize(amp);
  }
  escaped += kEllipsis;
  return escaped;
}

// Percent-encodes the characters that would end a link early in Slack's
// <url|label> or a markdown (url); the dashboard link is built from
// configuration and ids, so this is defensive.
std::string LinkSafeUrl(std::string_view url) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : url) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7F || c == '|' || c == '<' || c == '>' || c == '(' || c == ')' ||
        c == '"' || c == '`' || c == '\\') {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0x0F];
    } else {
      out += c;
    }
  }
  return out;
}

std::string ImpactLabel(int impact) {
  static constexpr const char* kLabels[] = {"Critical", "High", "Medium", "Low", "No impact"};
  if (impact < 1 || impact > 5) return std::to_string(impact);
  return std::to_string(impact) + " " + kLabels[impact - 1];
}

// The announcement's fields as every format shows them: valid UTF-8, cut to
// their limits, not yet escaped for any product.
struct View {
  std::string headline;  // "Incident started", "Impact changed 3 → 1", ...
  std::string title;
  std::string impact;  // "1 Critical"
  std::string status;  // "Open" / "Resolved"
  std::string plan;    // Response plan display name; may be empty.
  std::string summary;
  std::string note;
  std::string actor;
  std::string url;
  const char* emoji = "";  // Slack / Mattermost shortcode.
  const char* teams_color = "Default";
};

View MakeView(const IncidentAnnouncement& a) {
  const domain::Incident& i = a.incident;
  View v;
  switch (a.change) {
    case IncidentChange::kCreated:
      v.headline = "Incident started";
      v.emoji = ":rotating_light:";
      v.teams_color = "Attention";
      break;
    case IncidentChange::kUpdated:
      v.headline = "Incident updated";
      v.emoji = ":pencil2:";
      v.teams_color = "Default";
      break;
    case IncidentChange::kImpactChanged:
      v.headline = a.previous_impact ? "Impact changed " + std::to_string(*a.previous_impact) +
                                           std::string(kRightArrow) + std::to_string(i.impact)
                                     : "Impact changed to " + std::to_string(i.impact);
      v.emoji = ":warning:";
      v.teams_color = "Warning";
      break;
    case IncidentChange::kNoteAdded:
      v.headline = "Note added";
      v.emoji = ":memo:";
      v.teams_color = "Default";
      break;
    case IncidentChange::kResolved:
      v.headline = "Incident resolved";
      v.emoji = ":white_check_mark:";
      v.teams_color = "Good";
      break;
    case IncidentChange::kReopened:
      v.headline = "Incident reopened";
      v.emoji = ":rotating_light:";
      v.teams_color = "Attention";
      break;
  }
  v.title = CutChars(OneLine(ValidUtf8(i.title)), kMaxTitleChars);
  v.impact = ImpactLabel(i.impact);
  v.status = i.status == domain::IncidentStatus::kResolved ? "Resolved" : "Open";
  v.plan = CutChars(OneLine(ValidUtf8(i.response_plan_name)), kMaxLineChars);
  v.summary = CutChars(ValidUtf8(i.summary), kMaxSummaryChars);
  v.note = CutChars(ValidUtf8(a.note), kMaxNoteChars);
  v.actor = CutChars(OneLine(ValidUtf8(a.actor)), kMaxLineChars);
  v.url = LinkSafeUrl(ValidUtf8(a.incident_url));
  return v;
}

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

Json SlackMrkdwn(std::string text) { return {{"type", "mrkdwn"}, {"text", std::move(text)}}; }

Json SlackSection(std::string text) {
  return {{"type", "section"}, {"text", SlackMrkdwn(std::move(text))}};
}

std::string RenderSlack(const View& v) {
  Json blocks = Json::array();
  blocks.push_back(
      SlackSection(std::string(v.emoji) + " *" + v.headline + "*\n" + SlackEscape(v.title)));
  Json fields = Json::array();
  fields.push_back(SlackMrkdwn("*Impact*\n" + v.impact));
  fields.push_back(SlackMrkdwn("*Status*\n" + v.status));
  if (!v.plan.empty()) fields.push_back(SlackMrkdwn("*Response plan*\n" + SlackEscape(v.plan)));
  if (!v.actor.empty()) fields.push_back(SlackMrkdwn("*By*\n" + SlackEscape(v.actor)));
  blocks.push_back({{"type", "section"}, {"fields", std::move(fields)}});
  if (!v.summary.empty()) blocks.push_back(SlackSection(SlackEscape(v.summary)));
  if (!v.note.empty()) {
    const std::string label = "*Note*\n";
    blocks.push_back(
        SlackSection(label + SlackEscapeCut(v.note, kSlackSectionChars - label.size())));
  }
  if (!v.url.empty()) {
    Json elements = Json::array();
    elements.push_back(SlackMrkdwn("<" + SlackEscape(v.url) + "|Open incident in Tocsin>"));
    blocks.push_back({{"type", "context"}, {"elements", std::move(elements)}});
  }
  // The top-level text is what notifications and screen readers show.
  std::string fallback = v.headline + ": " + SlackEscape(v.title) + " (impact " + v.impact + ")";
  if (!v.url.empty()) fallback += " <" + SlackEscape(v.url) + ">";
  Json j;
  j["text"] = std::move(fallback);
  j["blocks"] = std::move(blocks);
  return Dump(j);
}

Json TeamsText(std::string text) {
  return {{"type", "TextBlock"}, {"text", std::move(text)}, {"wrap", true}};
}

std::string RenderTeams(const View& v) {
  Json body = Json::array();
  Json headline = TeamsText(v.headline);
  headline["weight"] = "Bolder";
  headline["color"] = v.teams_color;
  body.push_back(std::move(headline));
  Json title = TeamsText(v.title);
  title["size"] = "Large";
  title["weight"] = "Bolder";
  body.push_back(std::move(title));
  Json facts = Json::array();
  facts.push_back({{"title", "Impact"}, {"value", v.impact}});
  facts.push_back({{"title", "Status"}, {"value", v.status}});
  if (!v.plan.empty()) facts.push_back({{"title", "Response plan"}, {"value", v.plan}});
  if (!v.actor.empty()) facts.push_back({{"title", "By"}, {"value", v.actor}});
  body.push_back({{"type", "FactSet"}, {"facts", std::move(facts)}});
  if (!v.summary.empty()) body.push_back(TeamsText(v.summary));
  if (!v.note.empty()) {
    Json label = TeamsText("Note");
    label["weight"] = "Bolder";
    body.push_back(std::move(label));
    body.push_back(TeamsText(v.note));
  }
  Json actions = Json::array();
  if (!v.url.empty()) {
    actions.push_back({{"type", "Action.OpenUrl"}, {"title", "Open incident"}, {"url", v.url}});
  }
  Json card;
  card["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json";
  card["type"] = "AdaptiveCard";
  card["version"] = "1.4";
  card["body"] = std::move(body);
  card["actions"] = std::move(actions);
  Json attachment;
  attachment["contentType"] = "application/vnd.microsoft.card.adaptive";
  attachment["contentUrl"] = nullptr;
  attachment["content"] = std::move(card);
  Json j;
  j["type"] = "message";
  j["attachments"] = Json::array({std::move(attachment)});
  return Dump(j);
}

// "Impact: 1 Critical | Status: Open | ..." with `bold` around the labels.
std::string FactLine(const View& v, std::string_view bold) {
  const auto fact = [&](std::string_view label, std::string_view value) {
    return std::string(bold) + std::string(label) + ":" + std::string(bold) + " " +
           std::string(value);
  };
  std::string line = fact("Impact", v.impact) + " | " + fact("Status", v.status);
  if (!v.plan.empty()) line += " | " + fact("Response plan", Defang(v.plan));
  if (!v.actor.empty()) line += " | " + fact("By", Defang(v.actor));
  return line;
}

std::string RenderMattermost(const View& v) {
  std::string text =
      "#### " + std::string(v.emoji) + " " + v.headline + ": " + Defang(v.title) + "\n";
  text += FactLine(v, "**") + "\n";
  if (!v.summary.empty()) text += "\n" + Defang(v.summary) + "\n";
  if (!v.note.empty()) {
    text += "\n**Note:**\n";
    // A blockquote keeps a multi-line note together.
    std::string_view rest = v.note;
    while (true) {
      const size_t nl = rest.find('\n');
      text += "> " + Defang(rest.substr(0, nl)) + "\n";
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
  }
  if (!v.url.empty()) text += "\n[Open incident in Tocsin](" + v.url + ")";
  Json j;
  j["text"] = std::move(text);
  j["username"] = "Tocsin";
  return Dump(j);
}

std::string RenderChime(const View& v) {
  std::string text = v.headline + ": " + Defang(v.title) + "\n" + FactLine(v, "") + "\n";
  if (!v.summary.empty()) text += "\n" + Defang(v.summary) + "\n";
  if (!v.note.empty()) text += "\nNote:\n" + Defang(v.note) + "\n";
  if (!v.url.empty()) text += "\n" + v.url;
  Json j;
  j["Content"] = CutBytes(text, kChimeContentBytes);
  return Dump(j);
}

}  // namespace

std::string RenderChatPost(domain::ChatChannelType type, const IncidentAnnouncement& a) {
  switch (type) {
    case domain::ChatChannelType::kSlack:
      return RenderSlack(MakeView(a));
    case domain::ChatChannelType::kTeams:
      return RenderTeams(MakeView(a));
    case domain::ChatChannelType::kMattermost:
      return RenderMattermost(MakeView(a));
    case domain::ChatChannelType::kChime:
      return RenderChime(MakeView(a));
    case domain::ChatChannelType::kWebhook:
      break;
  }
  return RenderWebhookBody(a, "");
}

}  // namespace tocsin::notify
