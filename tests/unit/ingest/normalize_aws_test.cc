// Normalize() for the AWS family: CloudWatch alarms (EventBridge, SNS, raw),
// SNS messages and control messages, any EventBridge event, PutEvents bodies.

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

constexpr const char* kAlarmArn =
    "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh";
constexpr const char* kTopicArn = "arn:aws:sns:us-east-1:123456789012:ops-alarms";

NormalizeContext Context(IntegrationType type = IntegrationType::kCloudWatch) {
  NormalizeContext context;
  context.type = type;
  context.integration_id = "int-7";
  context.integration_name = "aws-prod";
  context.account_id = "000000000000";
  context.region = "eu-west-1";
  context.now = *ParseRfc3339("2024-06-01T12:00:00.250Z");
  return context;
}

Json AlarmEvent() { return Json::parse(Testdata("doc_cloudwatch_alarm_event.json")); }
Json SnsAlarm() { return Json::parse(Testdata("doc_sns_cloudwatch_alarm.json")); }

// An SNS notification of `message` (text) with `subject`.
Json SnsText(const std::string& message, const std::string& subject) {
  Json sns = {{"Type", "Notification"},
              {"MessageId", "5f8b2d3e-0000-4000-8000-000000000001"},
              {"TopicArn", kTopicArn},
              {"Message", message},
              {"Timestamp", "2024-05-14T09:12:03.123Z"},
              {"SignatureVersion", "1"},
              {"Signature", "EXAMPLE"}};
  if (!subject.empty()) sns["Subject"] = subject;
  return sns;
}

// --- CloudWatch alarms through EventBridge ----------------------------------------------

TEST(NormalizeAwsTest, CloudWatchAlarmEventTriggers) {
  const Batch batch = MustNormalize(Context(), AlarmEvent().dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  const Signal& s = batch.signals[0];
  EXPECT_EQ(s.action, SignalAction::kTrigger);
  EXPECT_EQ(s.key, kAlarmArn);
  EXPECT_EQ(s.title, "ServerCpuTooHigh: Goes into alarm when server CPU utilization is too high!");
  EXPECT_EQ(s.summary,
            "Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (02/10/19 "
            "16:59:00)] was greater than the threshold (50.0) (minimum 1 datapoint for OK -> "
            "ALARM transition).");
  EXPECT_EQ(s.impact, std::nullopt);
  ASSERT_EQ(s.related_items.size(), 1u);
  EXPECT_EQ(s.related_items[0].type, "INVOLVED_RESOURCE");
  EXPECT_EQ(s.related_items[0].value_kind, "arn");
  EXPECT_EQ(s.related_items[0].value, kAlarmArn);
  EXPECT_EQ(s.trigger.source, "aws.cloudwatch");
  EXPECT_EQ(s.trigger.trigger_arn, kAlarmArn);
  // state.timestamp "2019-10-02T17:04:40.989+0000".
  EXPECT_EQ(FormatRfc3339(s.trigger.timestamp), "2019-10-02T17:04:40.989Z");
  EXPECT_EQ(Json::parse(s.trigger.raw_data)["id"], "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92");
  EXPECT_FALSE(Json::parse(s.trigger.raw_data).contains("integration"));

  // The event keeps its own envelope.
  const Json& e = s.envelope;
  EXPECT_EQ(e["id"], "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92");
  EXPECT_EQ(e["source"], "aws.cloudwatch");
  EXPECT_EQ(e["detail-type"], "CloudWatch Alarm State Change");
  EXPECT_EQ(e["account"], "123456789012");
  EXPECT_EQ(e["region"], "us-east-1");
  EXPECT_EQ(e["time"], "2019-10-02T17:04:40Z");
  EXPECT_EQ(e["resources"], Json::array({kAlarmArn}));
  EXPECT_EQ(e["detail"], AlarmEvent()["detail"]);
  EXPECT_EQ(e["integration"],
            (Json{{"id", "int-7"}, {"name", "aws-prod"}, {"type", "cloudwatch"}}));
}

TEST(NormalizeAwsTest, AlarmStatesMapToActions) {
  for (const auto& [state, action] :
       {std::pair{"ALARM", SignalAction::kTrigger}, std::pair{"OK", SignalAction::kResolve},
        std::pair{"INSUFFICIENT_DATA", SignalAction::kAnnotate}}) {
    Json event = AlarmEvent();
    event["detail"]["state"]["value"] = state;
    const Batch batch = MustNormalize(Context(), event.dump());
    ASSERT_EQ(batch.signals.size(), 1u) << state;
    EXPECT_EQ(batch.signals[0].action, action) << state;
    EXPECT_EQ(batch.signals[0].key, kAlarmArn) << state;
  }
  Json event = AlarmEvent();
  event["detail"]["state"]["value"] = "WARNING";
  EXPECT_INVALID(Context(), event.dump(), "detail.state.value",
                 "detail.state.value must be one of ALARM, OK, INSUFFICIENT_DATA");
  event["detail"]["state"].erase("value");
  EXPECT_INVALID(Context(), event.dump(), "detail.state.value", "detail.state.value is required");
}

TEST(NormalizeAwsTest, AlarmWithoutResourcesGetsTheArnCloudWatchWouldSend) {
  Json event = AlarmEvent();
  event["resources"] = Json::array();
  event["detail"]["configuration"].erase("description");
  event["detail"]["state"].erase("reason");
  event["detail"]["state"].erase("timestamp");
  const Batch batch = MustNormalize(Context(), event.dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  const Signal& s = batch.signals[0];
  EXPECT_EQ(s.key, kAlarmArn);
  EXPECT_EQ(s.title, "ServerCpuTooHigh");
  EXPECT_EQ(s.summary, "The alarm state is ALARM.");
  EXPECT_EQ(FormatRfc3339(s.trigger.timestamp), "2019-10-02T17:04:40Z");  // The event time.

  event["detail"].erase("alarmName");
  EXPECT_INVALID(Context(), event.dump(), "detail.alarmName", "detail.alarmName is required");
}

TEST(NormalizeAwsTest, EveryResourceArnIsARelatedItemOnce) {
  Json event = AlarmEvent();
  event["resources"].push_back("arn:aws:ec2:us-east-1:123456789012:instance/i-12345678901234567");
  event["resources"].push_back(kAlarmArn);
  event["resources"].push_back("not-an-arn");
  const Batch batch = MustNormalize(Context(), event.dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  ASSERT_EQ(batch.signals[0].related_items.size(), 2u);
  EXPECT_EQ(batch.signals[0].related_items[1].value,
            "arn:aws:ec2:us-east-1:123456789012:instance/i-12345678901234567");
}

// --- CloudWatch alarms through SNS -----------------------------------------------------

TEST(NormalizeAwsTest, SnsAlarmBecomesTheEventBridgeShape) {
  const Batch batch = MustNormalize(Context(IntegrationType::kSns), SnsAlarm().dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  const Signal& s = batch.signals[0];
  EXPECT_EQ(s.action, SignalAction::kTrigger);
  EXPECT_EQ(s.key, kAlarmArn);
  EXPECT_EQ(s.trigger.trigger_arn, kAlarmArn);
  EXPECT_EQ(s.title, "ServerCpuTooHigh: Goes into alarm when server CPU utilization is too high!");
  EXPECT_EQ(s.summary.rfind("Threshold Crossed: 1 out of the last 1 datapoints", 0), 0u);
  EXPECT_EQ(s.trigger.source, "aws.cloudwatch");
  EXPECT_EQ(FormatRfc3339(s.trigger.timestamp), "2019-10-02T17:04:40.989Z");
  EXPECT_EQ(Json::parse(s.trigger.raw_data)["TopicArn"], kTopicArn);  // What was received.

  const Json& e = s.envelope;
  EXPECT_EQ(e["version"], "0");
  EXPECT_EQ(e["id"], "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324");  // The SNS MessageId.
  EXPECT_EQ(e["source"], "aws.cloudwatch");
  EXPECT_EQ(e["detail-type"], "CloudWatch Alarm State Change");
  EXPECT_EQ(e["account"], "123456789012");
  EXPECT_EQ(e["region"], "us-east-1");  // From "US East (N. Virginia)".
  EXPECT_EQ(e["time"], "2019-10-02T17:04:40Z");
  EXPECT_EQ(e["resources"], Json::array({kAlarmArn}));
  EXPECT_EQ(e["integration"]["type"], "sns");
  const Json& d = e["detail"];
  EXPECT_EQ(d["alarmName"], "ServerCpuTooHigh");
  EXPECT_EQ(d["state"]["value"], "ALARM");
  EXPECT_EQ(d["state"]["timestamp"], "2019-10-02T17:04:40.989+0000");
  EXPECT_EQ(d["previousState"]["value"], "OK");
  EXPECT_EQ(d["configuration"]["description"],
            "Goes into alarm when server CPU utilization is too high!");
  const Json& metric = d["configuration"]["metrics"][0];
  EXPECT_EQ(metric["metricStat"]["metric"]["name"], "CPUUtilization");
  EXPECT_EQ(metric["metricStat"]["metric"]["namespace"], "AWS/EC2");
  EXPECT_EQ(metric["metricStat"]["metric"]["dimensions"],
            (Json{{"InstanceId", "i-12345678901234567"}}));
  EXPECT_EQ(metric["metricStat"]["period"], 300);
  EXPECT_EQ(metric["metricStat"]["stat"], "Average");
  EXPECT_EQ(metric["returnData"], true);
}

TEST(NormalizeAwsTest, SnsAlarmStatesAndRegions) {
  Json sns = SnsAlarm();
  Json message = Json::parse(sns["Message"].get<std::string>());
  message["NewStateValue"] = "OK";
  message["Region"] = "EU (Paris)";
  sns["Message"] = message.dump();
  Batch batch = MustNormalize(Context(), sns.dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  EXPECT_EQ(batch.signals[0].action, SignalAction::kResolve);
  EXPECT_EQ(batch.signals[0].envelope["region"], "eu-west-3");

  // An unknown long name: the region comes from the alarm ARN.
  message["NewStateValue"] = "INSUFFICIENT_DATA";
  message["Region"] = "Somewhere (New)";
  message["AlarmArn"] = "arn:aws:cloudwatch:ap-southeast-2:123456789012:alarm:ServerCpuTooHigh";
  sns["Message"] = message.dump();
  batch = MustNormalize(Context(), sns.dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  EXPECT_EQ(batch.signals[0].action, SignalAction::kAnnotate);
  EXPECT_EQ(batch.signals[0].envelope["region"], "ap-southeast-2");
}

TEST(NormalizeAwsTest, SnsMetricMathAlarmKeepsItsQueries) {
  Json sns = SnsAlarm();
  Json message = Json::parse(sns["Message"].get<std::string>());
  message["Trigger"] = Json::parse(R"({
    "Metrics": [
      {"Expression": "m1/m2*100", "Id": "e1", "Label": "Error rate", "ReturnData": true},
      {"Id": "m1", "ReturnData": false, "MetricStat": {"Metric": {"Dimensions": [{"value": "api", "name": "Service"}],
        "MetricName": "Errors", "Namespace": "App"}, "Period": 60, "Stat": "Sum"}}],
    "ComparisonOperator": "GreaterThanThreshold", "Threshold": 5.0, "EvaluationPeriods": 1})");
  message["AlarmDescription"] = nullptr;  // CloudWatch sends null when there is none.
  sns["Message"] = message.dump();
  const Batch batch = MustNormalize(Context(), sns.dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  EXPECT_EQ(batch.signals[0].title, "ServerCpuTooHigh");
  const Json& configuration = batch.signals[0].envelope["detail"]["configuration"];
  EXPECT_FALSE(configuration.contains("description"));
  const Json& metrics = configuration["metrics"];
  ASSERT_EQ(metrics.size(), 2u);
  EXPECT_EQ(metrics[0], (Json{{"id", "e1"},
                              {"expression", "m1/m2*100"},
                              {"label", "Error rate"},
                              {"returnData", true}}));
  EXPECT_EQ(metrics[1]["metricStat"]["metric"]["dimensions"], (Json{{"Service", "api"}}));
  EXPECT_EQ(metrics[1]["metricStat"]["stat"], "Sum");
  EXPECT_EQ(metrics[1]["returnData"], false);
}

TEST(NormalizeAwsTest, LambdaRecordsCarrySnsMessages) {
  Json sns = SnsAlarm();
  sns["SigningCertUrl"] = sns["SigningCertURL"];
  sns.erase("SigningCertURL");
  sns["MessageAttributes"] = Json::object();
  Json second = SnsText("Backup failed on db1", "Backup failed");
  const Json body = {
      {"Records", Json::array({{{"EventSource", "aws:sns"}, {"EventVersion", "1.0"}, {"Sns", sns}},
                               {{"EventSource", "aws:sns"}, {"Sns", second}}})}};
  const Batch batch = MustNormalize(Context(IntegrationType::kSns), body.dump());
  ASSERT_EQ(batch.signals.size(), 2u);
  EXPECT_EQ(batch.signals[0].key, kAlarmArn);
  EXPECT_EQ(batch.signals[0].envelope["source"], "aws.cloudwatch");
  EXPECT_EQ(batch.signals[1].envelope["source"], "aws.sns");

  EXPECT_INVALID(Context(), R"({"Records": [{"EventSource": "aws:sqs", "body": "x"}]})",
                 "Records[0].Sns", "Records[0].Sns is required");
  EXPECT_INVALID(Context(), R"({"Records": []})", "Records",
                 "Records must contain at least one record");
  EXPECT_INVALID(Context(), R"({"Records": [{"Sns": {"Type": "Notification", "TopicArn": "t"}}]})",
                 "Records[0].Sns.Message", "Records[0].Sns.Message is required");
}

TEST(NormalizeAwsTest, RawAlarmMessageDelivery) {
  const std::string message = SnsAlarm()["Message"];
  const Batch batch = MustNormalize(Context(), message);
  ASSERT_EQ(batch.signals.size(), 1u);
  EXPECT_EQ(batch.signals[0].key, kAlarmArn);
  EXPECT_EQ(batch.signals[0].envelope["detail-type"], "CloudWatch Alarm State Change");
  EXPECT_EQ(batch.signals[0].envelope["id"].get<std::string>().size(), 36u);
}

// --- SNS messages -------------------------------------------------------------------

TEST(NormalizeAwsTest, SnsConfirmationsAreControlMessagesWithoutSignals) {
  const Json confirm = {
      {"Type", "SubscriptionConfirmation"},
      {"MessageId", "165545c9-2a5c-472c-8df2-7ff2be2b3b1b"},
      {"Token", "2336412f37f..."},
      {"TopicArn", kTopicArn},
      {"Message", "You have chosen to subscribe to the topic " + std::string(kTopicArn) +
                      ".\nTo confirm the subscription, visit the SubscribeURL included in this "
                      "message."},
      {"SubscribeURL",
       "https://sns.us-east-1.amazonaws.com/"
       "?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ops-alarms&"
       "Token=2336412f37f"},
      {"Timestamp", "2012-04-26T20:45:04.751Z"},
      {"SignatureVersion", "1"},
      {"Signature", "EXAMPLEpH+..."},
      {"SigningCertURL", "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3.pem"}};
  const Batch batch = MustNormalize(Context(IntegrationType::kSns), confirm.dump());
  EXPECT_TRUE(batch.signals.empty());
  ASSERT_TRUE(batch.sns.has_value());
  EXPECT_EQ(batch.sns->type, "SubscriptionConfirmation");
  EXPECT_EQ(batch.sns->topic_arn, kTopicArn);
  EXPECT_EQ(batch.sns->subscribe_url, confirm["SubscribeURL"]);
  EXPECT_EQ(batch.sns->message_id, "165545c9-2a5c-472c-8df2-7ff2be2b3b1b");

  Json unsubscribe = confirm;
  unsubscribe["Type"] = "UnsubscribeConfirmation";
  const Batch unsubscribed = MustNormalize(Context(IntegrationType::kSns), unsubscribe.dump());
  EXPECT_TRUE(unsubscribed.signals.empty());
  ASSERT_TRUE(unsubscribed.sns.has_value());
  EXPECT_EQ(unsubscribed.sns->type, "UnsubscribeConfirmation");

  Json incomplete = confirm;
  incomplete.erase("SubscribeURL");
  EXPECT_INVALID(Context(IntegrationType::kSns), incomplete.dump(), "SubscribeURL",
                 "SubscribeURL is required");
}

TEST(NormalizeAwsTest, SnsTextMessageTriggersAndRepeatsDedupe) {
  const Json sns = SnsText("The nightly backup of db1 failed.\nExit code 3.", "Backup failed");
  const Batch batch = MustNormalize(Context(IntegrationType::kSns), sns.dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  const Signal& s = batch.signals[0];
  EXPECT_EQ(s.action, SignalAction::kTrigger);
  EXPECT_EQ(s.key, std::string(kTopicArn) + "/Backup failed");
  EXPECT_EQ(s.title, "Backup failed");
  EXPECT_EQ(s.summary, "The nightly backup of db1 failed.\nExit code 3.");
  EXPECT_EQ(s.trigger.source, "aws.sns");
  EXPECT_EQ(s.trigger.trigger_arn, kTopicArn);
  EXPECT_EQ(FormatRfc3339(s.trigger.timestamp), "2024-05-14T09:12:03.123Z");
  const Json& e = s.envelope;
  EXPECT_EQ(e["source"], "aws.sns");
  EXPECT_EQ(e["detail-type"], "SNS Notification");
  EXPECT_EQ(e["id"], "5f8b2d3e-0000-4000-8000-000000000001");
  EXPECT_EQ(e["account"], "123456789012");
  EXPECT_EQ(e["region"], "us-east-1");
  EXPECT_EQ(e["resources"], Json::array({kTopicArn}));
  EXPECT_EQ(e["detail"]["message"], "The nightly backup of db1 failed.\nExit code 3.");
  EXPECT_EQ(e["detail"]["subject"], "Backup failed");

  Json again = SnsText("The nightly backup of db1 failed.\nExit code 4.", "Backup failed");
  again["MessageId"] = "5f8b2d3e-0000-4000-8000-000000000002";
  const Batch repeat = MustNormalize(Context(IntegrationType::kSns), again.dump());
  ASSERT_EQ(repeat.signals.size(), 1u);
  EXPECT_EQ(repeat.signals[0].key, s.key);
}

TEST(NormalizeAwsTest, SnsTextWithoutSubjectUsesTheFirstLine) {
  const Batch batch = MustNormalize(Context(IntegrationType::kSns),
                                    SnsText("\n  \nDisk full on db1\nmore", "").dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  EXPECT_EQ(batch.signals[0].title, "Disk full on db1");
  EXPECT_EQ(batch.signals[0].key, std::string(kTopicArn) + "/Disk full on db1");

  // JSON of no known shape: the message is kept parsed for rules.
  const Batch json = MustNormalize(Context(IntegrationType::kSns),
                                   SnsText(R"({"job": "backup", "ok": false})", "").dump());
  ASSERT_EQ(json.signals.size(), 1u);
  EXPECT_EQ(json.signals[0].title, "SNS notification from ops-alarms");
  EXPECT_EQ(json.signals[0].key, kTopicArn);
  EXPECT_EQ(json.signals[0].envelope["detail"]["message"]["job"], "backup");
}

TEST(NormalizeAwsTest, SnsMessageThatIsAnEventIsHandledAsTheEvent) {
  const Json sns = SnsText(Testdata("doc_eventbridge_ec2_event.json"), "");
  const Batch batch = MustNormalize(Context(IntegrationType::kSns), sns.dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  EXPECT_EQ(batch.signals[0].key, "6a7e8feb-b491-4cf7-a9f1-bf3703467718");
  EXPECT_EQ(batch.signals[0].envelope["source"], "aws.ec2");
  EXPECT_EQ(batch.signals[0].trigger.source, "aws.ec2");
}

TEST(NormalizeAwsTest, SnsShapeErrors) {
  const NormalizeContext context = Context(IntegrationType::kSns);
  Json sns = SnsText("x", "y");
  sns["Type"] = "Bogus";
  EXPECT_INVALID(context, sns.dump(), "Type",
                 "Type must be one of Notification, SubscriptionConfirmation, "
                 "UnsubscribeConfirmation");
  sns["Type"] = "Notification";
  sns["Message"] = Json::object();
  EXPECT_INVALID(context, sns.dump(), "Message", "Message must be a string");
  sns["Message"] = "x";
  sns.erase("TopicArn");
  EXPECT_INVALID(context, sns.dump(), "TopicArn", "TopicArn is required");
  // An alarm inside SNS with a bad state names the path through the message.
  Json alarm = SnsAlarm();
  Json message = Json::parse(alarm["Message"].get<std::string>());
  message["NewStateValue"] = "BROKEN";
  alarm["Message"] = message.dump();
  EXPECT_INVALID(context, alarm.dump(), "Message.detail.state.value",
                 "Message.detail.state.value must be one of ALARM, OK, INSUFFICIENT_DATA");
}

// --- Any other EventBridge event -------------------------------------------------------

TEST(NormalizeAwsTest, AnyEventBridgeEventTriggersItsOwnIncident) {
  const Batch batch = MustNormalize(Context(IntegrationType::kEventBridge),
                                    Testdata("doc_eventbridge_ec2_event.json"));
  ASSERT_EQ(batch.signals.size(), 1u);
  const Signal& s = batch.signals[0];
  EXPECT_EQ(s.action, SignalAction::kTrigger);
  EXPECT_EQ(s.key, "6a7e8feb-b491-4cf7-a9f1-bf3703467718");
  EXPECT_EQ(s.title,
            "EC2 Instance State-change Notification: "
            "arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0");
  EXPECT_EQ(s.summary,
            "EC2 Instance State-change Notification from aws.ec2 (account 111122223333, region "
            "us-west-1)\nResources: arn:aws:ec2:us-west-1:123456789012:instance/"
            "i-1234567890abcdef0\nDetail: {\"instance-id\":\" i-1234567890abcdef0\",\"state\":"
            "\"terminated\"}");
  EXPECT_EQ(s.impact, std::nullopt);
  ASSERT_EQ(s.related_items.size(), 1u);
  EXPECT_EQ(s.related_items[0].type, "INVOLVED_RESOURCE");
  EXPECT_EQ(s.trigger.source, "aws.ec2");
  EXPECT_EQ(s.trigger.trigger_arn, "");
  EXPECT_EQ(FormatRfc3339(s.trigger.timestamp), "2017-12-22T18:43:48Z");
  EXPECT_EQ(s.envelope["account"], "111122223333");
  EXPECT_EQ(s.envelope["region"], "us-west-1");
  EXPECT_EQ(s.envelope["time"], "2017-12-22T18:43:48Z");
  EXPECT_EQ(s.envelope["detail"]["state"], "terminated");
  EXPECT_EQ(s.envelope["integration"]["type"], "eventbridge");
}

TEST(NormalizeAwsTest, EventEnvelopeIsCompletedFromTheContext) {
  const Json event = {{"source", "com.example.orders.very-long-source-name-that-goes-past-fifty"},
                      {"detail-type", "Order Failed"},
                      {"detail", {{"orderId", 42}}},
                      {"integration", {{"id", "someone-else"}}}};
  const Batch batch = MustNormalize(Context(IntegrationType::kEventBridge), event.dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  const Signal& s = batch.signals[0];
  const Json& e = s.envelope;
  EXPECT_EQ(e["version"], "0");
  EXPECT_EQ(e["id"].get<std::string>().size(), 36u);
  EXPECT_EQ(s.key, e["id"]);
  EXPECT_EQ(e["account"], "000000000000");
  EXPECT_EQ(e["region"], "eu-west-1");
  EXPECT_EQ(e["time"], "2024-06-01T12:00:00Z");
  EXPECT_EQ(e["resources"], Json::array());
  EXPECT_EQ(e["integration"]["id"], "int-7");  // Not the event's claim.
  EXPECT_EQ(s.title, "Order Failed");
  EXPECT_EQ(s.trigger.source, "com.example.orders.very-long-source-name-that-goes");
  EXPECT_EQ(s.trigger.source.size(), 50u);
  EXPECT_EQ(s.trigger.timestamp, Context().now);
}

TEST(NormalizeAwsTest, EventTimesWithOffsetsAndFractionsAreNormalized) {
  Json event = Json::parse(Testdata("doc_eventbridge_ec2_event.json"));
  event["time"] = "2017-12-22T20:43:48.987+0200";
  const Batch batch = MustNormalize(Context(IntegrationType::kEventBridge), event.dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  EXPECT_EQ(batch.signals[0].envelope["time"], "2017-12-22T18:43:48Z");
  EXPECT_EQ(FormatRfc3339(batch.signals[0].trigger.timestamp), "2017-12-22T18:43:48.987Z");
}

TEST(NormalizeAwsTest, EventShapeErrors) {
  const NormalizeContext context = Context(IntegrationType::kEventBridge);
  EXPECT_INVALID(context, R"({"source": "aws.ec2", "detail": {}})", "detail-type",
                 "detail-type is required");
  EXPECT_INVALID(context, R"({"source": "", "detail-type": "X"})", "source",
                 "source must be a non-empty string");
  EXPECT_INVALID(context, R"({"source": "a", "detail-type": "X", "detail": "text"})", "detail",
                 "detail must be an object");
  EXPECT_INVALID(context, R"({"source": "a", "detail-type": "X", "resources": "arn"})", "resources",
                 "resources must be an array");
  EXPECT_INVALID(context, R"({"hello": "world"})", "",
                 "request body must be an EventBridge event, a PutEvents body ({\"Entries\": "
                 "[...]}), an SNS message or a CloudWatch alarm message");
  EXPECT_INVALID(Context(IntegrationType::kSecurityHub), R"({"hello": "world"})", "",
                 "request body must be a BatchImportFindings body ({\"Findings\": [...]}) or an "
                 "EventBridge event");
}

// --- PutEvents ------------------------------------------------------------------------

TEST(NormalizeAwsTest, PutEventsEntriesBecomeOneEnvelopeEach) {
  const Json body = {
      {"Entries",
       Json::array(
           {{{"Source", "com.example.orders"},
             {"DetailType", "Order Failed"},
             {"Detail", R"({"orderId": "o-1", "reason": "card declined"})"},
             {"Resources", Json::array({"arn:aws:dynamodb:eu-west-1:111122223333:table/orders"})},
             {"Time", "2024-05-14T09:12:03Z"},
             {"EventBusName", "default"}},
            {{"Source", "com.example.orders"},
             {"DetailType", "Order Failed"},
             {"Detail", R"({"orderId": "o-2"})"},
             {"Time", 1715677923.5}}})}};
  const Batch batch = MustNormalize(Context(IntegrationType::kEventBridge), body.dump());
  ASSERT_EQ(batch.signals.size(), 2u);
  const Json& first = batch.signals[0].envelope;
  EXPECT_EQ(first["source"], "com.example.orders");
  EXPECT_EQ(first["detail-type"], "Order Failed");
  EXPECT_EQ(first["detail"]["reason"], "card declined");
  EXPECT_EQ(first["resources"][0], "arn:aws:dynamodb:eu-west-1:111122223333:table/orders");
  EXPECT_EQ(first["time"], "2024-05-14T09:12:03Z");
  EXPECT_EQ(first["account"], "000000000000");
  EXPECT_EQ(batch.signals[0].related_items.size(), 1u);
  EXPECT_EQ(batch.signals[0].key, first["id"]);
  EXPECT_NE(batch.signals[0].key, batch.signals[1].key);
  EXPECT_EQ(batch.signals[1].envelope["time"], "2024-05-14T09:12:03Z");  // Epoch seconds.
  EXPECT_EQ(FormatRfc3339(batch.signals[1].trigger.timestamp), "2024-05-14T09:12:03.500Z");
}

TEST(NormalizeAwsTest, PutEventsEntryWithAnAlarmIsAnAlarm) {
  const Json alarm = AlarmEvent();
  const Json body = {{"Entries", Json::array({{{"Source", "aws.cloudwatch"},
                                               {"DetailType", "CloudWatch Alarm State Change"},
                                               {"Detail", alarm["detail"].dump()},
                                               {"Resources", alarm["resources"]}}})}};
  const Batch batch = MustNormalize(Context(), body.dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  EXPECT_EQ(batch.signals[0].key, kAlarmArn);
  EXPECT_EQ(batch.signals[0].action, SignalAction::kTrigger);
}

TEST(NormalizeAwsTest, PutEventsErrors) {
  const NormalizeContext context = Context(IntegrationType::kEventBridge);
  EXPECT_INVALID(context, R"({"Entries": []})", "Entries",
                 "Entries must contain at least one entry");
  EXPECT_INVALID(context, R"({"Entries": {}})", "Entries", "Entries must be an array");
  EXPECT_INVALID(context, R"({"Entries": [{"DetailType": "X", "Detail": "{}"}]})",
                 "Entries[0].Source", "Entries[0].Source is required");
  EXPECT_INVALID(context,
                 R"({"Entries": [{"Source": "a", "DetailType": "X", "Detail": "{}"},
                                {"Source": "a", "DetailType": "X", "Detail": "not json"}]})",
                 "Entries[1].Detail", "Entries[1].Detail must be a JSON object, as a string");
  EXPECT_INVALID(context, R"({"Entries": [{"Source": "a", "DetailType": "X", "Detail": {}}]})",
                 "Entries[0].Detail", "Entries[0].Detail must be a string");
  EXPECT_INVALID(
      context,
      R"({"Entries": [{"Source": "a", "DetailType": "X", "Detail": "{}", "Time": "noon"}]})",
      "Entries[0].Time", "Entries[0].Time must be an RFC 3339 date-time or epoch seconds");
  EXPECT_INVALID(
      context,
      R"({"Entries": [{"Source": "a", "DetailType": "X", "Detail": "{}", "Resources": [1]}]})",
      "Entries[0].Resources[0]", "Entries[0].Resources[0] must be a string");
}

// --- Findings through the AWS types ------------------------------------------------------

TEST(NormalizeAwsTest, SecurityHubAndGuardDutyEventsGoToTheFindingsParser) {
  for (const char* name :
       {"doc_securityhub_imported_event.json", "doc_guardduty_finding_event.json"}) {
    const Batch batch = MustNormalize(Context(IntegrationType::kEventBridge), Testdata(name));
    ASSERT_EQ(batch.signals.size(), 1u) << name;
    EXPECT_TRUE(batch.signals[0].finding.has_value()) << name;
  }
  // Also inside SNS.
  const Batch sns = MustNormalize(
      Context(IntegrationType::kSns),
      SnsText(Testdata("doc_guardduty_finding_event.json"), "GuardDuty finding").dump());
  ASSERT_EQ(sns.signals.size(), 1u);
  EXPECT_TRUE(sns.signals[0].finding.has_value());
  EXPECT_EQ(sns.signals[0].trigger.source, "aws.guardduty");
}

TEST(NormalizeAwsTest, RawDataIsBounded) {
  Json event = AlarmEvent();
  event["detail"]["state"]["reason"] = std::string(30000, 'r');
  const Batch batch = MustNormalize(Context(), event.dump());
  ASSERT_EQ(batch.signals.size(), 1u);
  EXPECT_EQ(batch.signals[0].trigger.raw_data.size(), kMaxRawData);
  EXPECT_EQ(batch.signals[0].summary.size(), 4000u);
}

}  // namespace
}  // namespace tocsin::ingest
