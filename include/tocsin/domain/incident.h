// Incidents (AWS ssm-incidents incident records) and their related items.
// Value types only; rules live in incident_service.h. Not synchronized.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tocsin/core/time.h"

namespace tocsin::domain {

enum class IncidentStatus { kOpen, kResolved };
const char* IncidentStatusName(IncidentStatus status);  // "OPEN", "RESOLVED"
std::optional<IncidentStatus> ParseIncidentStatus(std::string_view text);

// What raised the incident (an alarm, an event, a script).
struct TriggerDetails {
  std::string source;       // 1..50, e.g. "aws.cloudwatch" or "com.example.monitor".
  TimePoint timestamp{};    // When the trigger detected the problem.
  std::string trigger_arn;  // 0..1000, the alarm or rule that fired.
  std::string raw_data;     // 0..10000, the raw event.
  bool operator==(const TriggerDetails&) const = default;
};

// The nine AWS related-item types.
inline constexpr const char* kRelatedItemTypes[] = {"ANALYSIS",   "INCIDENT",          "METRIC",
                                                    "PARENT",     "ATTACHMENT",        "OTHER",
                                                    "AUTOMATION", "INVOLVED_RESOURCE", "TASK"};

struct RelatedItem {
  std::string id;          // Server-assigned "related-item/<TYPE>/<32 hex>".
  std::string type;        // One of kRelatedItemTypes.
  std::string value_kind;  // "arn", "url" or "metricDefinition".
  std::string value;       // arn/url <= 1000, metricDefinition <= 4000.
  std::string title;       // 0..200
  TimePoint created_at{};
  std::string created_by;
};

struct Incident {
  std::string id;   // UUID.
  std::string arn;  // arn:aws:ssm-incidents::<account>:incident-record/<plan>/<id>
  int64_t version = 0;
  std::string response_plan_id;
  std::string response_plan_name;
  std::string title;    // 1..200
  std::string summary;  // 0..8000
  int impact = 3;       // 1 critical .. 5 no impact
  IncidentStatus status = IncidentStatus::kOpen;
  std::string dedupe_string;  // 1..1000; unique among OPEN incidents.
  TimePoint created_at{};
  TimePoint updated_at{};
  std::optional<TimePoint> resolved_at;
  std::string created_by;  // Principal id.
  std::string updated_by;
  std::string source;        // Trigger source, or "tocsin.api" for API starts.
  std::string resource_arn;  // The trigger's ARN, if any.
  std::map<std::string, std::string> tags;
  std::vector<std::string> chat_channel_ids;
  std::vector<std::string> notification_target_ids;
  std::optional<TriggerDetails> trigger;
};

}  // namespace tocsin::domain
