#include "tocsin/ingest/title_template.h"

#include <gtest/gtest.h>

namespace tocsin::ingest {
namespace {

const nlohmann::json kEvent = {
    {"source", "prometheus.alertmanager"},
    {"resources", {"arn:aws:ec2:us-east-1:1:instance/i-1"}},
    {"detail",
     {{"labels", {{"alertname", "HighCPU"}, {"instance", "db1:9100"}}}, {"value", 97.5}}}};

TEST(TitleTemplateTest, RendersPathsArraysAndMissingFields) {
  EXPECT_EQ(
      RenderTitleTemplate("{{detail.labels.alertname}} on {{ detail.labels.instance }}", kEvent),
      "HighCPU on db1:9100");
  EXPECT_EQ(RenderTitleTemplate("{{resources.0}}", kEvent), "arn:aws:ec2:us-east-1:1:instance/i-1");
  EXPECT_EQ(RenderTitleTemplate("cpu {{detail.value}}%", kEvent), "cpu 97.5%");
  EXPECT_EQ(RenderTitleTemplate("{{detail.labels}}", kEvent),
            R"({"alertname":"HighCPU","instance":"db1:9100"})");
  EXPECT_EQ(RenderTitleTemplate("x{{detail.nope}}y{{resources.9}}", kEvent), "xy");
  EXPECT_EQ(RenderTitleTemplate("  {{detail.nope}}  ", kEvent), "") << "trimmed";
}

TEST(TitleTemplateTest, CutsAtTwoHundredCharacters) {
  nlohmann::json event = {{"t", std::string(150, 'a')}};
  const std::string out = RenderTitleTemplate("{{t}}é{{t}}", event);
  EXPECT_EQ(out.size(), 150u + 2u + 49u);  // 200 characters, "é" is 2 bytes.
}

TEST(TitleTemplateTest, ValidatesPlaceholders) {
  EXPECT_TRUE(ValidateTitleTemplate("plain text", "t").ok());
  EXPECT_TRUE(ValidateTitleTemplate("{{a.b-c.0}}", "t").ok());
  for (const char* bad : {"{{a.b", "{{}}", "{{a..b}}", "{{ . }}", "{{a}}{{"}) {
    Status s = ValidateTitleTemplate(bad, "action.title");
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.field(), "action.title") << bad;
  }
}

}  // namespace
}  // namespace tocsin::ingest
