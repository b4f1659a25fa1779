#include "tocsin/core/escape.h"

#include <string>

#include <gtest/gtest.h>

#include "tocsin/core/json_text.h"

namespace tocsin {
namespace {

TEST(XmlEscapeTest, EscapesMarkupAndBothQuotes) {
  EXPECT_EQ(XmlEscape("plain text"), "plain text");
  EXPECT_EQ(XmlEscape("<b>&\"x\"'y'</b>"), "&lt;b&gt;&amp;&quot;x&quot;&#39;y&#39;&lt;/b&gt;");
  // An entity in the input is text, not markup.
  EXPECT_EQ(XmlEscape("&amp;"), "&amp;amp;");
  EXPECT_EQ(XmlEscape(""), "");
}

TEST(XmlEscapeTest, ReplacesCharactersXmlForbidsAndKeepsUtf8) {
  EXPECT_EQ(XmlEscape("a\tb\nc\rd"), "a\tb\nc\rd");
  EXPECT_EQ(XmlEscape(std::string("x\0y", 3)), "x y");
  EXPECT_EQ(XmlEscape("\x01\x08\x0b\x0c\x1f\x7f"), "      ");
  EXPECT_EQ(XmlEscape("caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x94\x94"),
            "caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x94\x94");
}

TEST(Utf8SequenceLengthTest, MeasuresWellFormedSequences) {
  EXPECT_EQ(Utf8SequenceLength("a"), 1u);
  EXPECT_EQ(Utf8SequenceLength("abc"), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xC3\xA9x"), 2u);
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82\xAC"), 3u);
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x94\x94"), 4u);
  EXPECT_EQ(Utf8SequenceLength("\xF4\x8F\xBF\xBF"), 4u);  // U+10FFFF.
}

TEST(Utf8SequenceLengthTest, RejectsIllFormedSequences) {
  EXPECT_EQ(Utf8SequenceLength(""), 0u);
  EXPECT_EQ(Utf8SequenceLength("\x80"), 0u);              // Lone continuation.
  EXPECT_EQ(Utf8SequenceLength("\xC3"), 0u);              // Truncated.
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82"), 0u);          // Truncated.
  EXPECT_EQ(Utf8SequenceLength("\xC0\x80"), 0u);          // Overlong NUL.
  EXPECT_EQ(Utf8SequenceLength("\xE0\x80\xAF"), 0u);      // Overlong '/'.
  EXPECT_EQ(Utf8SequenceLength("\xED\xA0\x80"), 0u);      // Surrogate.
  EXPECT_EQ(Utf8SequenceLength("\xF4\x90\x80\x80"), 0u);  // Above U+10FFFF.
  EXPECT_EQ(Utf8SequenceLength("\xE2\x28\xA1"), 0u);      // Bad continuation.
  EXPECT_EQ(Utf8SequenceLength("\xFF"), 0u);
}

TEST(TruncateUtf8Test, CountsCharactersAndNeverCutsASequence) {
  EXPECT_EQ(TruncateUtf8("héllo", 2), "hé");
  EXPECT_EQ(TruncateUtf8("héllo", 10), "héllo");
  EXPECT_EQ(TruncateUtf8("\xF0\x9F\x94\x94"
                         "bell",
                         1),
            "\xF0\x9F\x94\x94");
  EXPECT_EQ(TruncateUtf8("", 5), "");
  EXPECT_EQ(TruncateUtf8("abc", 0), "");
  // An ill-formed byte is one replacement character.
  EXPECT_EQ(TruncateUtf8("a\xFF"
                         "b",
                         3),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(TruncateUtf8("\xE2\x82", 5), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(JsonEscapeTest, EscapesWhatJsonRequiresAndCopiesTheRest) {
  EXPECT_EQ(JsonEscape(""), "");
  EXPECT_EQ(JsonEscape("plain text, no escapes"), "plain text, no escapes");
  EXPECT_EQ(JsonEscape("say \"hi\"\\ now"), "say \\\"hi\\\"\\\\ now");
  EXPECT_EQ(JsonEscape("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(JsonEscape(std::string("x\x01y\0z", 5)), "x\\u0001y\\u0000z");
  EXPECT_EQ(JsonEscape("\x1f/"), "\\u001f/");
  // UTF-8 passes through; an ill-formed byte becomes U+FFFD.
  EXPECT_EQ(JsonEscape("caf\xC3\xA9 \xF0\x9F\x94\x94!"), "caf\xC3\xA9 \xF0\x9F\x94\x94!");
  EXPECT_EQ(JsonEscape("a\xFF\"b"), "a\xEF\xBF\xBD\\\"b");
  EXPECT_EQ(JsonQuote("q\""), "\"q\\\"\"");
  std::string out = "[";
  AppendJsonQuoted(out, "k");
  AppendJsonEscaped(out, "\n");
  EXPECT_EQ(out, "[\"k\"\\n");
}

TEST(JsonObjectTest, KeepsKeysInOrderAndEscapesKeysAndValues) {
  JsonObject o;
  o.Add("b", "x\"y").Add("a", int64_t{-3}).Add("k\"ey", true);
  o.Add("list", std::vector<std::string>{"1", "\\"}).AddRaw("raw", "null");
  EXPECT_EQ(o.Build(),
            "{\"b\":\"x\\\"y\",\"a\":-3,\"k\\\"ey\":true,\"list\":[\"1\",\"\\\\\"],\"raw\":null}");
  EXPECT_EQ(JsonObject().Build(), "{}");
}

}  // namespace
}  // namespace tocsin
