#include "lib/format/output.h"

#include "gtest/gtest.h"

namespace skein::format {
namespace {

TEST(FormatTest, JsonIsCompactWithSortedKeys) {
  nlohmann::json v = {{"b", "x"}, {"a", 1}};
  EXPECT_EQ(ToJson(v), "{\"a\":1,\"b\":\"x\"}\n");
  EXPECT_EQ(ToJson(nullptr), "null\n");
}

TEST(FormatTest, YamlQuotesStringsThatWouldChangeType) {
  nlohmann::json v = {{"port", "8080"}, {"flag", "true"}, {"name", "mysql"}, {"num", 3}, {"empty", ""}};
  EXPECT_EQ(ToYaml(v), "empty: ''\nflag: 'true'\nname: mysql\nnum: 3\nport: '8080'\n");
  EXPECT_EQ(ToYaml(nullptr), "");
  auto back = YamlToJson(ToYaml(v), YamlDialect::kJuju);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, v);
}

TEST(FormatTest, MultiLineStringsRoundTripExactly) {
  for (const std::string text : {"a\nb", "a\nb\n", "a\n\n", "\nlead"}) {
    nlohmann::json v = {{"k", text}};
    auto back = YamlToJson(ToYaml(v), YamlDialect::kJuju);
    ASSERT_TRUE(back.ok()) << ToYaml(v);
    EXPECT_EQ((*back)["k"], text) << ToYaml(v);
  }
}

TEST(FormatTest, SmartFollowsJujuRules) {
  EXPECT_EQ(ToSmart("hello"), "hello\n");
  EXPECT_EQ(ToSmart(""), "");
  EXPECT_EQ(ToSmart(true), "True\n");
  EXPECT_EQ(ToSmart(nullptr), "");
  EXPECT_EQ(ToSmart(nlohmann::json::array({"db:1", "db:2"})), "db:1\ndb:2\n");
  EXPECT_EQ(ToSmart(nlohmann::json{{"k", "v"}}), "k: v\n");
}

TEST(FormatTest, UnknownFormatIsAnError) {
  auto r = Render("x", "xml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "invalid value \"xml\" for option --format: unknown format \"xml\"");
}

}  // namespace
}  // namespace skein::format
