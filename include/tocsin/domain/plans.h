// Response plans and the resources they reference: notification targets
// (signed webhooks) and chat channels. Value types only; rules live in
// plan_service.h. Not synchronized.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tocsin/domain/resource.h"

namespace tocsin::domain {

struct IncidentTemplate {
  std::string title;          // Required, 1..200.
  int impact = 3;             // Required, 1 (critical) .. 5 (no impact).
  std::string summary;        // 0..8000
  std::string dedupe_string;  // 0..1000; empty: derived from the trigger, else unique.
  std::map<std::string, std::string> incident_tags;  // <= 50
  std::vector<std::string> notification_target_ids;  // <= 10
  bool operator==(const IncidentTemplate&) const = default;
};

// Where a runbook parameter's value comes from when the plan starts it.
enum class DynamicValue { kIncidentId, kInvolvedResources };
const char* DynamicValueName(DynamicValue value);  // "INCIDENT_ID", "INVOLVED_RESOURCES"
std::optional<DynamicValue> ParseDynamicValue(std::string_view text);

struct RunbookAction {
  std::string document_name;     // Runbook name, [a-zA-Z0-9_\-.:/]{3,128}.
  std::string document_version;  // 0..128, empty = default version.
  std::map<std::string, std::vector<std::string>> parameters;  // <= 200 keys.
  std::map<std::string, DynamicValue> dynamic_parameters;      // <= 200 keys.
  bool operator==(const RunbookAction&) const = default;
};

struct ResponsePlan {
  ResourceMeta meta;
  std::string name;          // 1..200, [a-zA-Z0-9_-], unique.
  std::string display_name;  // 0..200
  IncidentTemplate incident_template;
  std::vector<std::string> chat_channel_ids;  // <= 5
  std::vector<std::string> engagement_ids;    // <= 5 contacts of any type.
  std::vector<RunbookAction> actions;         // <= 1 (AWS allows one runbook).
  std::map<std::string, std::string> tags;    // <= 50
};

// A machine endpoint told about incident changes with signed webhooks.
struct NotificationTarget {
  ResourceMeta meta;
  std::string name;    // 1..200, [a-zA-Z0-9_-], unique.
  std::string url;     // http(s) URL.
  std::string secret;  // HMAC key for X-Tocsin-Signature; never returned by the API.
};

enum class ChatChannelType { kSlack, kTeams, kMattermost, kChime, kWebhook };
const char* ChatChannelTypeName(ChatChannelType type);  // "slack", "teams", ...
std::optional<ChatChannelType> ParseChatChannelType(std::string_view text);

struct ChatChannel {
  ResourceMeta meta;
  std::string name;  // 1..200, [a-zA-Z0-9_-], unique.
  ChatChannelType type = ChatChannelType::kWebhook;
  std::string url;  // Incoming-webhook URL.
};

}  // namespace tocsin::domain
