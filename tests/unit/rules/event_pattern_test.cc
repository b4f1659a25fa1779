#include "tocsin/rules/event_pattern.h"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "rules/pattern_internal.h"

namespace tocsin::rules {
namespace {

constexpr char kPrefix[] = "Event pattern is not valid. Reason: ";

// The EventBridge user guide's EC2 example event.
constexpr char kEc2Event[] = R"({
  "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"}})";

// event-ruler's README example event.
constexpr char kRulerEvent[] = R"({
  "version": "0", "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "012345679012", "time": "2017-10-02T16:24:49Z", "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  "detail": {"c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "10.0.0.33",
             "instance-id": "i-000000aaaaaa00000", "state": "running"}})";

// The CloudWatch user guide's "CloudWatch Alarm State Change" event, trimmed.
constexpr char kAlarmEvent[] = R"({
  "version": "0", "id": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
  "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
  "account": "123456789012", "time": "2019-10-02T17:04:40Z", "region": "us-east-1",
  "resources": ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"],
  "detail": {
    "alarmName": "ServerCpuTooHigh",
    "configuration": {"metrics": [
      {"id": "30b6c6b2", "returnData": true,
       "metricStat": {"metric": {"dimensions": {"InstanceId": "i-12345678901234567"},
                                 "name": "CPUUtilization", "namespace": "AWS/EC2"},
                      "period": 300, "stat": "Average"}}]},
    "previousState": {"value": "OK", "timestamp": "2019-10-01T13:56:40.987+0000"},
    "state": {"value": "ALARM", "timestamp": "2019-10-02T17:04:40.989+0000"}}})";

struct MatchCase {
  const char* name;
  const char* pattern;
  const char* event;
  bool matches;
};

void RunMatchCases(const std::vector<MatchCase>& cases) {
  for (const MatchCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto pattern = EventPattern::Parse(c.pattern);
    ASSERT_TRUE(pattern.ok()) << pattern.status().ToString();
    const auto event = nlohmann::json::parse(c.event);
    EXPECT_EQ(pattern->Matches(event), c.matches) << c.pattern << "\n" << c.event;
    // The same pattern compiled from a parsed document agrees.
    auto from_json = EventPattern::FromJson(nlohmann::json::parse(c.pattern));
    ASSERT_TRUE(from_json.ok()) << from_json.status().ToString();
    EXPECT_EQ(from_json->Matches(event), c.matches) << "FromJson";
  }
}

// --- Exact values and structure ------------------------------------------------

TEST(EventPatternTest, ExactValuesAndStructure) {
  RunMatchCases({
      {"docs: EC2 termination", R"({"source": ["aws.ec2"],
         "detail-type": ["EC2 Instance State-change Notification"],
         "detail": {"state": ["terminated"]}})",
       kEc2Event, true},
      {"other state", R"({"source": ["aws.ec2"], "detail": {"state": ["running"]}})", kEc2Event,
       false},
      {"values are OR-ed", R"({"detail": {"state": ["pending", "terminated"]}})", kEc2Event, true},
      {"fields are AND-ed", R"({"source": ["aws.ec2"], "region": ["eu-west-1"]})", kEc2Event,
       false},
      {"missing field", R"({"detail": {"nope": ["x"]}})", kEc2Event, false},
      {"key case matters", R"({"Source": ["aws.ec2"]})", kEc2Event, false},
      {"value case matters", R"({"source": ["AWS.EC2"]})", kEc2Event, false},
      {"unmentioned fields ignored", R"({"account": ["111122223333"]})", kEc2Event, true},
      {"string pattern, number event", R"({"n": ["5"]})", R"({"n": 5})", false},
      {"number pattern, string event", R"({"n": [5]})", R"({"n": "5"})", false},
      {"300 matches 3.0e2", R"({"n": [300]})", R"({"n": 3.0e2})", true},
      {"300 matches 300.0", R"({"n": [300]})", R"({"n": 300.0})", true},
      {"3.0e2 matches 300", R"({"n": [3.0e2]})", R"({"n": 300})", true},
      {"negative", R"({"n": [-7]})", R"({"n": -7.0})", true},
      {"300 vs 301", R"({"n": [300]})", R"({"n": 301})", false},
      {"big integers exact", R"({"n": [123456789012345678]})", R"({"n": 123456789012345679})",
       false},
      {"big integers equal", R"({"n": [123456789012345678]})", R"({"n": 123456789012345678})",
       true},
      {"true", R"({"b": [true]})", R"({"b": true})", true},
      {"true vs \"true\"", R"({"b": [true]})", R"({"b": "true"})", false},
      {"true vs false", R"({"b": [true]})", R"({"b": false})", false},
      {"false", R"({"b": [false]})", R"({"b": false})", true},
      {"null matches null", R"({"x": [null]})", R"({"x": null})", true},
      {"null vs empty string", R"({"x": [null]})", R"({"x": ""})", false},
      {"null vs absent", R"({"x": [null]})", R"({})", false},
      {"null vs \"null\"", R"({"x": [null]})", R"({"x": "null"})", false},
      {"empty string", R"({"x": [""]})", R"({"x": ""})", true},
      {"empty string vs null", R"({"x": [""]})", R"({"x": null})", false},
      {"empty string vs absent", R"({"x": [""]})", R"({})", false},
      {"detail as a JSON string is not parsed", R"({"detail": {"state": ["x"]}})",
       R"({"detail": "{\"state\": \"x\"}"})", false},
      {"leaf path holds an object", R"({"detail": ["x"]})", kEc2Event, false},
      {"pattern object, event scalar", R"({"detail": {"state": ["x"]}})", R"({"detail": "x"})",
       false},
      {"CloudWatch alarm into ALARM", R"({"source": ["aws.cloudwatch"],
         "detail-type": ["CloudWatch Alarm State Change"],
         "detail": {"state": {"value": ["ALARM"]}, "previousState": {"value": ["OK"]}}})",
       kAlarmEvent, true},
      {"alarm metric namespace through an array of objects", R"({
         "detail": {"configuration": {"metrics": {"metricStat": {"metric": {
           "namespace": ["AWS/EC2"], "dimensions": {"InstanceId": [{"prefix": "i-"}]}}}}}}})",
       kAlarmEvent, true},
      {"alarm period numeric", R"({"detail": {"configuration": {"metrics": {"metricStat":
         {"period": [{"numeric": [">=", 60, "<", 600]}]}}}}})",
       kAlarmEvent, true},
  });
}

TEST(EventPatternTest, Arrays) {
  RunMatchCases({
      {"docs: intersection with event array", R"({"resources": [
         "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
         "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f"]})",
       R"({"resources": [
         "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b",
         "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]})",
       true},
      {"no intersection", R"({"resources": ["a", "b"]})", R"({"resources": ["c", "d"]})", false},
      {"empty event array", R"({"resources": ["a"]})", R"({"resources": []})", false},
      {"nested arrays flatten", R"({"x": [3]})", R"({"x": [[1, 2], [3]]})", true},
      {"array of objects", R"({"employees": {"firstName": ["Anna"]}})",
       R"({"employees": [{"firstName": "John"}, {"firstName": "Anna"}]})", true},
      {"fields from different elements do not combine",
       R"({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}})",
       R"({"employees": [{"firstName": "Anna", "lastName": "Smith"},
                         {"firstName": "Peter", "lastName": "Jones"}]})",
       false},
      {"fields from one element",
       R"({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}})",
       R"({"employees": [{"firstName": "Peter", "lastName": "Smith"},
                         {"firstName": "Anna", "lastName": "Jones"}]})",
       true},
      {"independent arrays combine freely", R"({"a": {"x": [1]}, "b": {"y": [2]}})",
       R"({"a": [{"x": 0}, {"x": 1}], "b": [{"y": 2}, {"y": 3}]})", true},
      {"arrays nested in an element", R"({"a": {"b": {"c": ["x"]}, "d": ["y"]}})",
       R"({"a": [{"b": [{"c": "z"}, {"c": "x"}], "d": "y"}, {"d": "w"}]})", true},
      {"nested element chosen must carry both", R"({"a": {"b": {"c": ["x"]}, "d": ["y"]}})",
       R"({"a": [{"b": [{"c": "x"}], "d": "w"}, {"b": [{"c": "z"}], "d": "y"}]})", false},
  });
}

TEST(EventPatternTest, DotsInKeys) {
  RunMatchCases({
      {"dotted pattern key, nested event", R"({"detail": {"state.status": ["running"]}})",
       R"({"detail": {"state": {"status": "running"}}})", true},
      {"dotted pattern key, dotted event key", R"({"detail": {"state.status": ["running"]}})",
       R"({"detail": {"state.status": "running"}})", true},
      {"nested pattern, dotted event key", R"({"detail": {"state": {"status": ["running"]}}})",
       R"({"detail.state.status": "running"})", true},
      {"dotted, other value", R"({"detail": {"state.status": ["running"]}})",
       R"({"detail": {"state": {"status": "stopped"}}})", false},
      {"both routes present", R"({"a": {"b": ["2"]}})", R"({"a": {"b": "1"}, "a.b": "2"})", true},
      {"value and sub-field of one key", R"({"a": ["x"], "a.b": ["y"]})", R"({"a": "x", "b": 1})",
       false},
      // Tocsin's simplification: event-ruler flattens keys first and would match.
      {"fields through different dotted routes are not combined", R"({"a": ["x"], "a.b": ["y"]})",
       R"({"a": "x", "a.b": "y"})", false},
      {"a key sorting between a and a.b", R"({"a": {"b": ["y"]}})",
       R"({"a": {"c": 1}, "a-z": 1, "a.b": "y"})", true},
      {"later field overrides an earlier one of the same name",
       R"({"a": {"b": ["x"]}, "a.b": ["y"]})", R"({"a": {"b": "y"}})", true},
      {"overridden value no longer matches", R"({"a": {"b": ["x"]}, "a.b": ["y"]})",
       R"({"a": {"b": "x"}})", false},
  });
}

// --- String operators ------------------------------------------------------------

TEST(EventPatternTest, PrefixAndSuffix) {
  RunMatchCases({
      {"docs: prefix", R"({"time": [{"prefix": "2017-12-22"}]})", kEc2Event, true},
      {"prefix NEG", R"({"time": [{"prefix": "2017-10"}]})", kEc2Event, false},
      {"prefix never matches numbers", R"({"n": [{"prefix": "5"}]})", R"({"n": 5})", false},
      {"empty prefix matches any string", R"({"s": [{"prefix": ""}]})", R"({"s": "x"})", true},
      {"empty prefix needs a string", R"({"s": [{"prefix": ""}]})", R"({"s": null})", false},
      {"docs: prefix ignore case", R"({"detail": {"service": [{"prefix":
         {"equals-ignore-case": "EventB"}}]}})",
       R"({"detail": {"service": "eventbridge"}})", true},
      {"prefix ignore case upper", R"({"s": [{"prefix": {"equals-ignore-case": "EventB"}}]})",
       R"({"s": "EVENTBRIDGE"})", true},
      {"prefix ignore case too short", R"({"s": [{"prefix": {"equals-ignore-case": "EventB"}}]})",
       R"({"s": "Event"})", false},
      {"docs: suffix", R"({"FileName": [{"suffix": ".png"}]})", R"({"FileName": "photo.png"})",
       true},
      {"suffix is case sensitive", R"({"FileName": [{"suffix": ".png"}]})",
       R"({"FileName": "photo.PNG"})", false},
      {"suffix NEG", R"({"FileName": [{"suffix": ".png"}]})", R"({"FileName": "photo.jpg"})",
       false},
      {"docs: suffix ignore case", R"({"detail": {"FileName": [{"suffix":
         {"equals-ignore-case": ".png"}}]}})",
       R"({"detail": {"FileName": "PHOTO.PNG"}})", true},
      {"suffix ignore case NEG", R"({"f": [{"suffix": {"equals-ignore-case": ".png"}}]})",
       R"({"f": "photo.jpeg"})", false},
      {"suffix on numbers", R"({"n": [{"suffix": "5"}]})", R"({"n": 15})", false},
  });
}

TEST(EventPatternTest, EqualsIgnoreCase) {
  RunMatchCases({
      {"docs: equals-ignore-case", R"({"Name": [{"equals-ignore-case": "alice"}]})",
       R"({"Name": "ALICE"})", true},
      {"longer value", R"({"Name": [{"equals-ignore-case": "alice"}]})", R"({"Name": "Alicia"})",
       false},
      {"Latin-1", R"({"s": [{"equals-ignore-case": "école"}]})", R"({"s": "ÉCOLE"})", true},
      {"Cyrillic", R"({"s": [{"equals-ignore-case": "МОСКВА"}]})", R"({"s": "москва"})", true},
      {"Greek", R"({"s": [{"equals-ignore-case": "σοφία"}]})", R"({"s": "ΣΟΦΊΑ"})", true},
      {"empty matches only empty", R"({"s": [{"equals-ignore-case": ""}]})", R"({"s": ""})", true},
      {"empty NEG", R"({"s": [{"equals-ignore-case": ""}]})", R"({"s": "x"})", false},
      {"numbers never", R"({"n": [{"equals-ignore-case": "5"}]})", R"({"n": 5})", false},
  });
}

TEST(EventPatternTest, Wildcard) {
  RunMatchCases({
      {"docs: event bus ARN",
       R"({"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]})",
       R"({"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/myEventBus"})", true},
      {"star crosses slashes", R"({"f": [{"wildcard": "dir/*.png"}]})", R"({"f": "dir/a/b.png"})",
       true},
      {"suffix part must match", R"({"f": [{"wildcard": "dir/*.png"}]})", R"({"f": "dir/a.jpg"})",
       false},
      {"prefix part must match", R"({"f": [{"wildcard": "dir/*.png"}]})", R"({"f": "src/a.png"})",
       false},
      {"middle part", R"({"f": [{"wildcard": "*/lib/*"}]})", R"({"f": "/usr/lib/x.so"})", true},
      {"parts may not overlap", R"({"f": [{"wildcard": "ab*ba"}]})", R"({"f": "aba"})", false},
      {"star matches empty", R"({"f": [{"wildcard": "a*b"}]})", R"({"f": "ab"})", true},
      {"lone star", R"({"f": [{"wildcard": "*"}]})", R"({"f": ""})", true},
      {"lone star needs a string", R"({"f": [{"wildcard": "*"}]})", R"({"f": 3})", false},
      {"escaped star", R"({"f": [{"wildcard": "a\\*b"}]})", R"({"f": "a*b"})", true},
      {"escaped star is literal", R"({"f": [{"wildcard": "a\\*b"}]})", R"({"f": "axb"})", false},
      {"escaped backslash", R"({"f": [{"wildcard": "a\\\\b"}]})", R"({"f": "a\\b"})", true},
      {"empty wildcard", R"({"f": [{"wildcard": ""}]})", R"({"f": ""})", true},
      {"empty wildcard NEG", R"({"f": [{"wildcard": ""}]})", R"({"f": "x"})", false},
      {"repeating directories (accepted by AWS)",
       R"({"FileName": [{"wildcard": "/Users/*/dir/dir/dir/dir/dir/doc.txt"}]})",
       R"({"FileName": "/Users/ls_user/dir/dir/dir/dir/dir/doc.txt"})", true},
      {"four one-star wildcards (accepted by AWS)", R"({"k": [{"wildcard": "*.bif"},
         {"wildcard": "*.tiff"}, {"wildcard": "*.tif"}, {"wildcard": "*.svs"}]})",
       R"({"k": "slide.tif"})", true},
  });
}

// --- anything-but ------------------------------------------------------------------

TEST(EventPatternTest, AnythingBut) {
  RunMatchCases({
      {"docs: string", R"({"detail": {"state": [{"anything-but": "initializing"}]}})", kRulerEvent,
       true},
      {"string NEG", R"({"s": [{"anything-but": "initializing"}]})", R"({"s": "initializing"})",
       false},
      {"absent field never matches", R"({"s": [{"anything-but": "x"}]})", R"({})", false},
      {"null matches", R"({"s": [{"anything-but": "x"}]})", R"({"s": null})", true},
      {"other type matches", R"({"s": [{"anything-but": "5"}]})", R"({"s": 5})", true},
      {"object at the path is no value", R"({"s": [{"anything-but": "x"}]})", R"({"s": {"a": 1}})",
       false},
      {"docs: number", R"({"detail": {"x-limit": [{"anything-but": 123}]}})", kRulerEvent, true},
      {"number NEG", R"({"n": [{"anything-but": 123}]})", R"({"n": 123})", false},
      {"number compared numerically", R"({"n": [{"anything-but": 123}]})", R"({"n": 123.0})",
       false},
      {"number vs string", R"({"n": [{"anything-but": 123}]})", R"({"n": "123"})", true},
      {"docs: string list", R"({"s": [{"anything-but": ["stopped", "overloaded"]}]})",
       R"({"s": "running"})", true},
      {"string list NEG", R"({"s": [{"anything-but": ["stopped", "overloaded"]}]})",
       R"({"s": "overloaded"})", false},
      {"docs: number list", R"({"n": [{"anything-but": [100, 200, 300]}]})", R"({"n": 150})", true},
      {"number list NEG", R"({"n": [{"anything-but": [100, 200, 300]}]})", R"({"n": 200})", false},
      {"event array, one element outside", R"({"s": [{"anything-but": "x"}]})",
       R"({"s": ["x", "y"]})", true},
      {"event array, all inside", R"({"s": [{"anything-but": "x"}]})", R"({"s": ["x", "x"]})",
       false},
      {"docs: prefix", R"({"state": [{"anything-but": {"prefix": "init"}}]})",
       R"({"state": "running"})", true},
      {"prefix NEG", R"({"state": [{"anything-but": {"prefix": "init"}}]})",
       R"({"state": "initializing"})", false},
      {"prefix, number event", R"({"state": [{"anything-but": {"prefix": "1"}}]})",
       R"({"state": 12})", true},
      {"prefix list", R"({"s": [{"anything-but": {"prefix": ["init", "error"]}}]})",
       R"({"s": "errored"})", false},
      {"prefix list outside", R"({"s": [{"anything-but": {"prefix": ["init", "error"]}}]})",
       R"({"s": "ok"})", true},
      {"docs: suffix", R"({"FileName": [{"anything-but": {"suffix": ".png"}}]})",
       R"({"FileName": "a.txt"})", true},
      {"suffix NEG", R"({"FileName": [{"anything-but": {"suffix": ".png"}}]})",
       R"({"FileName": "a.png"})", false},
      {"docs: ignore case", R"({"s": [{"anything-but": {"equals-ignore-case": "Stopped"}}]})",
       R"({"s": "running"})", true},
      {"ignore case NEG", R"({"s": [{"anything-but": {"equals-ignore-case": "Stopped"}}]})",
       R"({"s": "STOPPED"})", false},
      {"ignore case list NEG",
       R"({"s": [{"anything-but": {"equals-ignore-case": ["Stopped", "Overloaded"]}}]})",
       R"({"s": "overloaded"})", false},
      {"ignore case, null event", R"({"s": [{"anything-but": {"equals-ignore-case": "x"}}]})",
       R"({"s": null})", true},
      {"docs: wildcard", R"({"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]})",
       R"({"FilePath": "/usr/bin/x"})", true},
      {"wildcard NEG", R"({"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]})",
       R"({"FilePath": "/usr/lib/x"})", false},
      {"wildcard list", R"({"f": [{"anything-but": {"wildcard": ["*/lib/*", "*.jar"]}}]})",
       R"({"f": "/opt/app.jar"})", false},
      {"wildcard, number event", R"({"f": [{"anything-but": {"wildcard": "*"}}]})", R"({"f": 5})",
       true},
      {"empty wildcard excludes only empty", R"({"f": [{"anything-but": {"wildcard": ""}}]})",
       R"({"f": "x"})", true},
      {"docs: not roses or absent", R"({"S": [{"anything-but": ["roses"]}, {"exists": false}]})",
       R"({})", true},
      {"not roses or absent: roses", R"({"S": [{"anything-but": ["roses"]}, {"exists": false}]})",
       R"({"S": "roses"})", false},
      {"not roses or absent: tulips", R"({"S": [{"anything-but": ["roses"]}, {"exists": false}]})",
       R"({"S": "tulips"})", true},
  });
}

// --- numeric ---------------------------------------------------------------------

TEST(EventPatternTest, Numeric) {
  RunMatchCases({
      {"ruler README", R"({"detail": {
         "c-count": [{"numeric": [">", 0, "<=", 5]}],
         "d-count": [{"numeric": ["<", 10]}],
         "x-limit": [{"numeric": ["=", 3.018e2]}]}})",
       kRulerEvent, true},
      {"upper bound inclusive", R"({"n": [{"numeric": [">", 0, "<=", 5]}]})", R"({"n": 5})", true},
      {"lower bound exclusive", R"({"n": [{"numeric": [">", 0, "<=", 5]}]})", R"({"n": 0})", false},
      {"above range", R"({"n": [{"numeric": [">", 0, "<=", 5]}]})", R"({"n": 6})", false},
      {">= includes", R"({"n": [{"numeric": [">=", 10]}]})", R"({"n": 10})", true},
      {"> excludes", R"({"n": [{"numeric": [">", 10]}]})", R"({"n": 10})", false},
      {"< negative", R"({"n": [{"numeric": ["<", 0]}]})", R"({"n": -1})", true},
      {"< excludes", R"({"n": [{"numeric": ["<", 0]}]})", R"({"n": 0})", false},
      {"= float vs int", R"({"n": [{"numeric": ["=", 100]}]})", R"({"n": 100.0})", true},
      {"int vs float bound", R"({"n": [{"numeric": [">", 100]}]})", R"({"n": 101.0})", true},
      {"strings never", R"({"n": [{"numeric": [">", 0]}]})", R"({"n": "300"})", false},
      {"null never", R"({"n": [{"numeric": [">", 0]}]})", R"({"n": null})", false},
      {"any array element", R"({"n": [{"numeric": ["<", 5]}]})", R"({"n": [10, 2]})", true},
      {"OR with an exact value", R"({"n": [{"numeric": ["<", 0]}, 7]})", R"({"n": 7})", true},
  });
}

// --- exists ------------------------------------------------------------------------

TEST(EventPatternTest, Exists) {
  RunMatchCases({
      {"true: present", R"({"detail": {"c-count": [{"exists": true}]}})", kRulerEvent, true},
      {"true: absent", R"({"detail": {"nope": [{"exists": true}]}})", kRulerEvent, false},
      {"true: null is a value", R"({"x": [{"exists": true}]})", R"({"x": null})", true},
      {"true: object is not a leaf", R"({"x": [{"exists": true}]})", R"({"x": {"a": 1}})", false},
      {"true: empty array has no value", R"({"resources": [{"exists": true}]})",
       R"({"resources": []})", false},
      {"true: array with values", R"({"resources": [{"exists": true}]})", R"({"resources": [1]})",
       true},
      {"false: absent", R"({"detail": {"nope": [{"exists": false}]}})", kRulerEvent, true},
      {"false: present", R"({"detail": {"c-count": [{"exists": false}]}})", kRulerEvent, false},
      {"false: null is present", R"({"x": [{"exists": false}]})", R"({"x": null})", false},
      {"false: object is not a leaf (ruler README)",
       R"({"detail": {"c-count": [{"exists": false}]}})", R"({"detail": {"c-count": {"c1": 100}}})",
       true},
      {"false: empty array", R"({"x": [{"exists": false}]})", R"({"x": []})", true},
      {"false: ancestor absent", R"({"dynamodb": {"NewImage": {"homemade": {"S":
         [{"exists": false}]}}}})",
       R"({"dynamodb": {"NewImage": {"purchased": {"N": "789"}}}})", true},
      {"false: ancestor is a scalar", R"({"a": {"b": [{"exists": false}]}})", R"({"a": 5})", true},
      {"false alone on an empty event", R"({"foo": [{"exists": false}]})", R"({})", true},
      {"false: present in some array element", R"({"items": {"x": [{"exists": false}]}})",
       R"({"items": [{"x": 1}, {"y": 2}]})", false},
      {"false: absent from every element", R"({"items": {"x": [{"exists": false}]}})",
       R"({"items": [{"y": 1}, {"y": 2}]})", true},
      {"false judged in the element the other field chose",
       R"({"items": {"y": [2], "x": [{"exists": false}]}})",
       R"({"items": [{"x": 1, "y": 1}, {"y": 2}]})", true},
      {"false in the chosen element NEG", R"({"items": {"y": [2], "x": [{"exists": false}]}})",
       R"({"items": [{"x": 1, "y": 2}]})", false},
      {"several operators OR-ed", R"({"my_key": [{"exists": true}, {"prefix": "IGNORED"}]})",
       R"({"my_key": "anything"})", true},
  });
}

// --- cidr and IP literals ------------------------------------------------------------

TEST(EventPatternTest, IpAddresses) {
  RunMatchCases({
      {"ruler README cidr", R"({"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}})", kRulerEvent,
       true},
      {"outside", R"({"ip": [{"cidr": "10.0.0.0/24"}]})", R"({"ip": "10.0.1.1"})", false},
      {"upper edge", R"({"ip": [{"cidr": "10.0.0.0/24"}]})", R"({"ip": "10.0.0.255"})", true},
      {"/8", R"({"ip": [{"cidr": "10.0.0.0/8"}]})", R"({"ip": "10.200.3.4"})", true},
      {"/0", R"({"ip": [{"cidr": "0.0.0.0/0"}]})", R"({"ip": "255.1.2.3"})", true},
      {"not an address", R"({"ip": [{"cidr": "10.0.0.0/8"}]})", R"({"ip": "not-an-ip"})", false},
      {"numbers never", R"({"ip": [{"cidr": "10.0.0.0/8"}]})", R"({"ip": 10})", false},
      {"IPv6", R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "2001:db8:1234::1"})", true},
      {"IPv6 outside", R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "2001:db9::1"})", false},
      {"IPv4 value, IPv6 range", R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "10.0.0.1"})",
       false},
      {"IPv4-mapped value", R"({"ip": [{"cidr": "10.0.0.0/8"}]})", R"({"ip": "::ffff:a00:1"})",
       true},
      {"range starts at the address written", R"({"ip": [{"cidr": "10.0.0.5/24"}]})",
       R"({"ip": "10.0.0.4"})", false},
      {"range ends at the host bits", R"({"ip": [{"cidr": "10.0.0.5/24"}]})",
       R"({"ip": "10.0.0.200"})", true},
      {"exact IPv4 literal", R"({"ip": ["10.0.0.1"]})", R"({"ip": "10.0.0.1"})", true},
      {"exact IPv4, other spelling", R"({"ip": ["10.0.0.1"]})", R"({"ip": "010.0.0.001"})", true},
      {"exact IPv4 NEG", R"({"ip": ["10.0.0.1"]})", R"({"ip": "10.0.0.2"})", false},
      {"exact IPv6, other spelling", R"({"ip": ["2001:db8::1"]})",
       R"({"ip": "2001:0DB8:0:0:0:0:0:1"})", true},
  });
}

// --- $or -----------------------------------------------------------------------------

TEST(EventPatternTest, Or) {
  constexpr char kNormalOr[] = R"({"source": ["aws.cloudwatch"], "$or": [
      {"metricName": ["CPUUtilization", "ReadLatency"]},
      {"namespace": ["AWS/EC2", "AWS/ES"]}]})";
  constexpr char kNestedOr[] = R"({"source": ["aws.cloudwatch"], "$or": [
      {"metricName": ["CPUUtilization", "ReadLatency"]},
      {"metricType": ["MetricType"], "namespace": ["AWS/EC2", "AWS/ES"],
       "$or": [{"metricId": [1234]}, {"spaceId": [1000]}]},
      {"scope": ["Service"]}]})";
  RunMatchCases({
      {"first branch", kNormalOr, R"({"source": "aws.cloudwatch", "metricName": "ReadLatency"})",
       true},
      {"second branch", kNormalOr, R"({"source": "aws.cloudwatch", "namespace": "AWS/ES"})", true},
      {"no branch", kNormalOr, R"({"source": "aws.cloudwatch", "namespace": "AWS/RDS"})", false},
      {"branch but not the sibling", kNormalOr,
       R"({"source": "aws.ec2", "metricName": "ReadLatency"})", false},
      {"nested or", kNestedOr,
       R"({"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/EC2",
           "spaceId": 1000})",
       true},
      {"nested or NEG", kNestedOr,
       R"({"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/EC2",
           "spaceId": 1})",
       false},
      {"or inside detail", R"({"detail": {"$or": [
         {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
         {"d-count": [{"numeric": ["<", 1]}]}]}})",
       kRulerEvent, true},
      {"parallel ors", R"({"$or": [{"a": ["1"]}, {"b": ["2"]}],
         "detail": {"$or": [{"c": ["3"]}, {"d": ["4"]}]}})",
       R"({"b": "2", "detail": {"c": "3"}})", true},
      {"or with exists", R"({"$or": [{"a": [{"exists": true}]}, {"b": ["x"]}]})", R"({"b": "x"})",
       true},
      {"or over one array keeps elements together", R"({"items": {"k": ["a"]},
         "$or": [{"items": {"v": [1]}}, {"items": {"v": [2]}}]})",
       R"({"items": [{"k": "a", "v": 3}, {"k": "b", "v": 1}]})", false},
      {"legacy: $or holding an object is a field", R"({"$or": {"metricType": ["MetricType"]}})",
       R"({"$or": {"metricType": "MetricType"}})", true},
      {"legacy: $or holding values is a field", R"({"$or": ["a", "b"]})", R"({"$or": "b"})", true},
      {"legacy: $or of match expressions is a field (ruler README)",
       R"({"$or": [{"prefix": "a"}, {"suffix": "b"}]})", R"({"$or": "xyb"})", true},
  });
}

TEST(EventPatternTest, AlternativeCount) {
  auto count = [](const char* text) {
    auto p = EventPattern::Parse(text);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? p->alternative_count() : 0;
  };
  EXPECT_EQ(count(R"({"a": ["x"]})"), 1u);
  EXPECT_EQ(count(R"({"$or": [{"a": ["x"]}, {"b": ["x"]}, {"c": ["x"]}]})"), 3u);
  EXPECT_EQ(count(R"({"$or": [{"a": ["1"]}, {"b": ["2"]}], "d": {"$or": [{"c": ["3"]},
                      {"e": ["4"]}]}})"),
            4u);
  EXPECT_EQ(count(R"({"$or": {"a": ["x"]}})"), 1u);
}

// --- Validation -----------------------------------------------------------------------

struct ErrorCase {
  const char* pattern;
  const char* reason;
};

TEST(EventPatternTest, ValidationErrorsUseEventBridgeWording) {
  const std::vector<ErrorCase> cases = {
      // Structure.
      {R"(["not", "a", "dict"])", "Filter is not an object"},
      {R"("text")", "Filter is not an object"},
      {R"({})", "Empty objects are not allowed"},
      {R"({"a": {}})", "Empty objects are not allowed"},
      {R"({"int": 42})", "\"int\" must be an object or an array"},
      {R"({"string": "my-value"})", "\"string\" must be an object or an array"},
      {R"({"a": {"b": null}})", "\"b\" must be an object or an array"},
      {R"({"resources": []})", "Empty arrays are not allowed"},
      {R"({"a": [[1]]})", "Match value must be String, number, true, false, or null"},
      {R"({"a": [{}]})", "Match expression name not found"},
      {R"({"detail": {"equal": [{"NUMERIC": ["=", 5]}]}})", "Unrecognized match type NUMERIC"},
      {R"({"my_key": [{"EXISTS": true}]})", "Unrecognized match type EXISTS"},
      {R"({"a": [{"foo": 1}]})", "Unrecognized match type foo"},
      {R"({"a": [{"exactly": 1}]})", "exact match pattern must be a string"},
      // numeric.
      {R"({"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}})",
       "Bad numeric range operator: >"},
      {R"({"detail": {"c-count": [{"numeric": [">", 0, "<"]}]}})", "Value of < must be numeric"},
      {R"({"a": [{"numeric": "5"}]})", "Value of numeric must be an array."},
      {R"({"a": [{"numeric": [5]}]})", "Invalid member in numeric match: 5"},
      {R"({"a": [{"numeric": []}]})", "Invalid member in numeric match: ]"},
      {R"({"a": [{"numeric": ["!", 5]}]})", "Unrecognized numeric range operator: !"},
      {R"({"a": [{"numeric": ["=", "5"]}]})", "Value of equals must be numeric"},
      {R"({"a": [{"numeric": [">=", null]}]})", "Value of >= must be numeric"},
      {R"({"a": [{"numeric": ["<="]}]})", "Value of <= must be numeric"},
      {R"({"a": [{"numeric": ["=", 5, 6]}]})", "Too many elements in numeric expression"},
      {R"({"a": [{"numeric": ["<", 5, ">", 1]}]})", "Too many elements in numeric expression"},
      {R"({"a": [{"numeric": [">", 1, 5]}]})", "Bad value in numeric range: 5"},
      {R"({"a": [{"numeric": [">", 1, "<", 5, 6]}]})",
       "Too many terms in numeric range expression"},
      {R"({"a": [{"numeric": [">", 1e10]}]})", "Value must be between -5.0E9 and 5.0E9, inclusive"},
      {R"({"a": [{"numeric": [">", 0, "<", -6e9]}]})",
       "Value must be between -5.0E9 and 5.0E9, inclusive"},
      {R"({"a": [{"numeric": [">", 0], "x": 1}]})", "Too many elements in numeric expression"},
      // prefix, suffix, equals-ignore-case.
      {R"({"time": [{"prefix": ["2022-07-13"]}]})", "prefix match pattern must be a string"},
      {R"({"time": [{"prefix": 123}]})", "prefix match pattern must be a string"},
      {R"({"FileName": [{"suffix": 123}]})", "suffix match pattern must be a string"},
      {R"({"FileName": [{"suffix": [".png"]}]})", "suffix match pattern must be a string"},
      {R"({"a": [{"prefix": "x", "suffix": "y"}]})", "Only one key allowed in match expression"},
      {R"({"a": [{"prefix": {}}]})", "Prefix expression name not found"},
      {R"({"a": [{"prefix": {"foo": "x"}}]})", "Unsupported prefix pattern: foo"},
      {R"({"a": [{"suffix": {"bar": "x"}}]})", "Unsupported suffix pattern: bar"},
      {R"({"a": [{"suffix": {"equals-ignore-case": 1}}]})",
       "equals-ignore-case match pattern must be a string"},
      {R"({"a": [{"prefix": {"equals-ignore-case": "x", "y": 1}}]})",
       "Only one key allowed in match expression"},
      {R"({"detail-type": [{"equals-ignore-case": ["ec2 instance state-change notification"]}]})",
       "equals-ignore-case match pattern must be a string"},
      {R"({"detail-type": [{"equals-ignore-case": {"prefix": "ec2"}}]})",
       "equals-ignore-case match pattern must be a string"},
      // wildcard.
      {R"({"EventBusArn": [{"wildcard": 123}]})", "wildcard match pattern must be a string"},
      {R"({"EventBusArn": [{"wildcard": ["arn:aws:events:*"]}]})",
       "wildcard match pattern must be a string"},
      {R"({"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]})",
       "Consecutive wildcard characters at pos 26"},
      {R"({"a": [{"wildcard": "ab**"}]})", "Consecutive wildcard characters at pos 3"},
      {R"({"a": [{"wildcard": "a\\b"}]})", "Invalid escape character at pos 2"},
      {R"({"a": [{"wildcard": "ab\\"}]})", "Invalid escape character at pos 3"},
      {R"({"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]})",
       "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
       "sequences after a wildcard character"},
      {R"({"k": [{"wildcard": "*/datasync/*.bif"}, {"wildcard": "*/datasync/*.tif"},
                 {"wildcard": "*/datasync/*.tiff"}, {"wildcard": "*/datasync/*.svs"}]})",
       "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
       "sequences after a wildcard character"},
      {R"({"$or": [{"k": [{"wildcard": "*a*a*a*"}]}, {"k": [{"anything-but":
                      {"wildcard": "*b*b*b*"}}]}]})",
       "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
       "sequences after a wildcard character"},
      // exists.
      {R"({"a": [{"exists": "yes"}]})", "exists match pattern must be either true or false."},
      {R"({"a": [{"exists": true, "prefix": "x"}]})", "Only one key allowed in match expression"},
      // cidr.
      {R"({"detail": {"sourceIPAddress": [{"cidr": ["bad-type"]}]}})",
       "prefix match pattern must be a string"},
      {R"({"a": [{"cidr": "10.0.0.0"}]})", "Malformed CIDR, one '/' required"},
      {R"({"a": [{"cidr": "10.0.0.0/8/8"}]})", "Malformed CIDR, one '/' required"},
      {R"({"a": [{"cidr": "10.0.0.0/"}]})", "Malformed CIDR, one '/' required"},
      {R"({"a": [{"cidr": "10.0.0.0/abc"}]})", "Malformed CIDR, mask bits must be an integer"},
      {R"({"a": [{"cidr": "10.0.0.0/-1"}]})", "Malformed CIDR, mask bits must not be negative"},
      {R"({"a": [{"cidr": "xx.11.xx/24"}]})", "Nonstandard IP address: xx.11.xx"},
      {R"({"a": [{"cidr": "xxxx:db8:1234:1a00::/64"}]})",
       "Nonstandard IP address: xxxx:db8:1234:1a00::"},
      {R"({"a": [{"cidr": "1.2.3.256/24"}]})", "Invalid IP address: 1.2.3.256"},
      {R"({"a": [{"cidr": "1::2::3/64"}]})", "Invalid IP address: 1::2::3"},
      {R"({"a": [{"cidr": "10.0.0.0/32"}]})", "IPv4 mask bits must be < 32"},
      {R"({"a": [{"cidr": "::1/128"}]})", "IPv6 mask bits must be < 128"},
      // anything-but.
      {R"({"detail": {"state": [{"anything-but": {"equals-ignore-case": 123}}]}})",
       "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
      {R"({"detail": {"state": [{"anything-but": {"equals-ignore-case": [123, 456]}}]}})",
       "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
      {R"({"detail": {"FileName": [{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}]}})",
       "Value of anything-but must be an array or single string/number value."},
      {R"({"detail": {"FileName": [{"anything-but": {"suffix": {"equals-ignore-case": ".png"}}}]}})",
       "Value of anything-but must be an array or single string/number value."},
      {R"({"s": [{"anything-but": {"wildcard": [123, "*/dir/*"]}}]})",
       "wildcard match pattern must be a string"},
      {R"({"s": [{"anything-but": {"wildcard": 123}}]})",
       "wildcard match pattern must be a string"},
      {R"({"s": [{"anything-but": {"wildcard": "a**"}}]})",
       "Consecutive wildcard characters at pos 2"},
      {R"({"s": [{"anything-but": {"suffix": [123, ".txt"]}}]})",
       "prefix/suffix match pattern must be a string"},
      {R"({"s": [{"anything-but": {"prefix": 123}}]})",
       "prefix/suffix match pattern must be a string"},
      {R"({"s": [{"anything-but": {"prefix": ""}}]})", "Null prefix/suffix not allowed"},
      {R"({"s": [{"anything-but": {"suffix": ["x", ""]}}]})", "Null prefix/suffix not allowed"},
      {R"({"s": [{"anything-but": [null]}]})",
       "Inside anything but list, start|null|boolean is not supported."},
      {R"({"s": [{"anything-but": ["a", 1]}]})",
       "Inside anything but list, either all values are number or string, mixed type is not "
       "supported"},
      {R"({"s": [{"anything-but": []}]})",
       "Inside anything but list, either all values are number or string, mixed type is not "
       "supported"},
      {R"({"s": [{"anything-but": null}]})",
       "Value of anything-but must be an array or single string/number value."},
      {R"({"s": [{"anything-but": true}]})",
       "Value of anything-but must be an array or single string/number value."},
      {R"({"s": [{"anything-but": {}}]})", "Anything-But expression name not found"},
      {R"({"s": [{"anything-but": {"foo": "x"}}]})", "Unsupported anything-but pattern: foo"},
      {R"({"s": [{"anything-but": {"prefix": "a", "suffix": "b"}}]})",
       "Too many elements in numeric expression"},
      {R"({"s": [{"anything-but": "x", "y": 1}]})", "Too many elements in numeric expression"},
      {R"({"s": [{"anything-but": [1e10]}]})", "Value must be between -5.0E9 and 5.0E9, inclusive"},
      // $or.
      {R"({"$or": [{"a": ["x"]}]})", "There must have at least 2 Objects in $or relationship."},
      {R"({"$or": [{"a": ["x"]}, "b"]})",
       "Only JSON object is allowed in array of $or relationship."},
      {R"({"$or": "x"})", "It must be an Array followed with $or."},
      {R"({"$or": [{"numeric": [">", 1]}, {"a": ["x"]}]})",
       "numeric is Ruler reserved fieldName which cannot be used inside $or."},
      {R"({"$or": [{"a": {"prefix": ["x"]}}, {"b": ["x"]}]})",
       "prefix is Ruler reserved fieldName which cannot be used inside $or."},
      {R"({"$or": [{"a": []}, {"b": ["x"]}]})", "Empty arrays are not allowed"},
      {R"({"$or": [{}, {"b": ["x"]}]})", "Empty objects are not allowed"},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.pattern);
    auto pattern = EventPattern::Parse(c.pattern);
    ASSERT_FALSE(pattern.ok());
    EXPECT_EQ(pattern.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(pattern.status().field(), "EventPattern");
    EXPECT_EQ(pattern.status().message(), std::string(kPrefix) + c.reason);
  }
}

TEST(EventPatternTest, MalformedJsonIsInvalid) {
  for (const char* text : {"", "{", "this is not json", "{'bad': 'quotation'}",
                           R"({"not": closed mark")", R"({"n": [1e400]})"}) {
    SCOPED_TRACE(text);
    auto pattern = EventPattern::Parse(text);
    ASSERT_FALSE(pattern.ok());
    EXPECT_EQ(pattern.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(pattern.status().message().rfind(kPrefix, 0), 0u) << pattern.status().message();
  }
}

TEST(EventPatternTest, SizeLimit) {
  // {"a":["xxx…"]} of exactly n characters.
  auto of_length = [](size_t n) { return R"({"a":[")" + std::string(n - 10, 'x') + R"("]})"; };
  EXPECT_TRUE(EventPattern::Parse(of_length(2048)).ok());
  auto too_long = EventPattern::Parse(of_length(2049));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().message(),
            std::string(kPrefix) + "Event pattern is longer than 2048 characters");
  EXPECT_TRUE(EventPattern::Parse(of_length(4096), EventPattern::kMaxPatternChars).ok());
  // Characters, not bytes: 2,038 two-byte characters (4,076 bytes) fit.
  const std::string wide = R"({"a":[")" + [] {
    std::string s;
    for (int k = 0; k < 2038; ++k) s += "é";
    return s;
  }() + R"("]})";
  EXPECT_TRUE(EventPattern::Parse(wide).ok());
}

TEST(EventPatternTest, OrExpansionIsBounded) {
  // Ten independent two-way "$or"s expand to 1,024 alternatives; nine to 512.
  auto pattern_with = [](int ors) {
    nlohmann::json p;
    for (int k = 0; k < ors; ++k) {
      p["k" + std::to_string(k)]["$or"] = nlohmann::json::array(
          {{{"a", nlohmann::json::array({"x"})}}, {{"b", nlohmann::json::array({"y"})}}});
    }
    return p;
  };
  auto nine = EventPattern::FromJson(pattern_with(9));
  ASSERT_TRUE(nine.ok()) << nine.status().ToString();
  EXPECT_EQ(nine->alternative_count(), 512u);
  auto ten = EventPattern::FromJson(pattern_with(10));
  ASSERT_FALSE(ten.ok());
  EXPECT_EQ(ten.status().message(),
            std::string(kPrefix) + "$or expands to more than 1000 alternatives");
}

TEST(EventPatternTest, DeepNestingIsRefused) {
  nlohmann::json p = nlohmann::json::array({"x"});
  for (int k = 0; k < 100; ++k) p = nlohmann::json{{"a", p}};
  auto deep = EventPattern::FromJson(p);
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().message(),
            std::string(kPrefix) + "Objects nested deeper than 64 levels are not allowed");
}

TEST(EventPatternTest, DeeplyNestedEventArraysDoNotOverflow) {
  auto pattern = EventPattern::Parse(R"({"a": ["x"]})");
  ASSERT_TRUE(pattern.ok());
  nlohmann::json deep = "x";
  for (int k = 0; k < 1000; ++k) {
    nlohmann::json outer = nlohmann::json::array();
    outer.push_back(std::move(deep));
    deep = std::move(outer);
  }
  EXPECT_FALSE(pattern->Matches(nlohmann::json{{"a", deep}}));
  nlohmann::json shallow = nlohmann::json::array({nlohmann::json::array({"x"})});
  EXPECT_TRUE(pattern->Matches(nlohmann::json{{"a", shallow}}));
}

TEST(EventPatternTest, NonObjectEventsNeverMatch) {
  auto pattern = EventPattern::Parse(R"({"a": [{"exists": false}]})");
  ASSERT_TRUE(pattern.ok());
  EXPECT_TRUE(pattern->Matches(nlohmann::json::object()));
  EXPECT_FALSE(pattern->Matches(nlohmann::json::array()));
  EXPECT_FALSE(pattern->Matches(nlohmann::json("text")));
}

TEST(EventPatternTest, CopiesShareTheCompiledPatternAcrossThreads) {
  auto parsed = EventPattern::Parse(R"({"source": ["aws.cloudwatch"],
      "detail": {"state": {"value": ["ALARM"]}}})");
  ASSERT_TRUE(parsed.ok());
  const EventPattern pattern = *parsed;
  const auto alarm = nlohmann::json::parse(kAlarmEvent);
  const auto ec2 = nlohmann::json::parse(kEc2Event);
  std::vector<std::thread> threads;
  std::vector<int> matched(4, 0);
  for (size_t t = 0; t < matched.size(); ++t) {
    threads.emplace_back([&, t, copy = pattern] {
      for (int k = 0; k < 1000; ++k) {
        matched[t] += copy.Matches(alarm) ? 1 : 0;
        matched[t] += copy.Matches(ec2) ? 1 : 0;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int m : matched) EXPECT_EQ(m, 1000);
}

// --- TestEventPattern -------------------------------------------------------------------

TEST(TestEventPatternTest, ReportsMatchOrWhichInputIsBad) {
  auto yes = TestEventPattern(R"({"source": ["aws.ec2"]})", kEc2Event);
  ASSERT_TRUE(yes.ok());
  EXPECT_TRUE(*yes);
  auto no = TestEventPattern(R"({"source": ["aws.s3"]})", kEc2Event);
  ASSERT_TRUE(no.ok());
  EXPECT_FALSE(*no);

  auto bad_pattern = TestEventPattern(R"({"source": "aws.ec2"})", kEc2Event);
  ASSERT_FALSE(bad_pattern.ok());
  EXPECT_EQ(bad_pattern.status().field(), "EventPattern");
  EXPECT_EQ(bad_pattern.status().message(),
            std::string(kPrefix) + "\"source\" must be an object or an array");

  for (const char* event : {"plain string payload", "[1, 2]", "\"text\"", "{"}) {
    SCOPED_TRACE(event);
    auto bad_event = TestEventPattern(R"({"source": ["aws.ec2"]})", event);
    ASSERT_FALSE(bad_event.ok());
    EXPECT_EQ(bad_event.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(bad_event.status().field(), "Event");
    EXPECT_EQ(bad_event.status().message(), "Parameter Event is not valid.");
  }
}

// --- Helpers -------------------------------------------------------------------------------

std::vector<int16_t> Tokens(const char* wildcard) {
  std::vector<int16_t> tokens;
  EXPECT_TRUE(internal::ParseWildcard(wildcard, &tokens).ok()) << wildcard;
  return tokens;
}

TEST(WildcardComplexityTest, CountsMatchingPrefixesLikeEventRuler) {
  using internal::WildcardComplexity;
  // Values from event-ruler's MachineComplexityEvaluatorTest / ByteMachineTest.
  EXPECT_EQ(WildcardComplexity({Tokens("*")}, 100), 1);
  EXPECT_EQ(WildcardComplexity({Tokens("*a*a*a*")}, 100), 7);
  EXPECT_EQ(WildcardComplexity({Tokens("1*2345")}, 100), 2);
  EXPECT_EQ(WildcardComplexity({Tokens("*123")}, 100), 2);
  EXPECT_EQ(WildcardComplexity({Tokens("abc")}, 100), 1);
  // Patterns AWS accepted and rejected.
  EXPECT_EQ(WildcardComplexity({Tokens("/Users/*/dir/dir/dir/dir/dir/doc.txt")}, 100), 7);
  EXPECT_EQ(WildcardComplexity(
                {Tokens("*.bif"), Tokens("*.tiff"), Tokens("*.tif"), Tokens("*.svs")}, 100),
            8);
  // ":::::event-bus/:" is matched by 11 prefixes.
  EXPECT_EQ(WildcardComplexity({Tokens("*:*:*:*:*:event-bus/*")}, 100), 11);
  EXPECT_EQ(WildcardComplexity({Tokens("*:*:*:*:*:event-bus/*")}, 5), 5);
}

TEST(IpParseTest, FollowsEventRulerShapes) {
  internal::IpAddress ip;
  EXPECT_EQ(internal::ParseIp("192.168.0.1", &ip), internal::IpParse::kOk);
  EXPECT_EQ(ip.size, 4);
  EXPECT_EQ(internal::ParseIp("::", &ip), internal::IpParse::kOk);
  EXPECT_EQ(ip.size, 16);
  EXPECT_EQ(internal::ParseIp("1:2:3:4:5:6:7:8", &ip), internal::IpParse::kOk);
  EXPECT_EQ(internal::ParseIp("1:2:3:4:5:6:7:8:9", &ip), internal::IpParse::kInvalid);
  EXPECT_EQ(internal::ParseIp(":1", &ip), internal::IpParse::kInvalid);
  EXPECT_EQ(internal::ParseIp("1.2.3", &ip), internal::IpParse::kNonstandard);
  EXPECT_EQ(internal::ParseIp("host.example", &ip), internal::IpParse::kNonstandard);
  EXPECT_EQ(internal::ParseIp("::ffff:c0a8:1", &ip), internal::IpParse::kOk);
  EXPECT_EQ(ip.size, 4);
  EXPECT_EQ(ip.bytes[0], 192);
}

}  // namespace
}  // namespace tocsin::rules
