// Contract tests for resource-get: the argv ops sends (`resource-get <name>`), the plain path it
// prints without a newline (ops-compat-notes §2.2), and the exit codes ops turns into ModelError.

#include <gtest/gtest.h>

#include "tests/agents/hook/fake_hook_context.h"

namespace skein::agent::testing {
namespace {

TEST(ResourceToolsTest, PrintsThePathWithoutANewline) {
  FakeHookContext ctx("web/0", "install");
  ctx.resource_paths["payload"] = "/var/lib/skein/unit-web-0/resources/payload/payload.txt";
  ToolResult r = ctx.Run("resource-get", {"payload"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "/var/lib/skein/unit-web-0/resources/payload/payload.txt");
  EXPECT_EQ(r.err, "");
}

TEST(ResourceToolsTest, AResourceNeverUploadedFailsWithTheControllersReason) {
  FakeHookContext ctx("web/0", "install");
  ToolResult r = ctx.Run("resource-get", {"payload"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ERROR could not download resource: resource \"payload\" has not been uploaded\n");
}

TEST(ResourceToolsTest, NeedsExactlyOneName) {
  FakeHookContext ctx("web/0", "install");
  ToolResult r = ctx.Run("resource-get", {});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR missing resource name\n");
  r = ctx.Run("resource-get", {"a", "b"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR unrecognized args: [\"b\"]\n");
  r = ctx.Run("resource-get", {"--format=json", "a"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR option provided but not defined: --format\n");
}

}  // namespace
}  // namespace skein::agent::testing
