// Contract tests for relation-set: key=value pairs, --file (YAML or JSON, from a file or lazily
// from stdin), --app leadership, deprecated --format.

#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/agents/hook/fake_hook_context.h"

namespace skein::agent::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

class RelationSetTest : public ::testing::Test {
 protected:
  RelationSetTest() : ctx_("wordpress/0", "db-relation-changed") {
    ctx_.AddRelation(1, "db", "mysql", {"mysql/0"});
    ctx_.AddRelation(3, "db", "mysql-b", {"mysql-b/0"});
    ctx_.SetHookRelation(1, "mysql/0", "mysql");
  }
  FakeHookContext ctx_;
};

TEST_F(RelationSetTest, KeyValuePairsGoToTheOwnUnitBag) {
  ToolResult r = ctx_.Run("relation-set", {"user=bob", "url=http://x/?a=b", "gone="});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(ctx_.unit_writes[1], UnorderedElementsAre(Pair("user", "bob"), Pair("url", "http://x/?a=b"), Pair("gone", "")));
  EXPECT_THAT(ctx_.app_writes, IsEmpty());
  // The own bag reads back this hook's writes at once.
  EXPECT_EQ(ctx_.Run("relation-get", {"user", "wordpress/0"}).out, "bob\n");
}

TEST_F(RelationSetTest, BadPairs) {
  ToolResult r = ctx_.Run("relation-set", {"novalue"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR expected \"key=value\", got \"novalue\"\n");
  r = ctx_.Run("relation-set", {"=v"});
  EXPECT_EQ(r.err, "ERROR expected \"key=value\", got \"=v\"\n");
  r = ctx_.Run("relation-set", {"a=1", "a=2"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR key \"a\" specified more than once\n");
  EXPECT_THAT(ctx_.unit_writes, IsEmpty());
}

TEST_F(RelationSetTest, LazyStdinRoundTripWithJson) {
  // ops >= 3.4: relation-set -r db:1 --app --file - with a JSON object on stdin.
  std::vector<std::string> args = {"-r", "db:3", "--app", "--file", "-"};
  ToolResult first = ctx_.Run("relation-set", args);
  EXPECT_TRUE(first.needs_stdin);
  EXPECT_EQ(first.out, "");
  EXPECT_EQ(first.err, "");
  EXPECT_THAT(ctx_.app_writes, IsEmpty());  // nothing happened yet

  ToolResult second = ctx_.Run("relation-set", args, std::string("{\"ak\": \"av\", \"n\": \"\"}"));
  EXPECT_FALSE(second.needs_stdin);
  EXPECT_EQ(second.code, 0) << second.err;
  EXPECT_THAT(ctx_.app_writes[3], UnorderedElementsAre(Pair("ak", "av"), Pair("n", "")));
  EXPECT_THAT(ctx_.unit_writes, IsEmpty());
}

TEST_F(RelationSetTest, YamlOnStdinLikeOps2) {
  // ops 2.x: relation-set -r 1 --file - with yaml.safe_dump output.
  ToolResult r = ctx_.Run("relation-set", {"-r", "1", "--file", "-"},
                          std::string("k: v\nport: 5432\nflag: true\nnothing: null\nblock: |\n  line1\n  line2\n"));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(ctx_.unit_writes[1], UnorderedElementsAre(Pair("k", "v"), Pair("port", "5432"), Pair("flag", "true"),
                                                        Pair("nothing", ""), Pair("block", "line1\nline2\n")));
}

TEST_F(RelationSetTest, ArgumentsOverrideTheFile) {
  ToolResult r = ctx_.Run("relation-set", {"--file=-", "a=cli", "c=3"}, std::string("a: file\nb: file\n"));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(ctx_.unit_writes[1], UnorderedElementsAre(Pair("a", "cli"), Pair("b", "file"), Pair("c", "3")));
}

TEST_F(RelationSetTest, FileRelativeToToolDirectory) {
  char dir_template[] = "/tmp/skein-relset-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  std::ofstream(dir + "/settings.yaml") << "x: \"1\"\ny: '2'\n";
  ToolResult r = ctx_.Run("relation-set", {"--file", "settings.yaml"}, std::nullopt, dir);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(r.needs_stdin);  // a real file never needs stdin
  EXPECT_THAT(ctx_.unit_writes[1], UnorderedElementsAre(Pair("x", "1"), Pair("y", "2")));
  r = ctx_.Run("relation-set", {"--file", "missing.yaml"}, std::nullopt, dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR open " + dir + "/missing.yaml: no such file or directory\n");
  unlink((dir + "/settings.yaml").c_str());
  rmdir(dir.c_str());
}

TEST_F(RelationSetTest, BadFileContent) {
  ToolResult r = ctx_.Run("relation-set", {"--file", "-"}, std::string("- a\n- b\n"));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into map[string]string\n");
  r = ctx_.Run("relation-set", {"--file", "-"}, std::string("a:\n  nested: map\n"));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR yaml: unmarshal errors:\n  line 2: cannot unmarshal !!map into string\n");
  r = ctx_.Run("relation-set", {"--file", "-"}, std::string("{unclosed"));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("ERROR yaml: ", 0), 0u) << r.err;
  // Empty stdin sets nothing and succeeds.
  r = ctx_.Run("relation-set", {"--file", "-"}, std::string(""));
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(RelationSetTest, AppNeedsLeadership) {
  ctx_.leader = false;
  ToolResult r = ctx_.Run("relation-set", {"--app", "k=v"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR cannot write relation settings\n");
  EXPECT_THAT(ctx_.app_writes, IsEmpty());

  ctx_.leader_error = "leadership status unknown: controller unreachable";
  r = ctx_.Run("relation-set", {"--app", "k=v"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "ERROR cannot determine leadership status: leadership status unknown: controller unreachable\n");
}

TEST_F(RelationSetTest, BooleanAppSpellings) {
  EXPECT_EQ(ctx_.Run("relation-set", {"--app=True", "a=1"}).code, 0);
  EXPECT_EQ(ctx_.Run("relation-set", {"--app=false", "u=1"}).code, 0);
  EXPECT_THAT(ctx_.app_writes[1], ElementsAre(Pair("a", "1")));
  EXPECT_THAT(ctx_.unit_writes[1], ElementsAre(Pair("u", "1")));
}

TEST_F(RelationSetTest, DeprecatedFormatFlagWarnsWithoutNewline) {
  ToolResult r = ctx_.Run("relation-set", {"--format", "json", "a=1"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err, "--format flag deprecated for command \"relation-set\"");
  EXPECT_THAT(ctx_.unit_writes[1], ElementsAre(Pair("a", "1")));
}

TEST_F(RelationSetTest, UnknownRelationFromFlag) {
  ToolResult r = ctx_.Run("relation-set", {"-r", "db:42", "--file", "-"});
  EXPECT_EQ(r.code, 2);
  EXPECT_FALSE(r.needs_stdin);  // usage errors come before stdin is ever wanted
  EXPECT_EQ(r.err, "ERROR invalid value \"db:42\" for option -r: relation not found\n");
}

}  // namespace
}  // namespace skein::agent::testing
