#include "gtest/gtest.h"
#include "lib/charm/metadata.h"
#include "lib/charm/storage_spec.h"

namespace skein::charm {
namespace {

TEST(StorageSpecTest, ParsesEveryFieldJujuDefines) {
  auto m = ParseMetadata(R"(
name: db
storage:
  data:
    type: filesystem
    description: the database files
    location: /srv/data
    shared: false
    read-only: true
    minimum-size: 10G
    properties: [transient]
  logs:
    type: filesystem
    multiple:
      range: 0-3
  disks:
    type: block
    multiple: {range: 2-}
  more:
    type: filesystem
    multiple: {range: 2}
)");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->storage.size(), 4u);
  const StorageSpec* data = m->FindStorage("data");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->kind, StorageKind::kFilesystem);
  EXPECT_EQ(data->description, "the database files");
  EXPECT_EQ(data->location, "/srv/data");
  EXPECT_TRUE(data->read_only);
  EXPECT_EQ(data->minimum_size_mib, 10240u);
  EXPECT_TRUE(data->transient());
  // Without `multiple` a unit has exactly one instance.
  EXPECT_EQ(data->count_min, 1);
  EXPECT_EQ(data->count_max, 1);
  EXPECT_EQ(m->FindStorage("logs")->count_min, 0);
  EXPECT_EQ(m->FindStorage("logs")->count_max, 3);
  EXPECT_EQ(m->FindStorage("disks")->kind, StorageKind::kBlock);
  EXPECT_EQ(m->FindStorage("disks")->count_min, 2);
  EXPECT_EQ(m->FindStorage("disks")->count_max, std::nullopt);
  EXPECT_EQ(m->FindStorage("more")->count_min, 2);
  EXPECT_EQ(m->FindStorage("more")->count_max, 2);
  EXPECT_EQ(m->FindStorage("nope"), nullptr);
}

TEST(StorageSpecTest, RefusesWhatJujuRefuses) {
  EXPECT_EQ(ParseMetadata("name: a\nstorage: {data: {description: x}}\n").status().message(),
            "metadata.yaml: storage \"data\": missing \"type\" (filesystem or block)");
  EXPECT_EQ(ParseMetadata("name: a\nstorage: {data: {type: disk}}\n").status().message(),
            "metadata.yaml: storage \"data\": type must be filesystem or block, not \"disk\"");
  EXPECT_EQ(ParseMetadata("name: a\nstorage: {data: {type: block, location: /x}}\n").status().message(),
            "metadata.yaml: storage \"data\": location is not valid for block storage");
  EXPECT_EQ(ParseMetadata("name: a\nstorage: {data: {type: filesystem, multiple: {range: 3-1}}}\n").status().message(),
            "metadata.yaml: storage \"data\": invalid multiple range \"3-1\" (expected N, N-M, N- or N+)");
  EXPECT_FALSE(ParseMetadata("name: a\nstorage: {data: {type: filesystem, multiple: {range: x}}}\n").ok());
  EXPECT_FALSE(ParseMetadata("name: a\nstorage: {data: {type: filesystem, minimum-size: big}}\n").ok());
  EXPECT_FALSE(ParseMetadata("name: a\nstorage: {data: {type: filesystem, properties: [fast]}}\n").ok());
  EXPECT_EQ(ParseMetadata("name: a\nstorage: {Data: {type: filesystem}}\n").status().message(),
            "metadata.yaml: invalid storage name \"Data\"");
  EXPECT_EQ(ParseMetadata("name: a\nstorage: [data]\n").status().message(), "metadata.yaml: \"storage\" must be a map");
}

TEST(StorageSpecTest, SizesAreMebibytes) {
  EXPECT_EQ(*ParseSizeMiB("512"), 512u);
  EXPECT_EQ(*ParseSizeMiB("512M"), 512u);
  EXPECT_EQ(*ParseSizeMiB("1G"), 1024u);
  EXPECT_EQ(*ParseSizeMiB("1.5G"), 1536u);
  EXPECT_EQ(*ParseSizeMiB("2T"), 2u * 1024 * 1024);
  EXPECT_EQ(*ParseSizeMiB("1GiB"), 1024u);
  EXPECT_FALSE(ParseSizeMiB("G").ok());
  EXPECT_FALSE(ParseSizeMiB("-1G").ok());
  EXPECT_FALSE(ParseSizeMiB("1Q").ok());
}

TEST(StorageSpecTest, DirectivesTakePoolCountAndSizeInAnyOrder) {
  auto d = ParseStorageDirective("data=2,10G");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->name, "data");
  EXPECT_EQ(d->count, 2);
  EXPECT_EQ(d->size_mib, 10240u);
  EXPECT_EQ(d->pool, "");
  d = ParseStorageDirective("data=rootfs,1G,3");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->pool, "rootfs");
  EXPECT_EQ(d->count, 3);
  EXPECT_EQ(d->size_mib, 1024u);
  d = ParseStorageDirective("data=1G");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->count, std::nullopt);
  EXPECT_EQ(ParseStorageDirective("data").status().message(),
            "invalid storage directive \"data\": missing name or directive; expected name=[pool,][count,][size] "
            "such as data=2,10G");
  EXPECT_FALSE(ParseStorageDirective("data=1,2").ok());
  EXPECT_FALSE(ParseStorageDirective("data=1G,2G").ok());
  EXPECT_FALSE(ParseStorageDirective("data=a b").ok());
  EXPECT_FALSE(ParseStorageDirective("=1").ok());
}

TEST(StorageSpecTest, KindNamesRoundTrip) {
  for (StorageKind k : {StorageKind::kFilesystem, StorageKind::kBlock}) {
    EXPECT_EQ(ParseStorageKind(StorageKindName(k)), k);
  }
  EXPECT_EQ(ParseStorageKind("loop"), std::nullopt);
}

}  // namespace
}  // namespace skein::charm
