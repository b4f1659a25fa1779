// Wire names of the domain enums.
#include "tocsin/domain/api_key.h"
#include "tocsin/domain/contact.h"
#include "tocsin/domain/incident.h"
#include "tocsin/domain/plans.h"
#include "tocsin/domain/principal.h"

namespace tocsin::domain {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kResponder:
      return "responder";
    case Role::kViewer:
      return "viewer";
    case Role::kIntegration:
      return "integration";
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view text) {
  if (text == "admin") return Role::kAdmin;
  if (text == "responder") return Role::kResponder;
  if (text == "viewer") return Role::kViewer;
  if (text == "integration") return Role::kIntegration;
  return std::nullopt;
}

const char* ContactTypeName(ContactType type) {
  switch (type) {
    case ContactType::kPersonal:
      return "PERSONAL";
    case ContactType::kEscalation:
      return "ESCALATION";
    case ContactType::kOncallSchedule:
      return "ONCALL_SCHEDULE";
  }
  return "PERSONAL";
}

const char* ChannelTypeName(ChannelType type) {
  switch (type) {
    case ChannelType::kEmail:
      return "EMAIL";
    case ChannelType::kSms:
      return "SMS";
    case ChannelType::kVoice:
      return "VOICE";
  }
  return "EMAIL";
}

std::optional<ChannelType> ParseChannelType(std::string_view text) {
  if (text == "EMAIL") return ChannelType::kEmail;
  if (text == "SMS") return ChannelType::kSms;
  if (text == "VOICE") return ChannelType::kVoice;
  return std::nullopt;
}

const char* ActivationStatusName(ActivationStatus status) {
  return status == ActivationStatus::kActivated ? "ACTIVATED" : "NOT_ACTIVATED";
}

const char* DynamicValueName(DynamicValue value) {
  return value == DynamicValue::kIncidentId ? "INCIDENT_ID" : "INVOLVED_RESOURCES";
}

std::optional<DynamicValue> ParseDynamicValue(std::string_view text) {
  if (text == "INCIDENT_ID") return DynamicValue::kIncidentId;
  if (text == "INVOLVED_RESOURCES") return DynamicValue::kInvolvedResources;
  return std::nullopt;
}

const char* ChatChannelTypeName(ChatChannelType type) {
  switch (type) {
    case ChatChannelType::kSlack:
      return "slack";
    case ChatChannelType::kTeams:
      return "teams";
    case ChatChannelType::kMattermost:
      return "mattermost";
    case ChatChannelType::kChime:
      return "chime";
    case ChatChannelType::kWebhook:
      return "webhook";
  }
  return "webhook";
}

std::optional<ChatChannelType> ParseChatChannelType(std::string_view text) {
  if (text == "slack") return ChatChannelType::kSlack;
  if (text == "teams") return ChatChannelType::kTeams;
  if (text == "mattermost") return ChatChannelType::kMattermost;
  if (text == "chime") return ChatChannelType::kChime;
  if (text == "webhook") return ChatChannelType::kWebhook;
  return std::nullopt;
}

const char* IncidentStatusName(IncidentStatus status) {
  return status == IncidentStatus::kOpen ? "OPEN" : "RESOLVED";
}

std::optional<IncidentStatus> ParseIncidentStatus(std::string_view text) {
  if (text == "OPEN") return IncidentStatus::kOpen;
  if (text == "RESOLVED") return IncidentStatus::kResolved;
  return std::nullopt;
}

}  // namespace tocsin::domain
