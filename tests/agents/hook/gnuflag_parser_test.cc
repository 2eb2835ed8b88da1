#include "agents/unit/hook/tools/gnuflag_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace skein::agent::tools {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct Flags {
  bool app = false;
  bool all = false;
  std::string rel;
  std::string format = "smart";
  FlagSet set;
  Flags() {
    set.BoolVar(&app, {"app"}, "app usage");
    set.BoolVar(&all, {"a", "all"}, "all usage");
    set.StringVar(&rel, {"r", "relation"}, "relation usage");
    set.StringVar(&format, {"format"}, "format usage");
  }
};

TEST(GnuflagParserTest, LongAndShortFlagForms) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--relation", "db:1"}, {"--relation=db:1"}, {"-r", "db:1"}, {"-rdb:1"}}) {
    Flags f;
    ASSERT_EQ(f.set.Parse(args).outcome, FlagSet::Outcome::kOk) << args[0];
    EXPECT_EQ(f.rel, "db:1") << args[0];
    EXPECT_THAT(f.set.Args(), IsEmpty());
  }
}

TEST(GnuflagParserTest, ShortFlagWithEqualsKeepsTheEquals) {
  Flags f;
  ASSERT_EQ(f.set.Parse({"-r=7"}).outcome, FlagSet::Outcome::kOk);
  EXPECT_EQ(f.rel, "=7");  // gnuflag only strips `=` for long flags
}

TEST(GnuflagParserTest, InterspersedPositionalsAndDoubleDash) {
  Flags f;
  ASSERT_EQ(f.set.Parse({"-", "app2", "--app", "--format=json", "--", "-x", "--app"}).outcome, FlagSet::Outcome::kOk);
  EXPECT_TRUE(f.app);
  EXPECT_EQ(f.format, "json");
  EXPECT_THAT(f.set.Args(), ElementsAre("-", "app2", "-x", "--app"));
}

TEST(GnuflagParserTest, EmptyArgumentIsPositional) {
  Flags f;
  ASSERT_EQ(f.set.Parse({"active", "--", ""}).outcome, FlagSet::Outcome::kOk);
  EXPECT_THAT(f.set.Args(), ElementsAre("active", ""));
}

TEST(GnuflagParserTest, BooleansAcceptEveryGoParseBoolText) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    Flags f;
    ASSERT_EQ(f.set.Parse({std::string("--app=") + t}).outcome, FlagSet::Outcome::kOk) << t;
    EXPECT_TRUE(f.app) << t;
  }
  for (const char* t : {"0", "f", "F", "FALSE", "false", "False"}) {
    Flags f;
    f.app = true;
    ASSERT_EQ(f.set.Parse({std::string("--app=") + t}).outcome, FlagSet::Outcome::kOk) << t;
    EXPECT_FALSE(f.app) << t;
  }
}

TEST(GnuflagParserTest, BareBooleanDoesNotTakeTheNextArgument) {
  Flags f;
  ASSERT_EQ(f.set.Parse({"--app", "false"}).outcome, FlagSet::Outcome::kOk);
  EXPECT_TRUE(f.app);
  EXPECT_THAT(f.set.Args(), ElementsAre("false"));
}

TEST(GnuflagParserTest, InvalidBooleanValue) {
  Flags f;
  FlagSet::Result r = f.set.Parse({"--app=yes"});
  EXPECT_EQ(r.outcome, FlagSet::Outcome::kError);
  EXPECT_EQ(r.error, "invalid value \"yes\" for option --app: strconv.ParseBool: parsing \"yes\": invalid syntax");
}

TEST(GnuflagParserTest, CombinedOneLetterBooleans) {
  bool x = false, y = false;
  FlagSet set;
  set.BoolVar(&x, {"x"}, "");
  set.BoolVar(&y, {"y"}, "");
  ASSERT_EQ(set.Parse({"-xy"}).outcome, FlagSet::Outcome::kOk);
  EXPECT_TRUE(x);
  EXPECT_TRUE(y);
}

TEST(GnuflagParserTest, UnknownFlagsUseJujusOptionWording) {
  Flags f;
  FlagSet::Result r = f.set.Parse({"-x"});
  EXPECT_EQ(r.outcome, FlagSet::Outcome::kError);
  EXPECT_EQ(r.error, "option provided but not defined: -x");
  r = Flags().set.Parse({"a", "--bogus=1"});
  EXPECT_EQ(r.error, "option provided but not defined: --bogus");
}

TEST(GnuflagParserTest, MissingValue) {
  Flags f;
  FlagSet::Result r = f.set.Parse({"-r"});
  EXPECT_EQ(r.outcome, FlagSet::Outcome::kError);
  EXPECT_EQ(r.error, "option needs an argument: -r");
}

TEST(GnuflagParserTest, HelpUnlessDefined) {
  EXPECT_EQ(Flags().set.Parse({"--help"}).outcome, FlagSet::Outcome::kHelp);
  EXPECT_EQ(Flags().set.Parse({"x", "-h"}).outcome, FlagSet::Outcome::kHelp);
  // An error before the help flag wins, as in gnuflag.
  EXPECT_EQ(Flags().set.Parse({"--nope", "-h"}).outcome, FlagSet::Outcome::kError);
}

TEST(GnuflagParserTest, DefaultsListLikeGnuflag) {
  Flags f;
  EXPECT_EQ(f.set.Defaults(),
            "-a, --all  (= false)\n    all usage\n"
            "--app  (= false)\n    app usage\n"
            "--format (= \"smart\")\n    format usage\n"
            "-r, --relation (= \"\")\n    relation usage\n");
}

TEST(GnuflagParserTest, GoQuoteEscapes) {
  EXPECT_EQ(GoQuote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(GoQuoteList({"a", "b c"}), "[\"a\" \"b c\"]");
}

}  // namespace
}  // namespace skein::agent::tools
