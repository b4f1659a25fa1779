// The AWS family: EventBridge events (CloudWatch alarms and any other source),
// PutEvents bodies, SNS HTTP(S) and Lambda deliveries, raw CloudWatch alarm
// messages. Security Hub and GuardDuty events go to normalize_findings.cc.

#include <cmath>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/normalize_internal.h"
#include "tocsin/core/ids.h"

namespace tocsin::ingest {
namespace {

constexpr size_t kMaxArnItems = 10;

constexpr std::string_view kAlarmDetailType = "CloudWatch Alarm State Change";

// The long region names CloudWatch writes into SNS alarm messages ("Region"),
// current and former spellings.
struct RegionName {
  std::string_view name;
  std::string_view code;
};
constexpr RegionName kRegionNames[] = {
    {"US East (N. Virginia)", "us-east-1"},
    {"US East (Ohio)", "us-east-2"},
    {"US West (N. California)", "us-west-1"},
    {"US West (Oregon)", "us-west-2"},
    {"Africa (Cape Town)", "af-south-1"},
    {"Asia Pacific (Hong Kong)", "ap-east-1"},
    {"Asia Pacific (Taipei)", "ap-east-2"},
    {"Asia Pacific (Mumbai)", "ap-south-1"},
    {"Asia Pacific (Hyderabad)", "ap-south-2"},
    {"Asia Pacific (Tokyo)", "ap-northeast-1"},
    {"Asia Pacific (Seoul)", "ap-northeast-2"},
    {"Asia Pacific (Osaka)", "ap-northeast-3"},
    {"Asia Pacific (Singapore)", "ap-southeast-1"},
    {"Asia Pacific (Sydney)", "ap-southeast-2"},
    {"Asia Pacific (Jakarta)", "ap-southeast-3"},
    {"Asia Pacific (Melbourne)", "ap-southeast-4"},
    {"Asia Pacific (Malaysia)", "ap-southeast-5"},
    {"Asia Pacific (Thailand)", "ap-southeast-7"},
    {"Canada (Central)", "ca-central-1"},
    {"Canada West (Calgary)", "ca-west-1"},
    {"Europe (Frankfurt)", "eu-central-1"},
    {"EU (Frankfurt)", "eu-central-1"},
    {"Europe (Zurich)", "eu-central-2"},
    {"Europe (Ireland)", "eu-west-1"},
    {"EU (Ireland)", "eu-west-1"},
    {"Europe (London)", "eu-west-2"},
    {"EU (London)", "eu-west-2"},
    {"Europe (Paris)", "eu-west-3"},
    {"EU (Paris)", "eu-west-3"},
    {"Europe (Milan)", "eu-south-1"},
    {"EU (Milan)", "eu-south-1"},
    {"Europe (Spain)", "eu-south-2"},
    {"Europe (Stockholm)", "eu-north-1"},
    {"EU (Stockholm)", "eu-north-1"},
    {"Israel (Tel Aviv)", "il-central-1"},
    {"Mexico (Central)", "mx-central-1"},
    {"Middle East (Bahrain)", "me-south-1"},
    {"Middle East (UAE)", "me-central-1"},
    {"South America (Sao Paulo)", "sa-east-1"},
    {"South America (S\xC3\xA3o Paulo)", "sa-east-1"},
    {"AWS GovCloud (US-East)", "us-gov-east-1"},
    {"AWS GovCloud (US-West)", "us-gov-west-1"},
    {"AWS GovCloud (US)", "us-gov-west-1"},
    {"China (Beijing)", "cn-north-1"},
    {"China (Ningxia)", "cn-northwest-1"},
};

std::string RegionCode(std::string_view long_name) {
  for (const auto& region : kRegionNames) {
    if (region.name == long_name) return std::string(region.code);
  }
  return std::string();
}

std::string FirstNonEmpty(std::initializer_list<std::string> values) {
  for (const auto& value : values) {
    if (!value.empty()) return value;
  }
  return std::string();
}

// The resources of an event that are strings.
std::vector<std::string> ResourcesOf(const Json& event) {
  std::vector<std::string> out;
  if (const Json* resources = Member(event, "resources"); resources && resources->is_array()) {
    for (const Json& resource : *resources) {
      if (resource.is_string()) out.push_back(resource.get<std::string>());
    }
  }
  return out;
}

void AddResourceItems(Signal& signal, const std::vector<std::string>& resources) {
  for (const auto& arn : resources) {
    if (signal.related_items.size() >= kMaxArnItems) break;
    AddArnItem(signal, arn);
  }
}

// --- CloudWatch alarms ------------------------------------------------------------

// SNS spells statistics in upper snake case; EventBridge as CloudWatch's API does.
std::string StatName(std::string_view sns_stat) {
  if (sns_stat == "AVERAGE") return "Average";
  if (sns_stat == "SUM") return "Sum";
  if (sns_stat == "MINIMUM") return "Minimum";
  if (sns_stat == "MAXIMUM") return "Maximum";
  if (sns_stat == "SAMPLE_COUNT") return "SampleCount";
  return std::string(sns_stat);
}

// [{"name": n, "value": v}, ...] (either case) → {n: v, ...}.
Json DimensionMap(const Json* dimensions) {
  Json out = Json::object();
  if (dimensions == nullptr || !dimensions->is_array()) return out;
  for (const Json& dimension : *dimensions) {
    std::string name = FirstNonEmpty({StringAt(dimension, "name"), StringAt(dimension, "Name")});
    const Json* value = Member(dimension, "value");
    if (value == nullptr) value = Member(dimension, "Value");
    if (!name.empty() && value != nullptr) out[name] = *value;
  }
  return out;
}

// The EventBridge "configuration.metrics" form of an SNS alarm's Trigger.
Json MetricsOf(const Json& trigger) {
  Json metrics = Json::array();
  if (const std::string name = StringAt(trigger, "MetricName"); !name.empty()) {
    Json stat = {{"metric",
                  {{"name", name},
                   {"namespace", StringAt(trigger, "Namespace")},
                   {"dimensions", DimensionMap(Member(trigger, "Dimensions"))}}}};
    if (const Json* period = Member(trigger, "Period")) stat["period"] = *period;
    const std::string statistic = StringAt(trigger, "Statistic");
    stat["stat"] = statistic.empty() ? StringAt(trigger, "ExtendedStatistic") : StatName(statistic);
    metrics.push_back({{"id", "m1"}, {"metricStat", std::move(stat)}, {"returnData", true}});
    return metrics;
  }
  const Json* queries = Member(trigger, "Metrics");
  if (queries == nullptr || !queries->is_array()) return metrics;
  for (const Json& query : *queries) {
    Json metric = Json::object();
    metric["id"] = StringAt(query, "Id");
    if (const std::string expression = StringAt(query, "Expression"); !expression.empty()) {
      metric["expression"] = expression;
    }
    if (const std::string label = StringAt(query, "Label"); !label.empty()) metric["label"] = label;
    if (const Json* stat = Member(query, "MetricStat"); stat != nullptr && stat->is_object()) {
      const Json& m = ObjectAt(*stat, "Metric");
      Json out = {{"metric",
                   {{"name", StringAt(m, "MetricName")},
                    {"namespace", StringAt(m, "Namespace")},
                    {"dimensions", DimensionMap(Member(m, "Dimensions"))}}}};
      if (const Json* period = Member(*stat, "Period")) out["period"] = *period;
      out["stat"] = StringAt(*stat, "Stat");
      metric["metricStat"] = std::move(out);
    }
    const Json* returns = Member(query, "ReturnData");
    metric["returnData"] =
        returns != nullptr && returns->is_boolean() ? returns->get<bool>() : true;
    metrics.push_back(std::move(metric));
  }
  return metrics;
}

// Converts an SNS alarm message (PascalCase, `sns` its envelope, possibly
// empty for raw delivery) to the "CloudWatch Alarm State Change" event
// EventBridge would have delivered, so rules match either route alike.
Json AlarmEventFromMessage(const NormalizeContext& context, const Json& message, const Json& sns) {
  const std::string arn = StringAt(message, "AlarmArn");
  Json detail = Json::object();
  detail["alarmName"] = StringAt(message, "AlarmName");
  detail["state"] = {{"value", StringAt(message, "NewStateValue")},
                     {"reason", StringAt(message, "NewStateReason")},
                     {"timestamp", StringAt(message, "StateChangeTime")}};
  detail["previousState"] = {{"value", StringAt(message, "OldStateValue")}};
  Json configuration = Json::object();
  if (const std::string description = StringAt(message, "AlarmDescription"); !description.empty()) {
    configuration["description"] = description;
  }
  if (const std::string rule = StringAt(message, "AlarmRule"); !rule.empty()) {
    configuration["alarmRule"] = rule;
  }
  if (Json metrics = MetricsOf(ObjectAt(message, "Trigger")); !metrics.empty()) {
    configuration["metrics"] = std::move(metrics);
  }
  detail["configuration"] = std::move(configuration);

  const auto at = TimeAt(message, "StateChangeTime");
  Json event = Json::object();
  event["version"] = "0";
  event["id"] = FirstNonEmpty({StringAt(sns, "MessageId"), NewUuid()});
  event["detail-type"] = kAlarmDetailType;
  event["source"] = "aws.cloudwatch";
  event["account"] =
      FirstNonEmpty({StringAt(message, "AWSAccountId"), ArnPart(arn, 4), context.account_id});
  event["time"] = FormatRfc3339(at ? *at : TimeAt(sns, "Timestamp").value_or(context.now));
  event["region"] =
      FirstNonEmpty({RegionCode(StringAt(message, "Region")), ArnPart(arn, 3), context.region});
  event["resources"] = arn.empty() ? Json::array() : Json::array({arn});
  event["detail"] = std::move(detail);
  return event;
}

bool IsAlarmMessage(const Json& value) {
  return Member(value, "AlarmName") != nullptr && Member(value, "NewStateValue") != nullptr;
}

Status AddAlarmEvent(const NormalizeContext& context, Json event, const std::string& path,
                     const std::string& raw, Batch& batch) {
  const std::string detail_path = FieldPath(path, "detail");
  const Json& detail = ObjectAt(event, "detail");
  const Json& state = ObjectAt(detail, "state");
  const Json* value = Member(state, "value");
  const std::string value_path = FieldPath(FieldPath(detail_path, "state"), "value");
  if (value == nullptr) return FieldError(value_path, "is required");
  Signal signal;
  if (*value == "ALARM") {
    signal.action = SignalAction::kTrigger;
  } else if (*value == "OK") {
    signal.action = SignalAction::kResolve;
  } else if (*value == "INSUFFICIENT_DATA") {
    signal.action = SignalAction::kAnnotate;
  } else {
    return FieldError(value_path, "must be one of ALARM, OK, INSUFFICIENT_DATA");
  }

  const std::string name = StringAt(detail, "alarmName");
  const std::vector<std::string> resources = ResourcesOf(event);
  std::string arn = resources.empty() ? std::string() : resources.front();
  if (arn.empty()) {
    if (name.empty()) return FieldError(FieldPath(detail_path, "alarmName"), "is required");
    // What CloudWatch would have put in resources[0].
    arn = "arn:aws:cloudwatch:" + FirstNonEmpty({StringAt(event, "region"), context.region}) + ":" +
          FirstNonEmpty({StringAt(event, "account"), context.account_id}) + ":alarm:" + name;
  }
  signal.key = arn;
  if (arn.size() <= kMaxArn) signal.trigger.trigger_arn = arn;
  AddArnItem(signal, arn);
  AddResourceItems(signal, resources);

  const std::string description = StringAt(ObjectAt(detail, "configuration"), "description");
  signal.title = OneLine(description.empty() ? name : name + ": " + description, kMaxTitle, arn);
  std::string reason = StringAt(state, "reason");
  if (reason.empty()) reason = "The alarm state is " + value->get<std::string>() + ".";
  signal.summary = TruncateUtf8(reason, kMaxSummary, /*ellipsis=*/true);

  signal.trigger.source = "aws.cloudwatch";
  signal.trigger.raw_data = TruncateUtf8(raw.empty() ? DumpJson(event) : raw, kMaxRawData);
  signal.trigger.timestamp = TimeAt(state, "timestamp").value_or(EnvelopeTimeOf(context, event));
  CompleteEnvelope(context, event);
  signal.envelope = std::move(event);
  batch.signals.push_back(std::move(signal));
  return Status::Ok();
}

// --- Any other EventBridge event ----------------------------------------------------

Status AddGenericEvent(const NormalizeContext& context, Json event, const std::string& raw,
                       Batch& batch) {
  Signal signal;
  signal.action = SignalAction::kTrigger;
  signal.trigger.raw_data = TruncateUtf8(raw.empty() ? DumpJson(event) : raw, kMaxRawData);
  // Before CompleteEnvelope cuts "time" to whole seconds.
  signal.trigger.timestamp = EnvelopeTimeOf(context, event);
  CompleteEnvelope(context, event);
  // Each event is its own incident unless a plan or rule dedupes it.
  signal.key = StringAt(event, "id");
  const std::string detail_type = StringAt(event, "detail-type");
  const std::string source = StringAt(event, "source");
  const std::vector<std::string> resources = ResourcesOf(event);
  signal.title = OneLine(resources.empty() ? detail_type : detail_type + ": " + resources.front(),
                         kMaxTitle, source);
  AddResourceItems(signal, resources);

  std::string text = detail_type + " from " + source + " (account " + StringAt(event, "account") +
                     ", region " + StringAt(event, "region") + ")";
  if (!resources.empty()) {
    text += "\nResources:";
    for (const auto& resource : resources) text += " " + resource;
  }
  text += "\nDetail: " + DumpJson(event["detail"]);
  signal.summary = TruncateUtf8(text, kMaxSummary, /*ellipsis=*/true);

  signal.trigger.source = TriggerSource(source);
  signal.envelope = std::move(event);
  batch.signals.push_back(std::move(signal));
  return Status::Ok();
}

// --- SNS ------------------------------------------------------------------------

// An SNS Notification whose Message is neither an alarm nor an event: text,
// or JSON of some other shape.
void AddSnsText(const NormalizeContext& context, const Json& sns, Json message, Batch& batch) {
  const std::string topic = StringAt(sns, "TopicArn");
  const std::string subject = StringAt(sns, "Subject");
  const std::string text = StringAt(sns, "Message");
  const std::string first_line = message.is_string() ? FirstLine(text) : std::string();
  const std::string topic_name = ArnPart(topic, 5);

  Signal signal;
  signal.action = SignalAction::kTrigger;
  // Repeats of the same notification (same topic and subject) dedupe.
  const std::string headline = OneLine(subject.empty() ? first_line : subject, kMaxTitle);
  signal.key = headline.empty() ? topic : topic + "/" + headline;
  signal.title = OneLine(headline, kMaxTitle,
                         "SNS notification from " + (topic_name.empty() ? topic : topic_name));
  signal.summary = TruncateUtf8(text, kMaxSummary, /*ellipsis=*/true);
  signal.trigger.source = "aws.sns";
  if (topic.size() <= kMaxArn) signal.trigger.trigger_arn = topic;
  signal.trigger.raw_data = TruncateUtf8(DumpJson(sns), kMaxRawData);
  signal.trigger.timestamp = TimeAt(sns, "Timestamp").value_or(context.now);

  Json detail = {{"type", "Notification"},
                 {"messageId", StringAt(sns, "MessageId")},
                 {"topicArn", topic},
                 {"subject", subject},
                 {"message", std::move(message)},
                 {"timestamp", StringAt(sns, "Timestamp")}};
  if (const Json* attributes = Member(sns, "MessageAttributes")) {
    detail["messageAttributes"] = *attributes;
  }
  Json envelope = NewEnvelope(context, "aws.sns", "SNS Notification", signal.trigger.timestamp,
                              std::move(detail));
  if (const std::string id = StringAt(sns, "MessageId"); !id.empty()) envelope["id"] = id;
  if (IsAwsArn(topic)) {
    if (const std::string account = ArnPart(topic, 4); !account.empty()) {
      envelope["account"] = account;
    }
    if (const std::string region = ArnPart(topic, 3); !region.empty()) envelope["region"] = region;
    envelope["resources"] = Json::array({topic});
  }
  signal.envelope = std::move(envelope);
  batch.signals.push_back(std::move(signal));
}

Status AddSnsMessage(const NormalizeContext& context, const Json& sns, const std::string& path,
                     Batch& batch) {
  if (!sns.is_object()) return FieldError(path, "must be an object");
  const Json* type = Member(sns, "Type");
  const std::string type_path = FieldPath(path, "Type");
  if (type == nullptr) return FieldError(type_path, "is required");
  if (*type == "SubscriptionConfirmation" || *type == "UnsubscribeConfirmation") {
    SnsControl control;
    control.type = type->get<std::string>();
    control.topic_arn = StringAt(sns, "TopicArn");
    control.subscribe_url = StringAt(sns, "SubscribeURL");
    control.message_id = StringAt(sns, "MessageId");
    if (control.type == "SubscriptionConfirmation" && control.subscribe_url.empty()) {
      return FieldError(FieldPath(path, "SubscribeURL"), "is required");
    }
    batch.sns = std::move(control);
    return Status::Ok();
  }
  if (*type != "Notification") {
    return FieldError(type_path,
                      "must be one of Notification, SubscriptionConfirmation, "
                      "UnsubscribeConfirmation");
  }
  const Json* message = Member(sns, "Message");
  const std::string message_path = FieldPath(path, "Message");
  if (message == nullptr) return FieldError(message_path, "is required");
  if (!message->is_string()) return FieldError(message_path, "must be a string");
  const Json* topic = Member(sns, "TopicArn");
  if (topic == nullptr || !topic->is_string() || topic->get_ref<const std::string&>().empty()) {
    return FieldError(FieldPath(path, "TopicArn"), "is required");
  }

  const std::string& text = message->get_ref<const std::string&>();
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start != std::string::npos && (text[start] == '{' || text[start] == '[')) {
    auto parsed = ParseJsonText(text);
    if (parsed.ok()) {
      if (IsAlarmMessage(*parsed)) {
        return AddAlarmEvent(context, AlarmEventFromMessage(context, *parsed, sns), message_path,
                             DumpJson(sns), batch);
      }
      if (Member(*parsed, "detail-type") != nullptr) {
        return AddEventBridgeEvent(context, std::move(*parsed), message_path, "", batch);
      }
      AddSnsText(context, sns, std::move(*parsed), batch);
      return Status::Ok();
    }
  }
  AddSnsText(context, sns, *message, batch);
  return Status::Ok();
}

// --- PutEvents ------------------------------------------------------------------

Result<TimePoint> EntryTime(const NormalizeContext& context, const Json& entry,
                            const std::string& path) {
  const Json* time = Member(entry, "Time");
  if (time == nullptr) return context.now;
  if (time->is_string()) {
    if (auto t = ParseEventTime(time->get_ref<const std::string&>())) return *t;
  } else if (time->is_number()) {
    // The AWS JSON protocol sends timestamps as epoch seconds.
    const double seconds = time->get<double>();
    if (std::isfinite(seconds) && seconds >= 0 && seconds < 253402300800.0) {
      return TimePoint(Millis(static_cast<int64_t>(seconds * 1000)));
    }
  }
  return FieldError(FieldPath(path, "Time"), "must be an RFC 3339 date-time or epoch seconds");
}

// REQUIRES: `body` has "Entries".
Status AddPutEvents(const NormalizeContext& context, const Json& body, Batch& batch) {
  const Json& entries = *Member(body, "Entries");
  if (!entries.is_array()) return FieldError("Entries", "must be an array");
  if (entries.empty()) return FieldError("Entries", "must contain at least one entry");
  if (entries.size() > kMaxSignalsPerPayload) {
    return FieldError("Entries",
                      "must contain at most " + std::to_string(kMaxSignalsPerPayload) + " entries");
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    const Json& entry = entries[i];
    const std::string path = IndexedPath("Entries", i);
    if (!entry.is_object()) return FieldError(path, "must be an object");
    for (const char* key : {"Source", "DetailType", "Detail"}) {
      const Json* value = Member(entry, key);
      if (value == nullptr) return FieldError(FieldPath(path, key), "is required");
      if (!value->is_string()) return FieldError(FieldPath(path, key), "must be a string");
    }
    auto detail = ParseJsonText(StringAt(entry, "Detail"));
    if (!detail.ok() || !detail->is_object()) {
      return FieldError(FieldPath(path, "Detail"), "must be a JSON object, as a string");
    }
    Json resources = Json::array();
    if (const Json* list = Member(entry, "Resources")) {
      if (!list->is_array()) return FieldError(FieldPath(path, "Resources"), "must be an array");
      for (size_t j = 0; j < list->size(); ++j) {
        if (!(*list)[j].is_string()) {
          return FieldError(IndexedPath(FieldPath(path, "Resources"), j), "must be a string");
        }
      }
      resources = *list;
    }
    auto time = EntryTime(context, entry, path);
    if (!time.ok()) return time.status();

    Json event = Json::object();
    event["version"] = "0";
    event["id"] = NewUuid();
    event["detail-type"] = StringAt(entry, "DetailType");
    event["source"] = StringAt(entry, "Source");
    event["account"] = context.account_id;
    event["time"] = FormatRfc3339(*time);  // Cut to seconds only in the finished envelope.
    event["region"] = context.region;
    event["resources"] = std::move(resources);
    event["detail"] = std::move(*detail);
    TOCSIN_RETURN_IF_ERROR(AddEventBridgeEvent(context, std::move(event), path, "", batch));
  }
  return Status::Ok();
}

}  // namespace

Status AddEventBridgeEvent(const NormalizeContext& context, Json event, const std::string& path,
                           const std::string& raw, Batch& batch) {
  if (!event.is_object()) return FieldError(path, "must be an object");
  for (const char* key : {"source", "detail-type"}) {
    const Json* value = Member(event, key);
    if (value == nullptr) return FieldError(FieldPath(path, key), "is required");
    if (!value->is_string() || value->get_ref<const std::string&>().empty()) {
      return FieldError(FieldPath(path, key), "must be a non-empty string");
    }
  }
  if (const Json* detail = Member(event, "detail"); detail != nullptr && !detail->is_object()) {
    return FieldError(FieldPath(path, "detail"), "must be an object");
  }
  if (const Json* resources = Member(event, "resources");
      resources != nullptr && !resources->is_array()) {
    return FieldError(FieldPath(path, "resources"), "must be an array");
  }
  const std::string source = StringAt(event, "source");
  const std::string detail_type = StringAt(event, "detail-type");
  if (source == "aws.cloudwatch" && detail_type == kAlarmDetailType) {
    return AddAlarmEvent(context, std::move(event), path, raw, batch);
  }
  if (source == "aws.securityhub" && detail_type.rfind("Security Hub Findings", 0) == 0) {
    return AddSecurityHubEvent(context, event, path, batch);
  }
  if (source == "aws.guardduty" && detail_type == "GuardDuty Finding") {
    return AddGuardDutyEvent(context, event, path, batch);
  }
  return AddGenericEvent(context, std::move(event), raw, batch);
}

Status NormalizeAws(const NormalizeContext& context, const Json& body, Batch& batch) {
  if (const Json* records = Member(body, "Records")) {
    // Lambda's SNS event: {"Records": [{"EventSource": "aws:sns", "Sns": {...}}]}.
    if (!records->is_array()) return FieldError("Records", "must be an array");
    if (records->empty()) return FieldError("Records", "must contain at least one record");
    if (records->size() > kMaxSignalsPerPayload) {
      return FieldError(
          "Records", "must contain at most " + std::to_string(kMaxSignalsPerPayload) + " records");
    }
    for (size_t i = 0; i < records->size(); ++i) {
      const std::string path = IndexedPath("Records", i);
      const Json* sns = Member((*records)[i], "Sns");
      if (sns == nullptr) return FieldError(FieldPath(path, "Sns"), "is required");
      TOCSIN_RETURN_IF_ERROR(AddSnsMessage(context, *sns, FieldPath(path, "Sns"), batch));
    }
    return Status::Ok();
  }
  if (Member(body, "Type") != nullptr &&
      (Member(body, "TopicArn") != nullptr || Member(body, "MessageId") != nullptr)) {
    return AddSnsMessage(context, body, "", batch);
  }
  if (Member(body, "Entries") != nullptr) return AddPutEvents(context, body, batch);
  if (Member(body, "Findings") != nullptr) return AddBatchImportFindings(context, body, batch);
  if (IsAlarmMessage(body)) {
    // SNS raw message delivery: the body is the alarm message itself.
    return AddAlarmEvent(context, AlarmEventFromMessage(context, body, Json::object()), "",
                         DumpJson(body), batch);
  }
  if (Member(body, "detail-type") != nullptr || Member(body, "source") != nullptr ||
      Member(body, "detail") != nullptr) {
    return AddEventBridgeEvent(context, body, "", "", batch);
  }
  if (context.type == domain::IntegrationType::kSecurityHub) {
    return InvalidArgument(
        "request body must be a BatchImportFindings body ({\"Findings\": [...]}) or an "
        "EventBridge event");
  }
  return InvalidArgument(
      "request body must be an EventBridge event, a PutEvents body ({\"Entries\": [...]}), an "
      "SNS message or a CloudWatch alarm message");
}

}  // namespace tocsin::ingest
