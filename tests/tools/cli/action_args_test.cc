// Argument handling of `run`, `show-task`, `exec`, `ssh` and `scp`: usage errors exit 2 with the ERROR text; valid
// arguments (Go durations like 0.5s, 30s, 2m, 120.0s, 1m30s) get past Init to the connection step.

#include "gtest/gtest.h"
#include "tests/tools/cli/test_util.h"

namespace skein::cli::commands {
namespace {

using testing::CliRun;
using testing::RunSkein;
using testing::TempDir;
using testing::UsageCase;
using testing::UsageErrorTest;

INSTANTIATE_TEST_SUITE_P(
    Actions, UsageErrorTest,
    ::testing::Values(
        UsageCase{{"run"}, "no unit specified"},
        UsageCase{{"run", "backup"}, "no unit specified"},
        UsageCase{{"run", "app/0"}, "no action specified"},
        UsageCase{{"run", "app/0", "backup", "novalue"}, "argument \"novalue\" must be of the form key...=value"},
        UsageCase{{"run", "app/0", "backup", "--wait", "soon"},
                        "invalid value \"soon\" for option --wait: time: invalid duration \"soon\""},
        UsageCase{{"run", "app/0", "backup", "--wait", "1s", "--background"},
                        "cannot specify both --wait and --background"},
        UsageCase{{"run", "app/0", "backup", "--format", "xml"},
                        "invalid value \"xml\" for option --format: unknown format \"xml\""},
        UsageCase{{"show-task"}, "no task ID specified"},
        UsageCase{{"show-task", "1", "2"}, "unrecognized args: [\"2\"]"},
        UsageCase{{"show-task", "1", "--wait", "3x"},
                        "invalid value \"3x\" for option --wait: time: unknown unit \"x\" in duration \"3x\""},
        // Juju's --wait is a Go duration: a bare number other than 0 has no unit.
        UsageCase{{"run", "app/0", "backup", "--wait", "10"},
                        "invalid value \"10\" for option --wait: time: missing unit in duration \"10\""},
        UsageCase{{"show-task", "1", "--wait", "1e3s"},
                        "invalid value \"1e3s\" for option --wait: time: unknown unit \"e\" in duration \"1e3s\""}));

INSTANTIATE_TEST_SUITE_P(
    Exec, UsageErrorTest,
    ::testing::Values(
        UsageCase{{"exec", "--", "ls"}, "you must specify a target, either through --machine, --application or --unit"},
        UsageCase{{"exec", "--unit", "app/0"}, "no commands specified"},
        UsageCase{{"exec", "--unit", "app/0", "--wait", "soon", "--", "ls"},
                  "invalid value \"soon\" for option --wait: time: invalid duration \"soon\""},
        UsageCase{{"exec", "--unit", "app/0", "--format", "xml", "--", "ls"},
                  "invalid value \"xml\" for option --format: unknown format \"xml\""},
        UsageCase{{"ssh"}, "no target name specified"},
        UsageCase{{"ssh", "app/0", "-i", "key"},
                  "no command given: interactive shells are not supported on the local substrate (try: skein ssh "
                  "app/0 <command>)"},
        UsageCase{{"scp", "--", "-r", "app/0:x"}, "at least two arguments required: a source and a destination"}));

TEST(ActionArgsTest, AcceptedArgumentsReachTheConnectionStep) {
  for (const std::string wait : {"0.5s", "30s", "2m", "120.0s", "500ms", "1h", "1m30s", ".5s", "0"}) {
    TempDir dir;
    CliRun r = RunSkein(dir.path(), {"run", "app/0", "app/1", "backup", "a.b=1", "c=x=y", "--wait", wait});
    EXPECT_EQ(r.code, 1) << wait << ": " << r.err;
    EXPECT_EQ(r.err.find("invalid value"), std::string::npos) << r.err;
  }
  TempDir dir;
  CliRun r = RunSkein(dir.path(), {"show-task", "2", "--format", "json", "--wait", "1m"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.err.find("invalid value"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace skein::cli::commands
