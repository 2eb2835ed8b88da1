#include "relations/bag_rules.h"

#include "gtest/gtest.h"

namespace skein::relations {
namespace {

const RelationSides kRegular{"wordpress", "mysql"};
const RelationSides kPeer{"mysql", "mysql"};
const Accessor kLeader{"mysql/0", "mysql", true};
const Accessor kMinion{"mysql/1", "mysql", false};
const Accessor kStranger{"other/0", "other", true};

TEST(BagRulesTest, ReadTable) {
  // Own unit and other units: anyone in the relation.
  EXPECT_TRUE(CheckRead(kMinion, kRegular, {"mysql/1", false}).ok());
  EXPECT_TRUE(CheckRead(kMinion, kRegular, {"wordpress/0", false}).ok());
  EXPECT_TRUE(CheckRead(kMinion, kRegular, {"mysql/0", false}).ok());
  // Remote app: every unit.
  EXPECT_TRUE(CheckRead(kMinion, kRegular, {"wordpress", true}).ok());
  // Own app, regular relation: leader only.
  EXPECT_TRUE(CheckRead(kLeader, kRegular, {"mysql", true}).ok());
  EXPECT_EQ(CheckRead(kMinion, kRegular, {"mysql", true}).code(), absl::StatusCode::kPermissionDenied);
  // Own app, peer relation: all units.
  EXPECT_TRUE(CheckRead(kMinion, kPeer, {"mysql", true}).ok());
  // Not in the relation.
  EXPECT_EQ(CheckRead(kStranger, kRegular, {"mysql/0", false}).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckRead(kMinion, kRegular, {"other/0", false}).code(), absl::StatusCode::kNotFound);
}

TEST(BagRulesTest, WriteTable) {
  EXPECT_TRUE(CheckWrite(kMinion, kRegular, {"mysql/1", false}).ok());
  EXPECT_EQ(CheckWrite(kMinion, kRegular, {"mysql/0", false}).message(), "permission denied");
  EXPECT_EQ(CheckWrite(kMinion, kRegular, {"wordpress/0", false}).message(), "permission denied");
  EXPECT_TRUE(CheckWrite(kLeader, kRegular, {"mysql", true}).ok());
  EXPECT_EQ(CheckWrite(kMinion, kRegular, {"mysql", true}).message(), "cannot write relation settings");
  EXPECT_EQ(CheckWrite(kMinion, kPeer, {"mysql", true}).message(), "cannot write relation settings");
  EXPECT_EQ(CheckWrite(kLeader, kRegular, {"wordpress", true}).message(), "permission denied");
}

}  // namespace
}  // namespace skein::relations
