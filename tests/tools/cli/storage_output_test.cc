// The storage documents of `skein storage`, `show-storage` and status (contract §5.9): the keys
// jubilant reads (kind, status, persistent, attachments.units) and the tabular listing.

#include "tools/cli/output/storage_output.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::cli::output {
namespace {

skein::v1::StorageInstanceInfo Instance(const std::string& id, const std::string& kind, const std::string& unit) {
  skein::v1::StorageInstanceInfo s;
  s.set_id(id);
  s.set_kind(kind);
  s.set_pool(kind == "block" ? "loop" : "rootfs");
  s.set_size_mib(1024);
  s.set_life("alive");
  s.set_since("2026-01-01T00:00:00Z");
  if (unit.empty()) {
    s.set_status("detached");
  } else {
    s.set_unit(unit);
    s.set_unit_life("alive");
    s.set_machine("0");
    s.set_status("attached");
    s.set_location("/var/lib/skein/storage/" + id.substr(0, id.find('/')) + "-" + id.substr(id.find('/') + 1));
  }
  return s;
}

TEST(StorageOutputTest, CombinedDocumentHasJujusKeys) {
  nlohmann::json doc = CombinedStorageJson(
      {Instance("data/0", "filesystem", "db/0"), Instance("data/1", "filesystem", ""), Instance("disks/2", "block", "db/0")});
  const nlohmann::json& data = doc["storage"]["data/0"];
  EXPECT_EQ(data["kind"], "filesystem");
  EXPECT_EQ(data["persistent"], false);
  EXPECT_EQ(data["life"], "alive");
  EXPECT_EQ(data["status"]["current"], "attached");
  EXPECT_EQ(data["attachments"]["units"]["db/0"]["location"], "/var/lib/skein/storage/data-0");
  EXPECT_EQ(data["attachments"]["units"]["db/0"]["machine"], "0");
  // A detached instance has no attachments at all (an `attachments` without `units` breaks jubilant).
  EXPECT_FALSE(doc["storage"]["data/1"].contains("attachments"));
  EXPECT_EQ(doc["storage"]["data/1"]["status"]["current"], "detached");
  EXPECT_EQ(doc["filesystems"]["0"]["size"], 1024);
  EXPECT_EQ(doc["filesystems"]["0"]["storage"], "data/0");
  EXPECT_EQ(doc["filesystems"]["0"]["attachments"]["machines"]["0"]["mount-point"], "/var/lib/skein/storage/data-0");
  EXPECT_EQ(doc["filesystems"]["0"]["attachments"]["machines"]["0"]["read-only"], false);
  EXPECT_EQ(doc["volumes"]["2"]["persistent"], false);
  EXPECT_EQ(doc["volumes"]["2"]["storage"], "disks/2");
  EXPECT_FALSE(doc["volumes"]["2"]["attachments"]["machines"]["0"].contains("mount-point"));
  EXPECT_EQ(CombinedStorageJson({}), nlohmann::json::object()) << "no empty maps, no nulls";
}

TEST(StorageOutputTest, TabularListsUnitIdTypePoolMountpointSizeStatus) {
  std::string table = StorageTabular({Instance("data/0", "filesystem", "db/0"), Instance("data/1", "filesystem", "")},
                                     /*color=*/false);
  EXPECT_THAT(table, ::testing::StartsWith("Unit  Storage ID  Type        Pool    Mountpoint"));
  EXPECT_THAT(table, ::testing::HasSubstr("db/0  data/0      filesystem  rootfs  /var/lib/skein/storage/data-0  1.0 GiB  attached"));
  EXPECT_THAT(table, ::testing::HasSubstr("      data/1      filesystem  rootfs"));
  EXPECT_THAT(table, ::testing::HasSubstr("detached"));
}

}  // namespace
}  // namespace skein::cli::output
