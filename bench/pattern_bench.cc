// tocsin_pattern_bench: EventBridge pattern matching throughput.
//
// Compiles 50 rules of the kinds an incident router holds (exact sources and
// detail types, prefixes, wildcards, numeric ranges, anything-but, "$or",
// exists) and matches them all against a CloudWatch "Alarm State Change"
// event, already parsed, in a loop. Prints rule evaluations per second and
// events per second (all 50 rules per event); the ingest target is 20,000
// events/s through tens of rules.
//
// Usage: tocsin_pattern_bench [events]   (default 200,000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tocsin/rules/event_pattern.h"

namespace {

constexpr char kAlarmEvent[] = R"({
  "version": "0", "id": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
  "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
  "account": "123456789012", "time": "2019-10-02T17:04:40Z", "region": "us-east-1",
  "resources": ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh"],
  "detail": {
    "alarmName": "ServerCpuTooHigh",
    "configuration": {
      "description": "Goes into alarm when server CPU utilization is too high!",
      "metrics": [{
        "id": "30b6c6b2-a864-43a2-4877-c09a1afc3b87",
        "metricStat": {
          "metric": {"dimensions": {"InstanceId": "i-12345678901234567"},
                     "name": "CPUUtilization", "namespace": "AWS/EC2"},
          "period": 300, "stat": "Average"},
        "returnData": true}]},
    "previousState": {
      "reason": "Threshold Crossed: 1 out of the last 1 datapoints was not greater than the threshold (50.0).",
      "timestamp": "2019-10-01T13:56:40.987+0000", "value": "OK"},
    "state": {
      "reason": "Threshold Crossed: 1 out of the last 1 datapoints was greater than the threshold (50.0).",
      "timestamp": "2019-10-02T17:04:40.989+0000", "value": "ALARM"}}})";

// Ten rule shapes, each instantiated five times with a different service.
std::vector<std::string> Rules() {
  const char* services[] = {"cloudwatch", "ec2", "rds", "guardduty", "securityhub"};
  std::vector<std::string> rules;
  for (const char* s : services) {
    const std::string svc = s;
    rules.push_back(R"({"source": ["aws.)" + svc + R"("]})");
    rules.push_back(R"({"source": ["aws.)" + svc +
                    R"("], "detail-type": ["CloudWatch Alarm State Change"],
                        "detail": {"state": {"value": ["ALARM"]}}})");
    rules.push_back(R"({"source": [{"prefix": "aws.)" + svc + R"("}],
                        "detail": {"alarmName": [{"prefix": "Server"}]}})");
    rules.push_back(R"({"resources": [{"wildcard": "arn:aws:)" + svc +
                    R"(:*:123456789012:alarm:*"}]})");
    rules.push_back(R"({"source": ["aws.)" + svc + R"("], "detail": {"configuration":
                        {"metrics": {"metricStat": {"period": [{"numeric": [">=", 60, "<", 3600]}],
                         "metric": {"namespace": ["AWS/EC2", "AWS/RDS"]}}}}}})");
    rules.push_back(R"({"source": ["aws.)" + svc + R"("], "detail": {"state": {"value":
                        [{"anything-but": ["OK", "INSUFFICIENT_DATA"]}]}}})");
    rules.push_back(R"({"source": ["aws.)" + svc + R"("], "$or": [
                        {"detail": {"state": {"value": ["ALARM"]}}},
                        {"detail": {"severity": [{"numeric": [">=", 7]}]}}]})");
    rules.push_back(R"({"account": ["123456789012"], "source": ["aws.)" + svc +
                    R"("], "detail": {"ticket": [{"exists": false}]}})");
    rules.push_back(R"({"region": [{"equals-ignore-case": "US-EAST-1"}], "source": ["aws.)" + svc +
                    R"("], "detail-type": [{"suffix": "State Change"}]})");
    rules.push_back(R"({"source": ["aws.)" + svc + R"("], "detail": {"alarmName":
                        [{"wildcard": "*Cpu*High"}], "previousState": {"value": ["OK"]}}})");
  }
  return rules;
}

}  // namespace

int main(int argc, char** argv) {
  const long events = argc > 1 ? std::atol(argv[1]) : 200000;
  std::vector<tocsin::rules::EventPattern> patterns;
  for (const std::string& text : Rules()) {
    auto p = tocsin::rules::EventPattern::Parse(text);
    if (!p.ok()) {
      std::fprintf(stderr, "bad rule %s: %s\n", text.c_str(), p.status().ToString().c_str());
      return 1;
    }
    patterns.push_back(*p);
  }
  const auto event = nlohmann::json::parse(kAlarmEvent);

  size_t matched = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long e = 0; e < events; ++e) {
    for (const auto& p : patterns) {
      if (p.Matches(event)) ++matched;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Parsing the event text is part of ingest too; measured separately.
  const std::string text = kAlarmEvent;
  const long parses = events / 10 + 1;  // Parsing is slower.
  const auto parse_start = std::chrono::steady_clock::now();
  size_t keys = 0;
  for (long e = 0; e < parses; ++e) keys += nlohmann::json::parse(text).size();
  const double parse_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - parse_start).count();

  const double evaluations = static_cast<double>(events) * static_cast<double>(patterns.size());
  std::printf("| measure | value |\n|---|---|\n");
  std::printf("| rules | %zu |\n", patterns.size());
  std::printf("| rules matching the event | %zu |\n", matched / static_cast<size_t>(events));
  std::printf("| rule evaluations/s | %.0f |\n", evaluations / seconds);
  std::printf("| events/s (all %zu rules) | %.0f |\n", patterns.size(),
              static_cast<double>(events) / seconds);
  std::printf("| ns per rule evaluation | %.1f |\n", seconds * 1e9 / evaluations);
  std::printf("| event JSON parses/s (nlohmann, for scale) | %.0f |\n",
              static_cast<double>(parses) / parse_seconds);
  return keys == 0 ? 1 : 0;
}
