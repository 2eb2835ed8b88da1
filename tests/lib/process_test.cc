#include "lib/process/subprocess.h"

#include "gtest/gtest.h"

namespace skein::process {
namespace {

TEST(ProcessTest, RunCapturesOutputAndExitCode) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3"};
  auto r = process::Run(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->stdout_text, "out\n");
  EXPECT_EQ(r->stderr_text, "err\n");
}

TEST(ProcessTest, RunGivesExactlyTheEnvironmentAsked) {
  SpawnOptions o;
  o.argv = {"/usr/bin/env"};
  o.env = std::map<std::string, std::string>{{"ONLY", "this"}};
  auto r = process::Run(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout_text, "ONLY=this\n");
}

TEST(ProcessTest, MissingExecutableIsReported) {
  SpawnOptions o;
  o.argv = {"/nonexistent/tool"};
  auto r = process::Run(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("No such file"), std::string::npos);
}

TEST(ProcessTest, TimeoutKillsTheWholeGroup) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "sleep 30 & sleep 30"};
  auto r = process::Run(o, std::chrono::milliseconds(200));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->signaled);
}

TEST(ProcessTest, TerminateStopsASpawnedDaemon) {
  SpawnOptions o;
  o.argv = {"/bin/sleep", "30"};
  auto pid = Spawn(o);
  ASSERT_TRUE(pid.ok());
  EXPECT_TRUE(IsAlive(*pid));
  EXPECT_TRUE(Terminate(*pid, std::chrono::milliseconds(2000)));
  EXPECT_FALSE(IsAlive(*pid));
}

}  // namespace
}  // namespace skein::process
