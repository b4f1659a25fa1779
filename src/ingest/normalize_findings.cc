// Security findings: ASFF (Security Hub events and BatchImportFindings
// bodies) and GuardDuty's own camelCase findings.

#include <string>
#include <string_view>
#include <vector>

#include "ingest/normalize_internal.h"

namespace tocsin::ingest {
namespace {

constexpr size_t kMaxBatchFindings = 100;  // BatchImportFindings' limit.
constexpr size_t kMaxResources = 32;       // ASFF Resources.
constexpr size_t kMaxArnItems = 10;
constexpr size_t kMaxFindingTitle = 256;
constexpr size_t kMaxFindingDescription = 1024;

constexpr std::string_view kSeverityLabels[] = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH",
                                                "CRITICAL"};

bool IsSeverityLabel(std::string_view label) {
  for (auto known : kSeverityLabels) {
    if (label == known) return true;
  }
  return false;
}

// ASFF's Label ↔ Normalized rule: 0 INFORMATIONAL, 1–39 LOW, 40–69 MEDIUM,
// 70–89 HIGH, 90–100 CRITICAL.
std::string LabelForNormalized(double normalized) {
  if (normalized < 1) return "INFORMATIONAL";
  if (normalized < 40) return "LOW";
  if (normalized < 70) return "MEDIUM";
  if (normalized < 90) return "HIGH";
  return "CRITICAL";
}

// GuardDuty: 1.0–3.9 LOW, 4.0–6.9 MEDIUM, 7.0–8.9 HIGH, 9.0–10.0 CRITICAL
// (attack sequences).
std::string LabelForGuardDuty(double severity) {
  if (severity < 4) return "LOW";
  if (severity < 7) return "MEDIUM";
  if (severity < 9) return "HIGH";
  return "CRITICAL";
}

Status RequireString(const Json& object, const std::string& path, std::string_view key) {
  const Json* value = Member(object, key);
  const std::string field = FieldPath(path, key);
  if (value == nullptr) return FieldError(field, "is required");
  if (!value->is_string()) return FieldError(field, "must be a string");
  if (value->get_ref<const std::string&>().empty()) return FieldError(field, "must not be empty");
  return Status::Ok();
}

// The attributes BatchImportFindings requires (ASFF 2018-10-08), with the
// types our mapping relies on.
Status CheckAsff(const Json& f, const std::string& path) {
  if (!f.is_object()) return FieldError(path, "must be an object");
  for (const char* key : {"SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId",
                          "CreatedAt", "UpdatedAt"}) {
    TOCSIN_RETURN_IF_ERROR(RequireString(f, path, key));
  }
  for (const char* key : {"CreatedAt", "UpdatedAt"}) {
    if (!TimeAt(f, key)) return FieldError(FieldPath(path, key), "must be an RFC 3339 date-time");
  }
  const std::string severity_path = FieldPath(path, "Severity");
  const Json* severity = Member(f, "Severity");
  if (severity == nullptr) return FieldError(severity_path, "is required");
  if (!severity->is_object()) return FieldError(severity_path, "must be an object");
  const Json* label = Member(*severity, "Label");
  const Json* normalized = Member(*severity, "Normalized");
  if (label == nullptr && normalized == nullptr) {
    return FieldError(FieldPath(severity_path, "Label"), "is required (or Normalized)");
  }
  if (label != nullptr && (!label->is_string() || !IsSeverityLabel(label->get<std::string>()))) {
    return FieldError(FieldPath(severity_path, "Label"),
                      "must be one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL");
  }
  if (normalized != nullptr && (!normalized->is_number() || normalized->get<double>() < 0 ||
                                normalized->get<double>() > 100)) {
    return FieldError(FieldPath(severity_path, "Normalized"), "must be a number from 0 to 100");
  }
  for (const char* key : {"Title", "Description"}) {
    TOCSIN_RETURN_IF_ERROR(RequireString(f, path, key));
  }
  const std::string resources_path = FieldPath(path, "Resources");
  const Json* resources = Member(f, "Resources");
  if (resources == nullptr) return FieldError(resources_path, "is required");
  if (!resources->is_array()) return FieldError(resources_path, "must be an array");
  if (resources->empty() || resources->size() > kMaxResources) {
    return FieldError(resources_path, "must contain 1 to 32 resources");
  }
  for (size_t i = 0; i < resources->size(); ++i) {
    const Json& resource = (*resources)[i];
    const std::string resource_path = IndexedPath(resources_path, i);
    if (!resource.is_object()) return FieldError(resource_path, "must be an object");
    TOCSIN_RETURN_IF_ERROR(RequireString(resource, resource_path, "Type"));
    TOCSIN_RETURN_IF_ERROR(RequireString(resource, resource_path, "Id"));
  }
  if (const Json* types = Member(f, "Types"); types != nullptr && !types->is_array()) {
    return FieldError(FieldPath(path, "Types"), "must be an array");
  }
  return Status::Ok();
}

// REQUIRES: CheckAsff(f) is OK.
Finding FindingFromAsff(const Json& f) {
  Finding finding;
  finding.product_arn = StringAt(f, "ProductArn");
  finding.id = StringAt(f, "Id");
  finding.generator_id = StringAt(f, "GeneratorId");
  finding.aws_account_id = StringAt(f, "AwsAccountId");
  finding.region = StringAt(f, "Region");
  if (finding.region.empty()) finding.region = ArnPart(finding.product_arn, 3);
  finding.title = TruncateUtf8(StringAt(f, "Title"), kMaxFindingTitle, /*ellipsis=*/true);
  finding.description =
      TruncateUtf8(StringAt(f, "Description"), kMaxFindingDescription, /*ellipsis=*/true);
  const Json& severity = ObjectAt(f, "Severity");
  finding.severity_label = StringAt(severity, "Label");
  if (const Json* normalized = Member(severity, "Normalized");
      finding.severity_label.empty() && normalized != nullptr) {
    finding.severity_label = LabelForNormalized(normalized->get<double>());
  }
  if (const Json* types = Member(f, "Types")) {
    for (const Json& type : *types) {
      if (type.is_string()) finding.types.push_back(type.get<std::string>());
    }
  }
  if (const Json* resources = Member(f, "Resources")) {
    for (const Json& resource : *resources) finding.resources.push_back(StringAt(resource, "Id"));
  }
  finding.workflow_status = StringAt(ObjectAt(f, "Workflow"), "Status");
  // The retired WorkflowState still arrives from older providers.
  if (finding.workflow_status.empty() && StringAt(f, "WorkflowState") == "RESOLVED") {
    finding.workflow_status = "RESOLVED";
  }
  finding.record_state = StringAt(f, "RecordState");
  finding.compliance_status = StringAt(ObjectAt(f, "Compliance"), "Status");
  finding.created_at = TimeAt(f, "CreatedAt").value_or(TimePoint{});
  finding.updated_at = TimeAt(f, "UpdatedAt").value_or(finding.created_at);
  return finding;
}

SignalAction ActionFor(const Finding& finding) {
  if (finding.workflow_status == "RESOLVED" || finding.record_state == "ARCHIVED" ||
      finding.compliance_status == "PASSED") {
    return SignalAction::kResolve;
  }
  if (finding.workflow_status == "SUPPRESSED") return SignalAction::kAnnotate;
  return SignalAction::kTrigger;
}

struct Links {
  std::string source_url;
  std::string remediation_text;
  std::string remediation_url;
};

Links AsffLinks(const Json& f) {
  const Json& recommendation = ObjectAt(ObjectAt(f, "Remediation"), "Recommendation");
  return {StringAt(f, "SourceUrl"), StringAt(recommendation, "Text"),
          StringAt(recommendation, "Url")};
}

// Builds the signal of `finding`; `envelope` is complete.
Signal FindingSignal(Finding finding, const Links& links, std::string_view trigger_source,
                     const std::string& raw, Json envelope) {
  Signal signal;
  signal.action = ActionFor(finding);
  signal.key = finding.id;
  signal.title = OneLine(finding.title, kMaxTitle,
                         finding.types.empty() ? finding.generator_id : finding.types.front());

  std::string text = finding.description;
  if (!text.empty()) text += "\n\n";
  text += "Severity: " + finding.severity_label;
  if (!finding.types.empty()) text += "\nType: " + finding.types.front();
  if (!finding.resources.empty()) {
    text += "\nResources:";
    for (size_t i = 0; i < finding.resources.size() && i < kMaxArnItems; ++i) {
      text += " " + finding.resources[i];
    }
    if (finding.resources.size() > kMaxArnItems) text += " ...";
  }
  if (!links.remediation_text.empty()) text += "\nRemediation: " + links.remediation_text;
  signal.summary = TruncateUtf8(text, kMaxSummary, /*ellipsis=*/true);
  signal.impact = ImpactForFindingLabel(finding.severity_label);

  for (const auto& resource : finding.resources) {
    if (signal.related_items.size() >= kMaxArnItems) break;
    AddArnItem(signal, resource);
  }
  AddUrlItem(signal, "OTHER", links.source_url, "Source");
  AddUrlItem(signal, "ATTACHMENT", links.remediation_url, "Remediation");

  signal.trigger.source = std::string(trigger_source);
  if (finding.id.rfind("arn:", 0) == 0 && finding.id.size() <= kMaxArn) {
    signal.trigger.trigger_arn = finding.id;
  }
  signal.trigger.timestamp = finding.updated_at;
  signal.trigger.raw_data = TruncateUtf8(raw, kMaxRawData);
  signal.envelope = std::move(envelope);
  signal.finding = std::move(finding);
  return signal;
}

// --- GuardDuty ------------------------------------------------------------------

// ARNs of what a GuardDuty finding is about (detail.resource).
std::vector<std::string> GuardDutyResources(const Json& detail, const std::string& region,
                                            const std::string& account) {
  std::string partition = StringAt(detail, "partition");
  if (partition.empty()) partition = "aws";
  const Json& resource = ObjectAt(detail, "resource");
  std::vector<std::string> out;
  const auto add = [&out](std::string arn) {
    if (!arn.empty()) out.push_back(std::move(arn));
  };
  if (const std::string instance = StringAt(ObjectAt(resource, "instanceDetails"), "instanceId");
      !instance.empty()) {
    add("arn:" + partition + ":ec2:" + region + ":" + account + ":instance/" + instance);
  }
  const Json& key = ObjectAt(resource, "accessKeyDetails");
  if (const std::string user = StringAt(key, "userName");
      !user.empty() && StringAt(key, "userType") == "IAMUser") {
    add("arn:" + partition + ":iam::" + account + ":user/" + user);
  }
  if (const Json* buckets = Member(resource, "s3BucketDetails"); buckets && buckets->is_array()) {
    for (const Json& bucket : *buckets) add(StringAt(bucket, "arn"));
  }
  add(StringAt(ObjectAt(resource, "eksClusterDetails"), "arn"));
  add(StringAt(ObjectAt(resource, "ecsClusterDetails"), "arn"));
  add(StringAt(ObjectAt(resource, "lambdaDetails"), "functionArn"));
  add(StringAt(ObjectAt(resource, "rdsDbInstanceDetails"), "dbInstanceArn"));
  return out;
}

}  // namespace

Status AddSecurityHubEvent(const NormalizeContext& context, const Json& event,
                           const std::string& path, Batch& batch) {
  const std::string findings_path = FieldPath(FieldPath(path, "detail"), "findings");
  const Json* findings = Member(ObjectAt(event, "detail"), "findings");
  if (findings == nullptr) return FieldError(findings_path, "is required");
  if (!findings->is_array()) return FieldError(findings_path, "must be an array");
  if (findings->empty()) return FieldError(findings_path, "must contain at least one finding");
  for (size_t i = 0; i < findings->size(); ++i) {
    TOCSIN_RETURN_IF_ERROR(CheckAsff((*findings)[i], IndexedPath(findings_path, i)));
  }
  const Json* resources = Member(event, "resources");
  // Security Hub sends one finding per event; should several come, each
  // signal's envelope carries only its own finding (and its own resource when
  // they pair up), so rules see one finding at a time.
  const bool paired = findings->size() > 1 && resources != nullptr && resources->is_array() &&
                      resources->size() == findings->size();
  for (size_t i = 0; i < findings->size(); ++i) {
    const Json& f = (*findings)[i];
    Json envelope = event;
    envelope["detail"]["findings"] = Json::array({f});
    if (paired) envelope["resources"] = Json::array({(*resources)[i]});
    const std::string raw = DumpJson(envelope);
    CompleteEnvelope(context, envelope);
    batch.signals.push_back(FindingSignal(FindingFromAsff(f), AsffLinks(f), "aws.securityhub", raw,
                                          std::move(envelope)));
  }
  return Status::Ok();
}

Status AddBatchImportFindings(const NormalizeContext& context, const Json& body, Batch& batch) {
  const Json* findings = Member(body, "Findings");
  if (findings == nullptr) return FieldError("Findings", "is required");
  if (!findings->is_array()) return FieldError("Findings", "must be an array");
  if (findings->empty() || findings->size() > kMaxBatchFindings) {
    return FieldError("Findings",
                      "must contain 1 to 100 findings, not " + std::to_string(findings->size()));
  }
  for (size_t i = 0; i < findings->size(); ++i) {
    TOCSIN_RETURN_IF_ERROR(CheckAsff((*findings)[i], IndexedPath("Findings", i)));
  }
  for (const Json& f : *findings) {
    Finding finding = FindingFromAsff(f);
    // The "Security Hub Findings - Imported" event Security Hub would emit.
    Json envelope = NewEnvelope(context, "aws.securityhub", "Security Hub Findings - Imported",
                                finding.updated_at, Json{{"findings", Json::array({f})}});
    const std::string& account = finding.aws_account_id;
    if (account.size() == 12 && account.find_first_not_of("0123456789") == std::string::npos) {
      envelope["account"] = account;
    }
    if (!finding.region.empty()) envelope["region"] = finding.region;
    envelope["resources"] = Json::array({finding.product_arn + "/" + finding.id});
    batch.signals.push_back(FindingSignal(std::move(finding), AsffLinks(f), "aws.securityhub",
                                          DumpJson(f), std::move(envelope)));
  }
  return Status::Ok();
}

Status AddGuardDutyEvent(const NormalizeContext& context, const Json& event,
                         const std::string& path, Batch& batch) {
  const std::string detail_path = FieldPath(path, "detail");
  const Json* detail_value = Member(event, "detail");
  if (detail_value == nullptr) return FieldError(detail_path, "is required");
  const Json& detail = *detail_value;
  Finding finding;
  finding.id = StringAt(detail, "arn");
  if (finding.id.empty()) finding.id = StringAt(detail, "id");
  if (finding.id.empty()) return FieldError(FieldPath(detail_path, "id"), "is required");
  const Json* severity = Member(detail, "severity");
  const std::string severity_path = FieldPath(detail_path, "severity");
  if (severity == nullptr) return FieldError(severity_path, "is required");
  if (!severity->is_number()) return FieldError(severity_path, "must be a number");

  std::string partition = StringAt(detail, "partition");
  if (partition.empty()) partition = "aws";
  finding.region = StringAt(detail, "region");
  if (finding.region.empty()) finding.region = StringAt(event, "region");
  if (finding.region.empty()) finding.region = ArnPart(finding.id, 3);
  finding.aws_account_id = StringAt(detail, "accountId");
  if (finding.aws_account_id.empty()) finding.aws_account_id = StringAt(event, "account");
  finding.product_arn =
      "arn:" + partition + ":securityhub:" + finding.region + "::product/aws/guardduty";
  const std::string type = StringAt(detail, "type");
  finding.generator_id = type;
  if (!type.empty()) finding.types.push_back(type);
  finding.title = TruncateUtf8(StringAt(detail, "title"), kMaxFindingTitle, /*ellipsis=*/true);
  finding.description =
      TruncateUtf8(StringAt(detail, "description"), kMaxFindingDescription, /*ellipsis=*/true);
  finding.severity_label = LabelForGuardDuty(severity->get<double>());
  finding.resources = GuardDutyResources(detail, finding.region, finding.aws_account_id);
  const Json* archived = Member(ObjectAt(detail, "service"), "archived");
  finding.record_state = archived != nullptr && archived->is_boolean() && archived->get<bool>()
                             ? "ARCHIVED"
                             : "ACTIVE";

  finding.created_at = TimeAt(detail, "createdAt").value_or(EnvelopeTimeOf(context, event));
  finding.updated_at = TimeAt(detail, "updatedAt").value_or(finding.created_at);
  Json envelope = event;
  const std::string raw = DumpJson(envelope);
  CompleteEnvelope(context, envelope);
  batch.signals.push_back(
      FindingSignal(std::move(finding), Links{}, "aws.guardduty", raw, std::move(envelope)));
  return Status::Ok();
}

}  // namespace tocsin::ingest
