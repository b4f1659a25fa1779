// Normalize() for security findings: Security Hub events, BatchImportFindings
// bodies and GuardDuty events.

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tocsin/ingest/signal.h"
#include "unit/ingest/normalize_test_support.h"

namespace tocsin::ingest {
namespace {

using domain::IntegrationType;
using testing::MustNormalize;
using testing::Testdata;

constexpr const char* kFindingId =
    "arn:aws:guardduty:us-east-1:193043430472:detector/d4b040365221be2b54a6264dc9a4bc64/finding/"
    "46ba0ac2845071e23ccdeb2ae03bfdea";
constexpr const char* kInstanceArn =
    "arn:aws:ec2:us-east-1:193043430472:instance/i-0c10c2c7863d1a356";

NormalizeContext Context(IntegrationType type = IntegrationType::kSecurityHub) {
  NormalizeContext context;
  context.type = type;
  context.integration_id = "int-9";
  context.integration_name = "securityhub";
  context.account_id = "000000000000";
  context.region = "eu-west-1";
  context.now = *ParseRfc3339("2024-06-01T12:00:00Z");
  return context;
}

Json ImportedEvent() { return Json::parse(Testdata("doc_securityhub_imported_event.json")); }
Json Asff() { return Json::parse(Testdata("doc_asff_guardduty_finding.json")); }
Json GuardDutyEvent() { return Json::parse(Testdata("doc_guardduty_finding_event.json")); }

std::string BatchOf(const Json& findings) { return Json{{"Findings", findings}}.dump(); }

// Returns the one signal `body` normalizes to (an empty one on failure).
Signal OnlySignal(const std::string& body) {
  Batch batch = MustNormalize(Context(), body);
  EXPECT_EQ(batch.signals.size(), 1u);
  return batch.signals.empty() ? Signal{} : batch.signals[0];
}

// --- Security Hub events ----------------------------------------------------------------

TEST(NormalizeFindingsTest, SecurityHubImportedEventTriggers) {
  const Signal s = OnlySignal(ImportedEvent().dump());
  EXPECT_EQ(s.action, SignalAction::kTrigger);
  EXPECT_EQ(s.key, kFindingId);
  EXPECT_EQ(s.title,
            "199.241.229.197 is performing SSH brute force attacks against i-0c10c2c7863d1a356.");
  EXPECT_EQ(s.summary,
            "199.241.229.197 is performing SSH brute force attacks against i-0c10c2c7863d1a356. "
            "Brute force attacks are used to gain unauthorized access to your instance by "
            "guessing the SSH password.\n\nSeverity: MEDIUM\n"
            "Type: TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce\n"
            "Resources: " +
                std::string(kInstanceArn));
  EXPECT_EQ(s.impact, 3);
  ASSERT_EQ(s.related_items.size(), 1u);
  EXPECT_EQ(s.related_items[0].type, "INVOLVED_RESOURCE");
  EXPECT_EQ(s.related_items[0].value_kind, "arn");
  EXPECT_EQ(s.related_items[0].value, kInstanceArn);
  EXPECT_EQ(s.trigger.source, "aws.securityhub");
  EXPECT_EQ(s.trigger.trigger_arn, kFindingId);
  EXPECT_EQ(FormatRfc3339(s.trigger.timestamp), "2020-09-30T12:14:00.206Z");
  EXPECT_EQ(Json::parse(s.trigger.raw_data)["id"], "8e5622f9-d81c-4d81-612a-9319e7ee2506");

  ASSERT_TRUE(s.finding.has_value());
  const Finding& f = *s.finding;
  EXPECT_EQ(f.product_arn, "arn:aws:securityhub:us-east-1::product/aws/guardduty");
  EXPECT_EQ(f.id, kFindingId);
  EXPECT_EQ(f.generator_id,
            "arn:aws:guardduty:us-east-1:193043430472:detector/d4b040365221be2b54a6264dc9a4bc64");
  EXPECT_EQ(f.aws_account_id, "193043430472");
  EXPECT_EQ(f.region, "us-east-1");
  EXPECT_EQ(f.severity_label, "MEDIUM");
  EXPECT_EQ(f.types,
            std::vector<std::string>{"TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce"});
  EXPECT_EQ(f.resources, std::vector<std::string>{kInstanceArn});
  EXPECT_EQ(f.workflow_status, "NEW");
  EXPECT_EQ(f.record_state, "ACTIVE");
  EXPECT_EQ(f.compliance_status, "");
  EXPECT_EQ(FormatRfc3339(f.created_at), "2020-08-22T09:34:34.146Z");
  EXPECT_EQ(FormatRfc3339(f.updated_at), "2020-09-30T12:14:00.206Z");

  const Json& e = s.envelope;
  EXPECT_EQ(e["id"], "8e5622f9-d81c-4d81-612a-9319e7ee2506");
  EXPECT_EQ(e["source"], "aws.securityhub");
  EXPECT_EQ(e["detail-type"], "Security Hub Findings - Imported");
  EXPECT_EQ(e["account"], "193043430472");
  EXPECT_EQ(e["time"], "2020-09-30T12:14:05Z");
  EXPECT_EQ(e["detail"]["findings"].size(), 1u);
  EXPECT_EQ(e["integration"]["type"], "securityhub");
}

TEST(NormalizeFindingsTest, EventWithSeveralFindingsSplitsIntoOneSignalEach) {
  Json event = ImportedEvent();
  Json second = event["detail"]["findings"][0];
  second["Id"] = "finding-2";
  second["Severity"] = {{"Label", "CRITICAL"}};
  event["detail"]["findings"].push_back(second);
  event["resources"].push_back("arn:aws:securityhub:us-east-1::product/aws/guardduty/finding-2");
  const Batch batch = MustNormalize(Context(), event.dump());
  ASSERT_EQ(batch.signals.size(), 2u);
  EXPECT_EQ(batch.signals[0].key, kFindingId);
  EXPECT_EQ(batch.signals[1].key, "finding-2");
  EXPECT_EQ(batch.signals[1].impact, 1);
  EXPECT_EQ(batch.signals[1].trigger.trigger_arn, "");  // Not an ARN.
  for (size_t i = 0; i < 2; ++i) {
    const Json& e = batch.signals[i].envelope;
    ASSERT_EQ(e["detail"]["findings"].size(), 1u);
    EXPECT_EQ(e["detail"]["findings"][0]["Id"], batch.signals[i].key);
    EXPECT_EQ(e["resources"], Json::array({event["resources"][i]}));
  }
}

TEST(NormalizeFindingsTest, SecurityHubEventErrorsNameThePath) {
  Json event = ImportedEvent();
  event["detail"]["findings"][0].erase("GeneratorId");
  EXPECT_INVALID(Context(), event.dump(), "detail.findings[0].GeneratorId",
                 "detail.findings[0].GeneratorId is required");
  event["detail"].erase("findings");
  EXPECT_INVALID(Context(), event.dump(), "detail.findings", "detail.findings is required");
  event["detail"]["findings"] = Json::array();
  EXPECT_INVALID(Context(), event.dump(), "detail.findings",
                 "detail.findings must contain at least one finding");
}

// --- Workflow, record state, compliance -----------------------------------------------------

TEST(NormalizeFindingsTest, ActionFollowsWorkflowRecordStateAndCompliance) {
  struct Case {
    Json patch;
    SignalAction action;
  };
  const Case cases[] = {
      {{{"Workflow", {{"Status", "NOTIFIED"}}}}, SignalAction::kTrigger},
      {{{"Workflow", {{"Status", "RESOLVED"}}}}, SignalAction::kResolve},
      {{{"RecordState", "ARCHIVED"}}, SignalAction::kResolve},
      {{{"Compliance", {{"Status", "PASSED"}}}}, SignalAction::kResolve},
      {{{"Compliance", {{"Status", "FAILED"}}}}, SignalAction::kTrigger},
      {{{"Workflow", {{"Status", "SUPPRESSED"}}}}, SignalAction::kAnnotate},
      {{{"Workflow", {{"Status", "SUPPRESSED"}}}, {"RecordState", "ARCHIVED"}},
       SignalAction::kResolve},
      // The retired WorkflowState, when Workflow is absent.
      {{{"Workflow", nullptr}, {"WorkflowState", "RESOLVED"}}, SignalAction::kResolve},
  };
  for (const Case& c : cases) {
    Json finding = Asff();
    finding.merge_patch(c.patch);
    const Signal s = OnlySignal(BatchOf(Json::array({finding})));
    EXPECT_EQ(s.action, c.action) << c.patch;
  }
}

TEST(NormalizeFindingsTest, SeverityComesFromLabelElseNormalized) {
  struct Case {
    Json severity;
    const char* label;
    int impact;
  };
  const Case cases[] = {
      {{{"Label", "HIGH"}, {"Normalized", 10}}, "HIGH", 2},
      {{{"Normalized", 0}}, "INFORMATIONAL", 5},
      {{{"Normalized", 1}}, "LOW", 4},
      {{{"Normalized", 39}}, "LOW", 4},
      {{{"Normalized", 40}}, "MEDIUM", 3},
      {{{"Normalized", 75}}, "HIGH", 2},
      {{{"Normalized", 89.5}}, "HIGH", 2},
      {{{"Normalized", 90}}, "CRITICAL", 1},
      {{{"Normalized", 100}}, "CRITICAL", 1},
      {{{"Label", "INFORMATIONAL"}}, "INFORMATIONAL", 5},
  };
  for (const Case& c : cases) {
    Json finding = Asff();
    finding["Severity"] = c.severity;
    const Signal s = OnlySignal(BatchOf(Json::array({finding})));
    ASSERT_TRUE(s.finding.has_value()) << c.severity;
    EXPECT_EQ(s.finding->severity_label, c.label) << c.severity;
    EXPECT_EQ(s.impact, c.impact) << c.severity;
  }
}

// --- BatchImportFindings -----------------------------------------------------------------

TEST(NormalizeFindingsTest, BatchImportFindingsGetSecurityHubEnvelopes) {
  Json finding = Asff();
  finding["Remediation"] = {{"Recommendation",
                             {{"Text", "Block the source IP in the security group."},
                              {"Url",
                               "https://docs.aws.amazon.com/guardduty/latest/ug/"
                               "guardduty_remediate.html"}}}};
  const Signal s = OnlySignal(BatchOf(Json::array({finding})));
  EXPECT_EQ(s.action, SignalAction::kTrigger);
  EXPECT_EQ(s.key, kFindingId);
  EXPECT_EQ(s.impact, 3);
  EXPECT_EQ(s.trigger.source, "aws.securityhub");
  EXPECT_EQ(s.trigger.trigger_arn, kFindingId);
  EXPECT_NE(s.summary.find("\nRemediation: Block the source IP in the security group."),
            std::string::npos);
  EXPECT_EQ(Json::parse(s.trigger.raw_data)["Id"], kFindingId);
  ASSERT_EQ(s.related_items.size(), 3u);
  EXPECT_EQ(s.related_items[0].value, kInstanceArn);
  EXPECT_EQ(s.related_items[1].type, "OTHER");
  EXPECT_EQ(s.related_items[1].title, "Source");
  EXPECT_EQ(
      s.related_items[1].value.rfind("https://us-east-1.console.aws.amazon.com/guardduty/", 0), 0u);
  EXPECT_EQ(s.related_items[2].type, "ATTACHMENT");
  EXPECT_EQ(s.related_items[2].title, "Remediation");

  const Json& e = s.envelope;
  EXPECT_EQ(e["version"], "0");
  EXPECT_EQ(e["id"].get<std::string>().size(), 36u);
  EXPECT_EQ(e["source"], "aws.securityhub");
  EXPECT_EQ(e["detail-type"], "Security Hub Findings - Imported");
  EXPECT_EQ(e["account"], "193043430472");
  EXPECT_EQ(e["region"], "us-east-1");  // From the ProductArn.
  EXPECT_EQ(e["time"], "2020-09-30T12:14:00Z");
  EXPECT_EQ(e["resources"], Json::array({"arn:aws:securityhub:us-east-1::product/aws/guardduty/" +
                                         std::string(kFindingId)}));
  EXPECT_EQ(e["detail"]["findings"], Json::array({finding}));
  EXPECT_EQ(e["integration"]["id"], "int-9");
}

TEST(NormalizeFindingsTest, BatchImportAcceptsOneToAHundredFindings) {
  Json findings = Json::array();
  for (int i = 0; i < 100; ++i) {
    Json f = Asff();
    f["Id"] = "finding-" + std::to_string(i);
    findings.push_back(f);
  }
  const Batch batch = MustNormalize(Context(), BatchOf(findings));
  ASSERT_EQ(batch.signals.size(), 100u);
  EXPECT_EQ(batch.signals[99].key, "finding-99");

  findings.push_back(Asff());
  EXPECT_INVALID(Context(), BatchOf(findings), "Findings",
                 "Findings must contain 1 to 100 findings, not 101");
  EXPECT_INVALID(Context(), BatchOf(Json::array()), "Findings",
                 "Findings must contain 1 to 100 findings, not 0");
  EXPECT_INVALID(Context(), R"({"Findings": {}})", "Findings", "Findings must be an array");
}

TEST(NormalizeFindingsTest, MissingRequiredAttributesAreNamed) {
  const Json findings = Json::array({Asff(), Asff(), Asff()});
  auto without = [&](size_t index, const char* key) {
    Json copy = findings;
    copy[index].erase(key);
    return BatchOf(copy);
  };
  EXPECT_INVALID(Context(), without(2, "Id"), "Findings[2].Id", "Findings[2].Id is required");
  for (const char* key : {"SchemaVersion", "ProductArn", "GeneratorId", "AwsAccountId", "CreatedAt",
                          "UpdatedAt", "Title", "Description", "Resources", "Severity"}) {
    const std::string field = std::string("Findings[1].") + key;
    EXPECT_INVALID(Context(), without(1, key), field, field + " is required");
  }

  auto with = [&](const Json& patch) {
    Json copy = findings;
    copy[0].merge_patch(patch);
    return BatchOf(copy);
  };
  EXPECT_INVALID(Context(), with({{"Id", ""}}), "Findings[0].Id",
                 "Findings[0].Id must not be empty");
  EXPECT_INVALID(Context(), with({{"Title", 5}}), "Findings[0].Title",
                 "Findings[0].Title must be a string");
  EXPECT_INVALID(Context(), with({{"CreatedAt", "last tuesday"}}), "Findings[0].CreatedAt",
                 "Findings[0].CreatedAt must be an RFC 3339 date-time");
  EXPECT_INVALID(
      Context(),
      with({{"Severity", {{"Label", nullptr}, {"Normalized", nullptr}, {"Product", 2}}}}),
      "Findings[0].Severity.Label", "Findings[0].Severity.Label is required (or Normalized)");
  EXPECT_INVALID(Context(), with({{"Severity", {{"Label", "SEVERE"}}}}),
                 "Findings[0].Severity.Label",
                 "Findings[0].Severity.Label must be one of INFORMATIONAL, LOW, MEDIUM, HIGH, "
                 "CRITICAL");
  EXPECT_INVALID(Context(), with({{"Severity", {{"Label", nullptr}, {"Normalized", 101}}}}),
                 "Findings[0].Severity.Normalized",
                 "Findings[0].Severity.Normalized must be a number from 0 to 100");
  EXPECT_INVALID(Context(), with({{"Resources", Json::array()}}), "Findings[0].Resources",
                 "Findings[0].Resources must contain 1 to 32 resources");
  EXPECT_INVALID(Context(), with({{"Resources", Json::array({{{"Type", "Other"}}})}}),
                 "Findings[0].Resources[0].Id", "Findings[0].Resources[0].Id is required");
  EXPECT_INVALID(Context(), BatchOf(Json::array({"finding"})), "Findings[0]",
                 "Findings[0] must be an object");
}

TEST(NormalizeFindingsTest, AtMostTenResourceArnsBecomeRelatedItems) {
  Json finding = Asff();
  finding["Resources"] = Json::array();
  finding["Resources"].push_back({{"Type", "Other"}, {"Id", "not-an-arn"}});
  for (int i = 0; i < 15; ++i) {
    finding["Resources"].push_back(
        {{"Type", "AwsS3Bucket"}, {"Id", "arn:aws:s3:::bucket-" + std::to_string(i)}});
  }
  const Signal s = OnlySignal(BatchOf(Json::array({finding})));
  ASSERT_TRUE(s.finding.has_value());
  EXPECT_EQ(s.finding->resources.size(), 16u);
  size_t arns = 0;
  for (const auto& item : s.related_items) {
    if (item.value_kind == "arn") ++arns;
  }
  EXPECT_EQ(arns, 10u);
  EXPECT_EQ(s.related_items[0].value, "arn:aws:s3:::bucket-0");
}

TEST(NormalizeFindingsTest, LongFindingTextIsCut) {
  Json finding = Asff();
  finding["Title"] = std::string(300, 't');
  finding["Description"] = std::string(5000, 'd');
  const Signal s = OnlySignal(BatchOf(Json::array({finding})));
  ASSERT_TRUE(s.finding.has_value());
  EXPECT_EQ(s.title.size(), 200u);
  EXPECT_EQ(s.finding->title.size(), 256u);
  EXPECT_EQ(s.finding->description.size(), 1024u);
  EXPECT_LE(s.summary.size(), 4000u);
}

// --- GuardDuty -------------------------------------------------------------------------

TEST(NormalizeFindingsTest, GuardDutyEventTriggers) {
  const Signal s = OnlySignal(GuardDutyEvent().dump());
  const std::string arn =
      "arn:aws:guardduty:us-east-1:123456789012:detector/123456789012/finding/"
      "16afba5c5c43e07c9e3e5e2e544e95df";
  EXPECT_EQ(s.action, SignalAction::kTrigger);
  EXPECT_EQ(s.key, arn);
  EXPECT_EQ(s.title, "Canary:EC2/Stateless.IntegTest");
  EXPECT_EQ(s.impact, 3);  // Severity 5: MEDIUM.
  EXPECT_EQ(s.trigger.source, "aws.guardduty");
  EXPECT_EQ(s.trigger.trigger_arn, arn);
  EXPECT_EQ(FormatRfc3339(s.trigger.timestamp), "2017-10-31T23:16:23.824Z");
  ASSERT_EQ(s.related_items.size(), 1u);
  EXPECT_EQ(s.related_items[0].value,
            "arn:aws:ec2:us-east-1:123456789012:instance/i-05746eb48123455e0");

  ASSERT_TRUE(s.finding.has_value());
  const Finding& f = *s.finding;
  EXPECT_EQ(f.product_arn, "arn:aws:securityhub:us-east-1::product/aws/guardduty");
  EXPECT_EQ(f.id, arn);
  EXPECT_EQ(f.generator_id, "Canary:EC2/Stateless.IntegTest");
  EXPECT_EQ(f.types, std::vector<std::string>{"Canary:EC2/Stateless.IntegTest"});
  EXPECT_EQ(f.aws_account_id, "123456789012");
  EXPECT_EQ(f.region, "us-east-1");
  EXPECT_EQ(f.severity_label, "MEDIUM");
  EXPECT_EQ(f.record_state, "ACTIVE");
  EXPECT_EQ(FormatRfc3339(f.created_at), "2017-10-31T23:16:23.824Z");

  const Json& e = s.envelope;
  EXPECT_EQ(e["id"], "cd2d702e-ab31-411b-9344-793ce56b1bc7");
  EXPECT_EQ(e["source"], "aws.guardduty");
  EXPECT_EQ(e["detail"]["severity"], 5);
  EXPECT_EQ(e["integration"]["type"], "securityhub");
}

TEST(NormalizeFindingsTest, GuardDutySeverityBandsAndArchive) {
  const std::pair<double, const char*> bands[] = {
      {1.0, "LOW"},  {3.9, "LOW"},  {4.0, "MEDIUM"},   {6.9, "MEDIUM"},
      {7.0, "HIGH"}, {8.9, "HIGH"}, {9.0, "CRITICAL"}, {10.0, "CRITICAL"}};
  for (const auto& [severity, label] : bands) {
    Json event = GuardDutyEvent();
    event["detail"]["severity"] = severity;
    const Signal s = OnlySignal(event.dump());
    ASSERT_TRUE(s.finding.has_value());
    EXPECT_EQ(s.finding->severity_label, label) << severity;
    EXPECT_EQ(s.impact, ImpactForFindingLabel(label)) << severity;
  }
  Json event = GuardDutyEvent();
  event["detail"]["service"]["archived"] = true;
  const Signal archived = OnlySignal(event.dump());
  EXPECT_EQ(archived.action, SignalAction::kResolve);
  ASSERT_TRUE(archived.finding.has_value());
  EXPECT_EQ(archived.finding->record_state, "ARCHIVED");
}

TEST(NormalizeFindingsTest, GuardDutyAccessKeyFindingNamesTheUser) {
  Json event = GuardDutyEvent();
  event["detail"]["resource"] = {{"resourceType", "AccessKey"},
                                 {"accessKeyDetails",
                                  {{"accessKeyId", "ASIAXXXXXXXXXXXXXXXX"},
                                   {"principalId", "AIDAXXXXXXXXXXXXXXXXX"},
                                   {"userName", "deploy-bot"},
                                   {"userType", "IAMUser"}}}};
  const Signal s = OnlySignal(event.dump());
  ASSERT_EQ(s.related_items.size(), 1u);
  EXPECT_EQ(s.related_items[0].value, "arn:aws:iam::123456789012:user/deploy-bot");
}

TEST(NormalizeFindingsTest, GuardDutyErrors) {
  Json event = GuardDutyEvent();
  event["detail"].erase("severity");
  EXPECT_INVALID(Context(), event.dump(), "detail.severity", "detail.severity is required");
  event["detail"]["severity"] = "high";
  EXPECT_INVALID(Context(), event.dump(), "detail.severity", "detail.severity must be a number");
  event["detail"]["severity"] = 5;
  event["detail"].erase("arn");
  event["detail"].erase("id");
  EXPECT_INVALID(Context(), event.dump(), "detail.id", "detail.id is required");
}

TEST(NormalizeFindingsTest, ImpactForFindingLabel) {
  EXPECT_EQ(ImpactForFindingLabel("CRITICAL"), 1);
  EXPECT_EQ(ImpactForFindingLabel("HIGH"), 2);
  EXPECT_EQ(ImpactForFindingLabel("MEDIUM"), 3);
  EXPECT_EQ(ImpactForFindingLabel("LOW"), 4);
  EXPECT_EQ(ImpactForFindingLabel("INFORMATIONAL"), 5);
  EXPECT_EQ(ImpactForFindingLabel("SEVERE"), std::nullopt);
  EXPECT_EQ(ImpactForFindingLabel(""), std::nullopt);
}

}  // namespace
}  // namespace tocsin::ingest
