#include "tocsin/codec/json_reader.h"

#include <source_location>
#include <string>

#include <gtest/gtest.h>

namespace tocsin::codec {
namespace {

Json Parse(std::string_view text) {
  auto json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << text << ": " << json.status().ToString();
  return json.ok() ? *json : Json();
}

// Runs `read` on a reader over `text` (at the body root) and returns Finish().
template <typename F>
Status Decode(std::string_view text, F read) {
  const Json json = Parse(text);
  DecodeErrors errors;
  ObjectReader reader(json, "", errors);
  read(reader);
  return reader.Finish();
}

void ExpectError(const Status& s, std::string_view field, std::string_view message,
                 std::source_location where = std::source_location::current()) {
  const ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()), "");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.field(), field) << s.ToString();
  EXPECT_EQ(s.message(), message) << s.ToString();
}

// --- ParseJson -----------------------------------------------------------------

TEST(ParseJsonTest, ParsesDocuments) {
  auto json = ParseJson(R"({"b": [1, 2.5, "x", true, null], "a": {}})");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->at("b").size(), 5u);
  EXPECT_EQ(json->begin().key(), "b");  // Insertion order is kept.
}

TEST(ParseJsonTest, MalformedInputIsInvalidArgumentWithPosition) {
  for (std::string_view text : {"", "{", "{\"a\":}", "[1,]", "{'a': 1}", "nul", "{\"a\":1}x",
                                "\"\xff\"", "{\"a\":1,\"a\"}"}) {
    auto json = ParseJson(text);
    ASSERT_FALSE(json.ok()) << text;
    EXPECT_EQ(json.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(json.status().message().rfind("malformed JSON: ", 0), 0u) << json.status().message();
  }
  auto json = ParseJson("{\"a\": tru}");
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.status().message().find("column 10"), std::string::npos)
      << json.status().message();
}

TEST(ParseJsonTest, NumberOutOfRangeIsInvalidArgument) {
  for (std::string_view text : {"1e400", "[-1e400]", "{\"n\": 1e999}"}) {
    auto json = ParseJson(text);
    ASSERT_FALSE(json.ok()) << text;
    EXPECT_EQ(json.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(json.status().message().rfind("malformed JSON: ", 0), 0u) << json.status().message();
  }
}

std::string Nested(size_t depth, char open, char close) {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(ParseJsonTest, AcceptsSixtyFourLevelsAndRefusesMore) {
  EXPECT_TRUE(ParseJson(Nested(64, '[', ']')).ok());
  for (size_t depth : {65u, 1000u, 100000u}) {
    auto json = ParseJson(Nested(depth, '[', ']'));
    ASSERT_FALSE(json.ok()) << depth;
    EXPECT_EQ(json.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(json.status().message(), "JSON nested deeper than 64 levels");
  }
  std::string objects;
  for (int i = 0; i < 65; ++i) objects += "{\"a\":";
  objects += "1" + std::string(65, '}');
  EXPECT_FALSE(ParseJson(objects).ok());
}

// --- Paths ---------------------------------------------------------------------

TEST(PathTest, JoinsKeysAndIndexes) {
  EXPECT_EQ(JoinPath("", "plan"), "plan");
  EXPECT_EQ(JoinPath("plan", "stages"), "plan.stages");
  EXPECT_EQ(IndexPath("plan.stages", 0), "plan.stages[0]");
  EXPECT_EQ(JoinPath(IndexPath("plan.stages", 2), "targets"), "plan.stages[2].targets");
}

TEST(DecodeErrorsTest, KeepsTheFirstError) {
  DecodeErrors errors;
  EXPECT_TRUE(errors.ok());
  errors.Fail("a", "is bad");
  errors.Fail("b", "is worse");
  ExpectError(errors.status(), "a", "a is bad");
  DecodeErrors root;
  root.Fail("", "must be an object, not an array");
  ExpectError(root.status(), "", "request body must be an object, not an array");
}

// --- ObjectReader ----------------------------------------------------------------

TEST(ObjectReaderTest, BodyMustBeAnObject) {
  for (auto [text, what] :
       {std::pair{"[]", "an array"}, std::pair{"\"x\"", "a string"}, std::pair{"3", "an integer"},
        std::pair{"3.5", "a number"}, std::pair{"null", "null"}, std::pair{"true", "a boolean"}}) {
    Status s = Decode(text, [](ObjectReader& r) { EXPECT_FALSE(r.String("a", 0, 5)); });
    ExpectError(s, "", std::string("request body must be an object, not ") + what);
  }
}

TEST(ObjectReaderTest, StringRules) {
  auto read = [](std::string_view text, size_t min, size_t max) {
    std::optional<std::string> value;
    Status s = Decode(text, [&](ObjectReader& r) { value = r.String("name", min, max, true); });
    return std::make_pair(value, s);
  };
  auto [ok_value, ok_status] = read(R"({"name": "héllo"})", 1, 5);  // 5 code points, 6 bytes.
  EXPECT_TRUE(ok_status.ok());
  EXPECT_EQ(ok_value, "héllo");
  ExpectError(read(R"({"name": 5})", 1, 5).second, "name", "name must be a string, not an integer");
  ExpectError(read(R"({"name": ""})", 1, 5).second, "name", "name must not be empty");
  ExpectError(read(R"({"name": "ab"})", 3, 5).second, "name", "name must be at least 3 characters");
  ExpectError(read(R"({"name": "abcdef"})", 1, 5).second, "name",
              "name must be at most 5 characters");
  ExpectError(read(R"({})", 1, 5).second, "name", "name is required");
  ExpectError(read(R"({"name": null})", 1, 5).second, "name", "name is required");
  EXPECT_TRUE(read(R"({"name": ""})", 0, 5).second.ok());
}

TEST(ObjectReaderTest, OptionalAbsentAndNullAreNullopt) {
  Status s = Decode(R"({"b": null})", [](ObjectReader& r) {
    EXPECT_FALSE(r.String("a", 1, 5));
    EXPECT_FALSE(r.Int("b", 0, 5));
    EXPECT_FALSE(r.Bool("c"));
    EXPECT_FALSE(r.Time("d"));
    EXPECT_EQ(r.Object("e"), nullptr);
    EXPECT_EQ(r.Array("f", 5), nullptr);
    EXPECT_FALSE(r.StringList("g", 5, 1, 5, false));
    EXPECT_FALSE(r.StringMap("h", 5, 5, 5));
    EXPECT_FALSE(r.Has("b"));
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(ObjectReaderTest, IntRules) {
  auto read = [](std::string_view text) {
    std::optional<int64_t> value;
    Status s = Decode(text, [&](ObjectReader& r) { value = r.Int("n", -5, 10); });
    return std::make_pair(value, s);
  };
  EXPECT_EQ(read(R"({"n": 10})").first, 10);
  EXPECT_EQ(read(R"({"n": -5})").first, -5);
  EXPECT_EQ(read(R"({"n": 3.0})").first, 3);  // Integral numbers are integers.
  EXPECT_EQ(read(R"({"n": 3e0})").first, 3);
  ExpectError(read(R"({"n": 11})").second, "n", "n must be between -5 and 10");
  ExpectError(read(R"({"n": -6})").second, "n", "n must be between -5 and 10");
  ExpectError(read(R"({"n": 18446744073709551615})").second, "n", "n must be between -5 and 10");
  ExpectError(read(R"({"n": 9223372036854775808})").second, "n", "n must be between -5 and 10");
  ExpectError(read(R"({"n": -9223372036854775809})").second, "n", "n must be between -5 and 10");
  ExpectError(read(R"({"n": 1e300})").second, "n", "n must be between -5 and 10");
  ExpectError(read(R"({"n": -1e300})").second, "n", "n must be between -5 and 10");
  ExpectError(read(R"({"n": 2.5})").second, "n", "n must be an integer, not a number");
  ExpectError(read(R"({"n": "3"})").second, "n", "n must be an integer, not a string");
  ExpectError(read(R"({"n": true})").second, "n", "n must be an integer, not a boolean");
  ExpectError(read(R"({"n": [1]})").second, "n", "n must be an integer, not an array");
}

TEST(ObjectReaderTest, IntAcceptsTheWholeInt64Range) {
  std::optional<int64_t> lo;
  std::optional<int64_t> hi;
  Status s =
      Decode(R"({"lo": -9223372036854775808, "hi": 9223372036854775807})", [&](ObjectReader& r) {
        lo = r.Int("lo", INT64_MIN, INT64_MAX);
        hi = r.Int("hi", INT64_MIN, INT64_MAX);
      });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(lo, INT64_MIN);
  EXPECT_EQ(hi, INT64_MAX);
}

TEST(ObjectReaderTest, BoolRules) {
  std::optional<bool> value;
  EXPECT_TRUE(Decode(R"({"b": false})", [&](ObjectReader& r) { value = r.Bool("b", true); }).ok());
  EXPECT_EQ(value, false);
  ExpectError(Decode(R"({"b": "true"})", [](ObjectReader& r) { r.Bool("b"); }), "b",
              "b must be a boolean, not a string");
  ExpectError(Decode(R"({"b": 1})", [](ObjectReader& r) { r.Bool("b"); }), "b",
              "b must be a boolean, not an integer");
  ExpectError(Decode(R"({})", [](ObjectReader& r) { r.Bool("b", true); }), "b", "b is required");
}

TEST(ObjectReaderTest, TimeRules) {
  std::optional<TimePoint> value;
  EXPECT_TRUE(Decode(R"({"t": "2026-03-02T09:00:00-05:00"})", [&](ObjectReader& r) {
                value = r.Time("t");
              }).ok());
  EXPECT_EQ(value, ParseRfc3339("2026-03-02T14:00:00Z"));
  ExpectError(Decode(R"({"t": 1767225600})", [](ObjectReader& r) { r.Time("t"); }), "t",
              "t must be an RFC 3339 timestamp string");
  ExpectError(Decode(R"({"t": "2026-02-30T00:00:00Z"})", [](ObjectReader& r) { r.Time("t"); }), "t",
              "t must be an RFC 3339 timestamp like 2026-03-02T09:00:00Z");
  ExpectError(Decode(R"({"t": "yesterday"})", [](ObjectReader& r) { r.Time("t"); }), "t",
              "t must be an RFC 3339 timestamp like 2026-03-02T09:00:00Z");
}

TEST(ObjectReaderTest, ObjectAndArrayRules) {
  ExpectError(Decode(R"({"o": []})", [](ObjectReader& r) { r.Object("o"); }), "o",
              "o must be an object, not an array");
  ExpectError(Decode(R"({})", [](ObjectReader& r) { r.Object("o", true); }), "o", "o is required");
  ExpectError(Decode(R"({"a": {}})", [](ObjectReader& r) { r.Array("a", 2); }), "a",
              "a must be an array, not an object");
  ExpectError(Decode(R"({"a": [1, 2, 3]})", [](ObjectReader& r) { r.Array("a", 2); }), "a",
              "a must have at most 2 items");
  const Json* array = nullptr;
  EXPECT_TRUE(Decode(R"({"a": [1, 2]})", [&](ObjectReader& r) { array = r.Array("a", 2); }).ok());
  EXPECT_NE(array, nullptr);
}

TEST(ObjectReaderTest, StringListRules) {
  auto read = [](std::string_view text, bool unique) {
    std::optional<std::vector<std::string>> value;
    Status s =
        Decode(text, [&](ObjectReader& r) { value = r.StringList("ids", 3, 1, 4, unique, true); });
    return std::make_pair(value, s);
  };
  auto [list, ok] = read(R"({"ids": ["a", "b", "a"]})", false);
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(list, (std::vector<std::string>{"a", "b", "a"}));
  ExpectError(read(R"({"ids": ["a", "b", "a"]})", true).second, "ids[2]",
              "ids[2] duplicates an earlier item");
  ExpectError(read(R"({"ids": ["a", 7]})", false).second, "ids[1]",
              "ids[1] must be a string, not an integer");
  ExpectError(read(R"({"ids": ["a", ""]})", false).second, "ids[1]",
              "ids[1] must be 1 to 4 characters");
  ExpectError(read(R"({"ids": ["abcde"]})", false).second, "ids[0]",
              "ids[0] must be 1 to 4 characters");
  ExpectError(read(R"({"ids": ["a", "b", "c", "d"]})", false).second, "ids",
              "ids must have at most 3 items");
  ExpectError(read(R"({"ids": "a"})", false).second, "ids", "ids must be an array, not a string");
  ExpectError(read(R"({})", false).second, "ids", "ids is required");
}

TEST(ObjectReaderTest, StringMapRules) {
  auto read = [](std::string_view text) {
    std::optional<std::map<std::string, std::string>> value;
    Status s = Decode(text, [&](ObjectReader& r) { value = r.StringMap("tags", 2, 3, 4); });
    return std::make_pair(value, s);
  };
  auto [map, ok] = read(R"({"tags": {"env": "prod", "é": ""}})");
  EXPECT_TRUE(ok.ok()) << ok.ToString();
  EXPECT_EQ(map, (std::map<std::string, std::string>{{"env", "prod"}, {"é", ""}}));
  ExpectError(read(R"({"tags": {"a": "1", "b": "2", "c": "3"}})").second, "tags",
              "tags must have at most 2 entries");
  ExpectError(read(R"({"tags": {"": "1"}})").second, "tags", "tags keys must be 1 to 3 characters");
  ExpectError(read(R"({"tags": {"long": "1"}})").second, "tags",
              "tags keys must be 1 to 3 characters");
  ExpectError(read(R"({"tags": {"env": 1}})").second, "tags.env",
              "tags.env must be a string, not an integer");
  ExpectError(read(R"({"tags": {"env": "staging"}})").second, "tags.env",
              "tags.env must be at most 4 characters");
  ExpectError(read(R"({"tags": ["env"]})").second, "tags", "tags must be an object, not an array");
}

TEST(ObjectReaderTest, FinishRejectsTheFirstUnreadMember) {
  ExpectError(Decode(R"({"name": "x", "nmae": "y", "zzz": 1})",
                     [](ObjectReader& r) { r.String("name", 1, 5); }),
              "nmae", "nmae is not a known field");
  // A member only probed with Has() counts as read.
  EXPECT_TRUE(Decode(R"({"x": 1})", [](ObjectReader& r) { EXPECT_TRUE(r.Has("x")); }).ok());
  // A member read with the wrong type reports the type, not "unknown".
  ExpectError(Decode(R"({"x": 1, "y": 2})", [](ObjectReader& r) { r.Bool("x"); }), "x",
              "x must be a boolean, not an integer");
}

TEST(ObjectReaderTest, FirstErrorWinsAndLaterReadsDoNothing) {
  Status s = Decode(R"({"a": 1, "b": 2})", [](ObjectReader& r) {
    EXPECT_FALSE(r.String("a", 1, 5));
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE(r.Int("b", 0, 5));  // Valid, but after an error.
    r.Fail("c", "is also wrong");
  });
  ExpectError(s, "a", "a must be a string, not an integer");
}

TEST(ObjectReaderTest, FailNamesTheMemberUnderTheReadersPath) {
  const Json json = Parse(R"({"day": "FUNDAY"})");
  DecodeErrors errors;
  ObjectReader r(json, "recurrence.weeklySettings[1]", errors);
  r.Fail("day", "must be a weekday");
  ExpectError(r.Finish(), "recurrence.weeklySettings[1].day",
              "recurrence.weeklySettings[1].day must be a weekday");
}

TEST(ObjectReaderTest, NestedReadersReportFullPaths) {
  const Json json =
      Parse(R"({"plan": {"stages": [{"targets": [{"channel": "a"}, {"channel": 5}]}]}})");
  DecodeErrors errors;
  ObjectReader root(json, "", errors);
  const Json* plan = root.Object("plan");
  ASSERT_NE(plan, nullptr);
  ObjectReader p(*plan, JoinPath(root.path(), "plan"), errors);
  const Json* stages = p.Array("stages", 10);
  ASSERT_NE(stages, nullptr);
  ObjectReader stage(stages->at(0), IndexPath(JoinPath(p.path(), "stages"), 0), errors);
  const Json* targets = stage.Array("targets", 10);
  ASSERT_NE(targets, nullptr);
  for (size_t i = 0; i < targets->size(); ++i) {
    ObjectReader t(targets->at(i), IndexPath(JoinPath(stage.path(), "targets"), i), errors);
    t.String("channel", 1, 10, true);
    (void)t.Finish();
  }
  ExpectError(root.Finish(), "plan.stages[0].targets[1].channel",
              "plan.stages[0].targets[1].channel must be a string, not an integer");
}

// --- MergePatch (RFC 7396 appendix A) ------------------------------------------

struct MergeCase {
  const char* original;
  const char* patch;
  const char* result;
};

TEST(MergePatchTest, Rfc7396AppendixA) {
  const MergeCase cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", R"(null)", R"(null)"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const auto& c : cases) {
    Json target = Parse(c.original);
    MergePatch(target, Parse(c.patch));
    EXPECT_EQ(Dump(target), Dump(Parse(c.result)))
        << "original " << c.original << " patch " << c.patch;
  }
}

TEST(MergePatchTest, NestedMergeKeepsUntouchedMembers) {
  Json target = Parse(R"({"alias":"a","plan":{"stages":[1],"x":1},"tags":{"k":"v"}})");
  MergePatch(target, Parse(R"({"plan":{"x":null},"tags":{"n":"m"}})"));
  EXPECT_EQ(Dump(target), R"({"alias":"a","plan":{"stages":[1]},"tags":{"k":"v","n":"m"}})");
}

// --- Dump ------------------------------------------------------------------------

TEST(DumpTest, CompactKeepsUtf8AndReplacesInvalidBytes) {
  Json value = Json::object();
  value["name"] = "héllo \"q\"";
  value["n"] = 1;
  EXPECT_EQ(Dump(value), "{\"name\":\"héllo \\\"q\\\"\",\"n\":1}");
  Json bad = std::string("a\xff");
  EXPECT_EQ(Dump(bad), "\"a\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace tocsin::codec
