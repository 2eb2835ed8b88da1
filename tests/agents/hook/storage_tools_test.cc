// Contract tests for storage-list, storage-get and storage-add (issue 15): the argv shapes ops
// sends (ops-compat-notes §2.2/§2.3), the formats, Juju's error texts and exit codes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/agents/hook/fake_hook_context.h"

namespace skein::agent::testing {
namespace {

using ::testing::HasSubstr;

class StorageToolsTest : public ::testing::Test {
 protected:
  StorageToolsTest() : ctx_("db/0", "data-storage-attached") {
    ctx_.storage = {{"data/0", "filesystem", "/var/lib/skein/storage/data-0"},
                    {"logs/1", "filesystem", "/var/lib/skein/storage/logs-1"},
                    {"logs/2", "block", "/var/lib/skein/storage/logs-2"}};
    ctx_.hook_storage_id = "data/0";
  }
  FakeHookContext ctx_;
};

TEST_F(StorageToolsTest, ListPrintsIdsInEveryShapeOpsSends) {
  // ops >= 3.4 puts --format first; ops <= 3.3 appends it.
  EXPECT_EQ(ctx_.Run("storage-list", {"--format=json", "logs"}).out, "[\"logs/1\",\"logs/2\"]\n");
  EXPECT_EQ(ctx_.Run("storage-list", {"logs", "--format=json"}).out, "[\"logs/1\",\"logs/2\"]\n");
  EXPECT_EQ(ctx_.Run("storage-list", {}).out, "data/0\nlogs/1\nlogs/2\n");
  // A name without instances is an empty list, which must still be valid JSON.
  EXPECT_EQ(ctx_.Run("storage-list", {"--format=json", "cache"}).out, "[]\n");
  ToolResult r = ctx_.Run("storage-list", {"a", "b"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR unrecognized args: [\"b\"]\n");
}

TEST_F(StorageToolsTest, GetReadsTheHooksInstanceByDefault) {
  EXPECT_EQ(ctx_.Run("storage-get", {"--format=json"}).out,
            "{\"kind\":\"filesystem\",\"location\":\"/var/lib/skein/storage/data-0\"}\n");
  EXPECT_EQ(ctx_.Run("storage-get", {"location"}).out, "/var/lib/skein/storage/data-0\n");
  EXPECT_EQ(ctx_.Run("storage-get", {"--format=json", "-s", "logs/2", "kind"}).out, "\"block\"\n");
  // ops <= 3.3: `storage-get -s disks/0 location --format=json`.
  EXPECT_EQ(ctx_.Run("storage-get", {"-s", "logs/1", "location", "--format=json"}).out,
            "\"/var/lib/skein/storage/logs-1\"\n");
  EXPECT_EQ(ctx_.Run("storage-get", {}).out, "kind: filesystem\nlocation: /var/lib/skein/storage/data-0\n");
}

TEST_F(StorageToolsTest, HelpNamesTheHooksInstanceAsOldOpsParsesIt) {
  ToolResult r = ctx_.Run("storage-get", {"--help"});
  EXPECT_EQ(r.code, 0);
  // ops <= 3.3 looks for `^-s\s+\(=\s+<id>\)` in the help text.
  EXPECT_THAT(r.out, HasSubstr("\n-s  (= data/0)\n"));
}

TEST_F(StorageToolsTest, GetErrorsAreJujus) {
  ToolResult r = ctx_.Run("storage-get", {"size"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR invalid storage attribute \"size\"\n");
  r = ctx_.Run("storage-get", {"-s", "data/9"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR invalid value \"data/9\" for option -s: storage \"data/9\" not found\n");
  FakeHookContext outside("db/0", "start");
  r = outside.Run("storage-get", {"location"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR no storage instance specified\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(StorageToolsTest, AddBuffersCountsForTheCommit) {
  ASSERT_EQ(ctx_.Run("storage-add", {"logs=2", "cache"}).code, 0);
  ASSERT_EQ(ctx_.Run("storage-add", {"logs"}).code, 0);
  EXPECT_EQ(ctx_.storage_adds, (std::map<std::string, int>{{"cache", 1}, {"logs", 3}}));
  ToolResult r = ctx_.Run("storage-add", {});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR storage add requires a storage directive\n");
  r = ctx_.Run("storage-add", {"logs=rootfs,1G"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR only count can be specified for \"logs\"\n");
  EXPECT_EQ(ctx_.storage_adds.size(), 2u) << "a refused call buffers nothing";
}

}  // namespace
}  // namespace skein::agent::testing
