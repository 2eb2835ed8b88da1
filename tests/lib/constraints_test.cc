// Juju's constraints: every key with its type, sizes in MiB, the errors that name the fix, and the
// canonical text that reads back equal.

#include "lib/base/constraints.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein {
namespace {

using ::testing::HasSubstr;

TEST(ConstraintsTest, SizesAreMibWithJujusSuffixes) {
  auto c = ParseConstraints("mem=1G root-disk=1638.4 cores=8 arch=amd64 allocate-public-ip=false");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(*c->mem, 1024.0);
  EXPECT_EQ(*c->root_disk, 1638.4);
  EXPECT_EQ(*c->cores, 8u);
  EXPECT_EQ(*c->arch, "amd64");
  EXPECT_EQ(*c->allocate_public_ip, false);
  EXPECT_EQ(*ParseConstraints("mem=2T")->mem, 2.0 * 1024 * 1024);
  EXPECT_EQ(*ParseConstraints("mem=512")->mem, 512.0);
  EXPECT_EQ(*ParseConstraints("mem=512M")->mem, 512.0);
}

TEST(ConstraintsTest, FieldsComeInJujusOrderWithTheirTypes) {
  auto c = ParseConstraints("zones=a,b mem=1G arch=arm64 tags=x");
  ASSERT_TRUE(c.ok()) << c.status();
  std::vector<ConstraintField> fields = ConstraintFields(*c);
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0].key, "arch");
  EXPECT_EQ(fields[1].key, "mem");
  EXPECT_EQ(std::get<double>(fields[1].value), 1024.0);
  EXPECT_EQ(fields[2].key, "tags");
  EXPECT_EQ(fields[3].key, "zones");
  EXPECT_EQ(std::get<std::vector<std::string>>(fields[3].value), (std::vector<std::string>{"a", "b"}));
}

TEST(ConstraintsTest, CanonicalTextReadsBackEqual) {
  auto c = ParseConstraints(
      "arch=amd64 container=lxd cores=2 cpu-power=100 mem=1.5G root-disk=1638.4 root-disk-source=pool "
      "tags=a,b instance-role=r instance-type=t1 spaces=s1,^s2 virt-type=kvm zones=z1 allocate-public-ip=true "
      "image-id=ubuntu");
  ASSERT_TRUE(c.ok()) << c.status();
  std::string text = FormatConstraints(*c);
  EXPECT_EQ(text,
            "arch=amd64 container=lxd cores=2 cpu-power=100 mem=1536M root-disk=1638.4M root-disk-source=pool "
            "tags=a,b instance-role=r instance-type=t1 spaces=s1,^s2 virt-type=kvm zones=z1 "
            "allocate-public-ip=true image-id=ubuntu");
  auto again = ParseConstraints(text);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *c);
  EXPECT_EQ(FormatConstraints(Constraints{}), "");
}

TEST(ConstraintsTest, EmptyValueLeavesTheKeyUnset) {
  auto c = ParseConstraints("mem= cores=2");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->mem.has_value());
  EXPECT_EQ(FormatConstraints(*c), "cores=2");
}

TEST(ConstraintsTest, BadInputNamesTheKeyAndTheFix) {
  auto unknown = ParseConstraints("memory=1G");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("unknown constraint \"memory\""));
  for (const std::string& key : ConstraintKeys()) EXPECT_THAT(unknown.status().message(), HasSubstr(key));
  EXPECT_EQ(ParseConstraints("mem=lots").status().message(),
            "bad \"mem\" constraint: must be a non-negative float with optional M/G/T/P suffix");
  EXPECT_EQ(ParseConstraints("root-disk=-1G").status().message(),
            "bad \"root-disk\" constraint: must be a non-negative float with optional M/G/T/P suffix");
  EXPECT_EQ(ParseConstraints("cores=-2").status().message(), "bad \"cores\" constraint: must be a non-negative integer");
  EXPECT_EQ(ParseConstraints("cores=1.5").status().message(), "bad \"cores\" constraint: must be a non-negative integer");
  EXPECT_EQ(ParseConstraints("arch=vax").status().message(), "bad \"arch\" constraint: \"vax\" not recognized");
  EXPECT_EQ(ParseConstraints("container=docker").status().message(),
            "bad \"container\" constraint: invalid container type \"docker\"");
  EXPECT_EQ(ParseConstraints("allocate-public-ip=yes").status().message(),
            "bad \"allocate-public-ip\" constraint: must be true or false");
  EXPECT_EQ(ParseConstraints("cores=1 cores=2").status().message(), "bad \"cores\" constraint: already set");
  EXPECT_EQ(ParseConstraints("cores").status().message(), "malformed constraint \"cores\": expected key=value");
}

}  // namespace
}  // namespace skein
