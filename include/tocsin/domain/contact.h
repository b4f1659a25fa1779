// Contacts (AWS ssm-contacts): people, escalation plans and on-call schedules
// all live in one alias namespace, and contact channels belong to people.
//
// Value types only; rules live in contact_service.h. Not synchronized.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tocsin/core/time.h"
#include "tocsin/domain/resource.h"

namespace tocsin::domain {

enum class ContactType { kPersonal, kEscalation, kOncallSchedule };

const char* ContactTypeName(ContactType type);  // "PERSONAL", "ESCALATION", "ONCALL_SCHEDULE"

// One target of a stage: a channel of this person (personal plans) or a
// contact (escalation plans: a person or an on-call schedule).
struct StageTarget {
  std::string channel_id;          // Personal plans.
  int retry_interval_minutes = 0;  // 0..60; 0 means no retry.
  std::string contact_id;          // Escalation plans.
  bool is_essential = false;       // Escalation plans.
  bool operator==(const StageTarget&) const = default;
};

struct Stage {
  int duration_minutes = 0;  // 0..30; 0 only when the stage has targets.
  std::vector<StageTarget> targets;
  bool operator==(const Stage&) const = default;
};

struct Contact {
  ResourceMeta meta;
  std::string alias;         // 1..255, [a-z0-9_-], unique across all contact types.
  std::string display_name;  // 0..255
  ContactType type = ContactType::kPersonal;
  std::vector<Stage> stages;              // PERSONAL and ESCALATION only.
  int repeat_count = 0;                   // ESCALATION: extra passes over the stages.
  std::vector<std::string> rotation_ids;  // ONCALL_SCHEDULE only, 1..5.
  std::map<std::string, std::string> tags;
};

enum class ChannelType { kEmail, kSms, kVoice };
const char* ChannelTypeName(ChannelType type);  // "EMAIL", "SMS", "VOICE"
std::optional<ChannelType> ParseChannelType(std::string_view text);

enum class ActivationStatus { kNotActivated, kActivated };
const char* ActivationStatusName(ActivationStatus status);

struct Channel {
  ResourceMeta meta;
  std::string contact_id;
  std::string name;  // 1..255
  ChannelType type = ChannelType::kEmail;
  std::string delivery_address;  // Email address or E.164 phone number.
  ActivationStatus activation_status = ActivationStatus::kNotActivated;
};

}  // namespace tocsin::domain
