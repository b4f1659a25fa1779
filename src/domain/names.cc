// Wire names of the domain enums.
#include <utility>

#include "tocsin/domain/api_key.h"
#include "tocsin/domain/contact.h"
#include "tocsin/domain/engagement.h"
#include "tocsin/domain/incident.h"
#include "tocsin/domain/integration.h"
#include "tocsin/domain/outbox.h"
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

namespace {

// Looks `text` up in a table of (enum, name) pairs.
template <typename E, size_t N>
std::optional<E> ParseName(const std::pair<E, const char*> (&table)[N], std::string_view text) {
  for (const auto& [value, name] : table) {
    if (text == name) return value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
const char* NameOf(const std::pair<E, const char*> (&table)[N], E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return table[0].second;
}

constexpr std::pair<EngagementState, const char*> kEngagementStates[] = {
    {EngagementState::kEngaged, "ENGAGED"},
    {EngagementState::kAcknowledged, "ACKNOWLEDGED"},
    {EngagementState::kStopped, "STOPPED"},
    {EngagementState::kUnacknowledged, "UNACKNOWLEDGED"},
};
constexpr std::pair<RunState, const char*> kRunStates[] = {
    {RunState::kActive, "ACTIVE"},
    {RunState::kAcknowledged, "ACKNOWLEDGED"},
    {RunState::kDone, "DONE"},
    {RunState::kStopped, "STOPPED"},
};
constexpr std::pair<PageState, const char*> kPageStates[] = {
    {PageState::kQueued, "QUEUED"},   {PageState::kSending, "SENDING"},
    {PageState::kSent, "SENT"},       {PageState::kFailed, "FAILED"},
    {PageState::kUnknown, "UNKNOWN"}, {PageState::kCancelled, "CANCELLED"},
};
constexpr std::pair<ReceiptType, const char*> kReceiptTypes[] = {
    {ReceiptType::kSent, "SENT"}, {ReceiptType::kDelivered, "DELIVERED"},
    {ReceiptType::kRead, "READ"}, {ReceiptType::kError, "ERROR"},
    {ReceiptType::kStop, "STOP"},
};
constexpr std::pair<OutboxKind, const char*> kOutboxKinds[] = {
    {OutboxKind::kTestPage, "TEST_PAGE"},
    {OutboxKind::kChat, "CHAT"},
    {OutboxKind::kWebhook, "WEBHOOK"},
};
constexpr std::pair<OutboxState, const char*> kOutboxStates[] = {
    {OutboxState::kQueued, "QUEUED"},   {OutboxState::kSending, "SENDING"},
    {OutboxState::kSent, "SENT"},       {OutboxState::kFailed, "FAILED"},
    {OutboxState::kUnknown, "UNKNOWN"},
};
constexpr std::pair<ContactType, const char*> kContactTypes[] = {
    {ContactType::kPersonal, "PERSONAL"},
    {ContactType::kEscalation, "ESCALATION"},
    {ContactType::kOncallSchedule, "ONCALL_SCHEDULE"},
};

}  // namespace

std::optional<ContactType> ParseContactTypeName(std::string_view text) {
  return ParseName(kContactTypes, text);
}
const char* EngagementStateName(EngagementState state) { return NameOf(kEngagementStates, state); }
std::optional<EngagementState> ParseEngagementState(std::string_view text) {
  return ParseName(kEngagementStates, text);
}
const char* RunStateName(RunState state) { return NameOf(kRunStates, state); }
std::optional<RunState> ParseRunState(std::string_view text) { return ParseName(kRunStates, text); }
const char* PageStateName(PageState state) { return NameOf(kPageStates, state); }
std::optional<PageState> ParsePageState(std::string_view text) {
  return ParseName(kPageStates, text);
}
const char* OutboxKindName(OutboxKind kind) { return NameOf(kOutboxKinds, kind); }
std::optional<OutboxKind> ParseOutboxKind(std::string_view text) {
  return ParseName(kOutboxKinds, text);
}
const char* OutboxStateName(OutboxState state) { return NameOf(kOutboxStates, state); }
std::optional<OutboxState> ParseOutboxState(std::string_view text) {
  return ParseName(kOutboxStates, text);
}
const char* ReceiptTypeName(ReceiptType type) { return NameOf(kReceiptTypes, type); }
std::optional<ReceiptType> ParseReceiptType(std::string_view text) {
  return ParseName(kReceiptTypes, text);
}

namespace {

// Enum ⇄ wire name tables for the ingest resources.
constexpr std::pair<IntegrationType, const char*> kIntegrationTypes[] = {
    {IntegrationType::kAlertmanager, "alertmanager"},
    {IntegrationType::kCloudWatch, "cloudwatch"},
    {IntegrationType::kSns, "sns"},
    {IntegrationType::kEventBridge, "eventbridge"},
    {IntegrationType::kSecurityHub, "securityhub"},
    {IntegrationType::kGrafana, "grafana"},
    {IntegrationType::kGeneric, "generic"}};
constexpr std::pair<AlertKey, const char*> kAlertKeys[] = {{AlertKey::kFingerprint, "fingerprint"},
                                                           {AlertKey::kGroupKey, "groupKey"}};
constexpr std::pair<RuleAction, const char*> kRuleActions[] = {
    {RuleAction::kStartIncident, "startIncident"},
    {RuleAction::kResolveIncident, "resolveIncident"},
    {RuleAction::kDrop, "drop"}};

template <typename E, size_t N>
const char* NameIn(const std::pair<E, const char*> (&table)[N], E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return table[0].second;
}

template <typename E, size_t N>
std::optional<E> ParseIn(const std::pair<E, const char*> (&table)[N], std::string_view text) {
  for (const auto& [v, name] : table) {
    if (text == name) return v;
  }
  return std::nullopt;
}

}  // namespace

const char* IntegrationTypeName(IntegrationType type) { return NameIn(kIntegrationTypes, type); }
std::optional<IntegrationType> ParseIntegrationType(std::string_view text) {
  return ParseIn(kIntegrationTypes, text);
}
const char* AlertKeyName(AlertKey key) { return NameIn(kAlertKeys, key); }
std::optional<AlertKey> ParseAlertKey(std::string_view text) { return ParseIn(kAlertKeys, text); }
const char* RuleActionName(RuleAction action) { return NameIn(kRuleActions, action); }
std::optional<RuleAction> ParseRuleAction(std::string_view text) {
  return ParseIn(kRuleActions, text);
}

}  // namespace tocsin::domain
