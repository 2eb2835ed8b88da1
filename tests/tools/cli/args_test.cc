// Argument handling of every command: usage errors exit 2 with Juju's ERROR text on stderr,
// --help exits 0 with Juju's help layout on stdout, runtime failures exit 1.

#include <filesystem>
#include <regex>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/tools/cli/test_util.h"
#include "tools/cli/commands/command.h"

namespace skein::cli::commands {
namespace {

using testing::CliRun;
using testing::RunSkein;
using testing::TempDir;
using testing::UsageCase;
using testing::UsageErrorTest;

TEST_P(UsageErrorTest, ExitsTwoWithJujuText) {
  TempDir dir;
  CliRun r = RunSkein(dir.path(), GetParam().args);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(r.err, "ERROR " + GetParam().error + "\n");
  EXPECT_EQ(r.out, "");
}

INSTANTIATE_TEST_SUITE_P(
    Commands, UsageErrorTest,
    ::testing::Values(
        UsageCase{{"nope"}, "skein: \"nope\" is not a skein command. See \"skein --help\"."},
        UsageCase{{"deploy"}, "no charm name specified"},
        UsageCase{{"deploy", "./a", "b", "c"}, "unrecognized args: [\"c\"]"},
        UsageCase{{"deploy", "./a", "Bad_Name"}, "invalid application name \"Bad_Name\""},
        UsageCase{{"deploy", "./a", "-n", "x"}, "invalid value \"x\" for option --num-units: expected an integer"},
        UsageCase{{"deploy", "./a", "--num-units=-2"}, "--num-units must be a positive integer"},
        UsageCase{{"deploy", "./a", "--model"}, "option needs an argument: --model"},
        UsageCase{{"deploy", "--bogus", "./a"}, "option provided but not defined: --bogus"},
        UsageCase{{"deploy", "./a", "--revision", "x"}, "invalid value \"x\" for option --revision: expected an integer"},
        UsageCase{{"integrate", "a"}, "an integration must involve two applications"},
        UsageCase{{"relate", "a", "b", "c"}, "an integration must involve two applications"},
        UsageCase{{"remove-relation"}, "a relation must involve two applications"},
        UsageCase{{"remove-relation", "a"}, "a relation must involve two applications"},
        UsageCase{{"add-unit"}, "no application specified"},
        UsageCase{{"add-unit", "a", "b"}, "unrecognized args: [\"b\"]"},
        UsageCase{{"add-unit", "a", "-n", "0"}, "--num-units must be a positive integer"},
        UsageCase{{"remove-unit"}, "no units specified"},
        UsageCase{{"remove-unit", "app", "--no-prompt"}, "invalid unit name \"app\""},
        UsageCase{{"remove-unit", "a/0", "b/1", "--num-units", "2"}, "only single application supported with --num-units"},
        UsageCase{{"remove-application"}, "no application specified"},
        UsageCase{{"remove-application", "--no-prompt", "a/0"}, "invalid application name \"a/0\""},
        UsageCase{{"config"}, "no application name specified"},
        UsageCase{{"config", "app", "a", "b"}, "can only retrieve a single value, or all values"},
        UsageCase{{"config", "app", "a", "b=1"}, "cannot set and retrieve values simultaneously"},
        UsageCase{{"config", "app", "a", "--reset", "b"}, "cannot reset and retrieve values simultaneously"},
        UsageCase{{"config", "app", "a=1", "--reset", "a"}, "cannot set and reset key \"a\" simultaneously"},
        UsageCase{{"config", "app", "--format", "xml"}, "invalid value \"xml\" for option --format: unknown format \"xml\""},
        UsageCase{{"status", "--format", "xml"}, "invalid value \"xml\" for option --format: unknown format \"xml\""},
        UsageCase{{"status", "--color", "--no-color"}, "cannot mix --no-color and --color"},
        UsageCase{{"show-unit"}, "an unit name must be supplied"},
        UsageCase{{"show-unit", "app"}, "invalid unit name \"app\""},
        UsageCase{{"debug-log", "--level", "LOUD"},
                  "level value \"LOUD\" is not one of \"TRACE\", \"DEBUG\", \"INFO\", \"WARNING\", \"ERROR\""},
        UsageCase{{"debug-log", "--tail", "--no-tail"}, "setting --tail and --no-tail is not allowed"},
        UsageCase{{"debug-log", "--limit", "x"}, "invalid value \"x\" for option --limit: expected an integer"},
        UsageCase{{"debug-log", "extra"}, "unrecognized args: [\"extra\"]"},
        UsageCase{{"add-model"}, "model name is required"},
        UsageCase{{"add-model", "Bad"},
                  "\"Bad\" is not a valid name: model names may only contain lowercase letters, digits and hyphens"},
        UsageCase{{"models", "extra"}, "unrecognized args: [\"extra\"]"},
        UsageCase{{"models", "--format", "smart"}, "invalid value \"smart\" for option --format: unknown format \"smart\""},
        UsageCase{{"switch", "a", "b"}, "unrecognized args: [\"b\"]"},
        UsageCase{{"version", "--format", "xml"}, "invalid value \"xml\" for option --format: unknown format \"xml\""},
        UsageCase{{"bootstrap", "local", "bad name"}, "controller name \"bad name\" is not valid"},
        UsageCase{{"bootstrap", "a", "b", "c"}, "unrecognized args: [\"c\"]"},
        UsageCase{{"kill-controller", "a", "b"}, "unrecognized args: [\"b\"]"},
        UsageCase{{"restore-backup"}, "restore-backup needs the backup file"},
        UsageCase{{"create-backup", "notes"}, "unrecognized args: [\"notes\"]"}));

class HelpTest : public ::testing::TestWithParam<std::string> {};

TEST_P(HelpTest, ExitsZeroWithJujuLayoutOnStdout) {
  TempDir dir;
  for (const auto& args : {std::vector<std::string>{GetParam(), "--help"}, std::vector<std::string>{GetParam(), "-h"},
                           std::vector<std::string>{"help", GetParam()}}) {
    CliRun r = RunSkein(dir.path(), args);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out.rfind("Usage: skein " + GetParam() + " [options]", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("\n\nSummary:\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n\nOptions:\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n\nDetails:\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("-h, --help  (= false)\n"), std::string::npos) << r.out;
  }
}

INSTANTIATE_TEST_SUITE_P(Commands, HelpTest,
                         ::testing::Values("add-model", "add-unit", "bootstrap", "config", "create-backup", "debug-log", "deploy",
                                           "integrate", "kill-controller", "models", "remove-application",
                                           "remove-relation", "remove-unit", "restore-backup", "show-unit", "status", "switch",
                                           "trust", "version"));

TEST(HelpTest, RunAsJujuItSaysJujuInUsageAndExamples) {
  EXPECT_EQ(ProgramName("/usr/local/bin/juju"), "juju");
  EXPECT_EQ(ProgramName("juju"), "juju");
  EXPECT_EQ(ProgramName("/work/build/bin/skein"), "skein");
  EXPECT_EQ(ProgramName("/opt/juju/bin/skein"), "skein");
  TempDir dir;
  testing::RunOptions as_juju;
  as_juju.program = "juju";
  CliRun r = RunSkein(dir.path(), {"deploy", "--help"}, as_juju);
  EXPECT_EQ(r.out.rfind("Usage: juju deploy [options]", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nExamples:\n    juju deploy kubeflow --channel 1.9/stable\n"), std::string::npos) << r.out;
  r = RunSkein(dir.path(), {"--help"}, as_juju);
  EXPECT_EQ(r.out.rfind("Usage: juju [options] <command> ...", 0), 0u) << r.out;
  r = RunSkein(dir.path(), {"frobnicate"}, as_juju);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR juju: \"frobnicate\" is not a juju command. See \"juju --help\".\n");
}

TEST(HelpTest, ModelFlagAndStringDefaultsInJujuForm) {
  TempDir dir;
  CliRun r = RunSkein(dir.path(), {"deploy", "--help"});
  EXPECT_NE(r.out.find("-m, --model (= \"\")\n    Model to operate in."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("-n, --num-units  (= 1)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nExamples:\n    skein deploy kubeflow --channel 1.9/stable\n"), std::string::npos) << r.out;
}

TEST(HelpTest, TopLevelListsCommands) {
  TempDir dir;
  for (const auto& args : {std::vector<std::string>{}, std::vector<std::string>{"--help"},
                           std::vector<std::string>{"help"}}) {
    CliRun r = RunSkein(dir.path(), args);
    EXPECT_EQ(r.code, 0);
    // The summaries line up after the longest command name, whatever it is.
    EXPECT_TRUE(std::regex_search(r.out, std::regex("\n    deploy +- Deploys a new application or bundle.\n"))) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex("\n    relate +- Alias for 'integrate'.\n"))) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex("\n    destroy-model +- Terminate all machines"))) << r.out;
  }
}

TEST(RuntimeErrorTest, NoControllerRegistered) {
  TempDir dir;
  for (const auto& args : {std::vector<std::string>{"status"}, std::vector<std::string>{"models"},
                           std::vector<std::string>{"status", "--model", "c:u/m"},
                           std::vector<std::string>{"add-model", "x"}}) {
    CliRun r = RunSkein(dir.path(), args);
    EXPECT_EQ(r.code, 1) << args[0];
    EXPECT_EQ(r.err,
              "ERROR No controllers registered.\n\n"
              "Please either create a new controller using \"skein bootstrap\" or point SKEIN_DATA at\n"
              "the data directory of an existing one.\n");
  }
}

TEST(RuntimeErrorTest, DeployOfADirectoryWithoutMetadata) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/notacharm");
  testing::WriteFile(dir.path() + "/notacharm/README", "hi");
  CliRun r = RunSkein(dir.path(), {"deploy", dir.path() + "/notacharm"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR no charm found at \"" + dir.path() + "/notacharm\"\n");
}

TEST(RuntimeErrorTest, DeployOfANameTheStoreDoesNotHave) {
  TempDir dir;
  CliRun r = RunSkein(dir.path(), {"deploy", "no-such-thing", "--channel", "1.9/stable"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR cannot resolve charm or bundle \"no-such-thing\": charm or bundle not found\n");
}

TEST(RuntimeErrorTest, KillControllerWithoutTerminalNeedsNoPrompt) {
  TempDir dir;
  CliRun r = RunSkein(dir.path(), {"kill-controller"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR kill-controller needs confirmation and stdin is not a terminal; use --no-prompt\n");
}

TEST(RuntimeErrorTest, KillControllerWithNothingToKill) {
  TempDir dir;
  CliRun r = RunSkein(dir.path(), {"kill-controller", "--no-prompt"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("ERROR No controllers registered.", 0), 0u) << r.err;
}

TEST(VersionTest, PlainAndJson) {
  TempDir dir;
  CliRun plain = RunSkein(dir.path(), {"version"});
  EXPECT_EQ(plain.code, 0);
  CliRun json = RunSkein(dir.path(), {"version", "--format", "json", "--all"});
  EXPECT_EQ(json.code, 0);
  auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["version"].get<std::string>() + "\n", plain.out);
  CliRun equals = RunSkein(dir.path(), {"version", "--format=json"});
  EXPECT_EQ(equals.out, "\"" + plain.out.substr(0, plain.out.size() - 1) + "\"\n");
}

}  // namespace
}  // namespace skein::cli::commands
