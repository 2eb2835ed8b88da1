// Lifecycle scenarios of the conformance suite: deploy, integrate, scale, config, removals.
// Every expectation table cites the juju-semantics section it encodes.

#include "tests/conformance/conformance_fixture.h"

namespace skein::conformance {
namespace {

// §1.3 "New unit": install, peer relation-created, leader-elected, config-changed, start.
TEST_P(ConformanceTest, DeployOneUnit) {
  Deploy("solo", 1);
  ASSERT_EQ(LeaderOf({"solo/0"}), "solo/0");
  ExpectSequences({{"solo/0", Setup(true)}});
  json s = cluster_->Status();
  EXPECT_TRUE(Leader(s, "solo/0"));
}

// §1.3 "New unit" for three units at once: the leader runs leader-elected, the others
// leader-settings-changed; after start each unit joins its peers in name order, each -joined
// immediately followed by -changed for the same unit (§1.4).
TEST_P(ConformanceTest, DeployThreeUnits) {
  Deploy("trio", 3);
  ExpectSequences(SetupSequences({"trio/0", "trio/1", "trio/2"}));
}

// §1.3 "juju integrate": on every unit of both sides relation-created, then for each remote unit
// -joined -> -changed (no app-level -changed: the recorder never writes its app bag).
TEST_P(ConformanceTest, Integrate) {
  DeployAndSettle("left", 1);
  DeployAndSettle("right", 2);
  Ok({"integrate", "left:source", "right:sink"});
  ExpectSequences({
      {"left/0", Concat({"source-relation-created"}, Joins("source", {"right/0", "right/1"}))},
      {"right/0", Concat({"sink-relation-created"}, Joins("sink", {"left/0"}))},
      {"right/1", Concat({"sink-relation-created"}, Joins("sink", {"left/0"}))},
  });
}

// §1.3 "New unit" (scale-up) on the new units, and "Existing units when a unit is added":
// -joined -> -changed for each new unit on the existing peer.
TEST_P(ConformanceTest, ScaleUp) {
  DeployAndSettle("grow", 1);
  Ok({"add-unit", "grow", "-n", "2"});
  ExpectSequences({
      {"grow/0", Joins("peers", {"grow/1", "grow/2"})},
      {"grow/1", Concat(Setup(false), Joins("peers", {"grow/0", "grow/2"}))},
      {"grow/2", Concat(Setup(false), Joins("peers", {"grow/0", "grow/1"}))},
  });
}

// §1.3 "Unit removal" for the highest unit: the departing unit runs -departed for each remaining
// peer with JUJU_DEPARTING_UNIT = itself, then stop, remove (no -broken for peers); the
// survivors run -departed for it.
TEST_P(ConformanceTest, ScaleDown) {
  DeployAndSettle("shrink", 3);
  Ok({"remove-unit", "shrink", "--num-units", "1", "--no-prompt"});
  ASSERT_TRUE(WaitFor([](const json& s) { return !e2e::HasUnit(s, "shrink/2"); }));
  ExpectSequences({
      {"shrink/2",
       {"peers-relation-departed remote=shrink/0 departing=shrink/2",
        "peers-relation-departed remote=shrink/1 departing=shrink/2", "stop", "remove"}},
      {"shrink/0", {"peers-relation-departed remote=shrink/2 departing=shrink/2"}},
      {"shrink/1", {"peers-relation-departed remote=shrink/2 departing=shrink/2"}},
  });
}

// §1.3 "Other triggers of config-changed": `juju config` runs config-changed (and nothing else)
// on every unit.
TEST_P(ConformanceTest, ConfigChange) {
  DeployAndSettle("tune", 2);
  Ok({"config", "tune", "greeting=bonjour"});
  ExpectSequences({{"tune/0", {"config-changed"}}, {"tune/1", {"config-changed"}}});
}

// §1.3 "juju remove-relation": -departed for each known remote unit (JUJU_DEPARTING_UNIT = that
// remote unit), then one -broken, on both sides.
TEST_P(ConformanceTest, RemoveRelation) {
  auto src = DeployAndSettle("src", 1);
  auto dst = DeployAndSettle("dst", 2);
  IntegrateAndSettle(src, dst);
  Ok({"remove-relation", "src:source", "dst:sink"});
  ExpectSequences({
      {"src/0",
       {"source-relation-departed remote=dst/0 departing=dst/0", "source-relation-departed remote=dst/1 departing=dst/1",
        "source-relation-broken"}},
      {"dst/0", {"sink-relation-departed remote=src/0 departing=src/0", "sink-relation-broken"}},
      {"dst/1", {"sink-relation-departed remote=src/0 departing=src/0", "sink-relation-broken"}},
  });
}

// §1.3 "Unit removal" of a non-leader: -departed once per remaining remote unit of every relation
// (JUJU_DEPARTING_UNIT = itself), -broken for the non-peer relation, then stop, remove. The order
// between the unit's two relations is not specified, so those three hooks form one group. The
// survivors (peer and far side) run -departed for it; leadership does not move.
TEST_P(ConformanceTest, RemoveNonLeaderUnit) {
  auto keep = DeployAndSettle("keep", 2);
  auto hub = DeployAndSettle("hub", 1);
  IntegrateAndSettle(keep, hub);
  const std::string leader = LeaderOf(keep);
  const std::string other = leader == keep[0] ? keep[1] : keep[0];
  Ok({"remove-unit", other, "--no-prompt"});
  ASSERT_TRUE(WaitFor([&](const json& s) { return !e2e::HasUnit(s, other); }));
  ExpectSequences({
      {other,
       {"~peers-relation-departed remote=" + leader + " departing=" + other,
        "~source-relation-departed remote=hub/0 departing=" + other, "~source-relation-broken", "stop", "remove"}},
      {leader, {"peers-relation-departed remote=" + other + " departing=" + other}},
      {"hub/0", {"sink-relation-departed remote=" + other + " departing=" + other}},
  });
  // -departed precedes -broken within the relation (§1.4).
  std::vector<Record> leaving = Since(other);
  int departed = -1, broken = -1;
  for (int i = 0; i < static_cast<int>(leaving.size()); ++i) {
    if (leaving[i].hook == "source-relation-departed") departed = i;
    if (leaving[i].hook == "source-relation-broken") broken = i;
  }
  EXPECT_LT(departed, broken);
  EXPECT_TRUE(Leader(cluster_->Status(), leader));
}

// §1.3 "Unit removal" of the leader: it departs its peer and stops; the survivor runs -departed
// for it and becomes leader with leader-elected (§5), in no guaranteed order between the two.
TEST_P(ConformanceTest, RemoveLeaderUnit) {
  auto lead = DeployAndSettle("lead", 2);
  const std::string leader = LeaderOf(lead);
  const std::string other = leader == lead[0] ? lead[1] : lead[0];
  Ok({"remove-unit", leader, "--no-prompt"});
  ASSERT_TRUE(WaitFor([&](const json& s) { return !e2e::HasUnit(s, leader) && Leader(s, other); }));
  ExpectSequences({
      {leader, {"peers-relation-departed remote=" + other + " departing=" + leader, "stop", "remove"}},
      {other, {"~peers-relation-departed remote=" + leader + " departing=" + leader, "~leader-elected"}},
  });
}

// §1.3 "Unit removal" applied to every unit of a removed application, and "remove-relation" on
// the far side: the removed unit departs its remote unit, breaks the relation, stops and is
// removed; the far side runs -departed for it and then -broken. Whether JUJU_DEPARTING_UNIT on
// the removed unit names itself or the remote unit is not pinned by the spec (the unit and the
// relation die together), so it is not compared there.
TEST_P(ConformanceTest, RemoveApplication) {
  auto gone = DeployAndSettle("gone", 1);
  auto stay = DeployAndSettle("stay", 1);
  IntegrateAndSettle(gone, stay);
  Ok({"remove-application", "gone", "--no-prompt"});
  ASSERT_TRUE(WaitFor([](const json& s) { return !e2e::HasApplication(s, "gone"); }));
  ExpectSequences({
      {"gone/0", {"source-relation-departed remote=stay/0 departing=*", "source-relation-broken", "stop", "remove"}},
      {"stay/0", {"sink-relation-departed remote=gone/0 departing=gone/0", "sink-relation-broken"}},
  });
}

}  // namespace
}  // namespace skein::conformance
