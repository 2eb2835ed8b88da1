// The comparator the conformance scenarios rely on: it must reject what §1.3 forbids.

#include "tests/conformance/recording.h"

#include "gtest/gtest.h"

namespace skein::conformance {
namespace {

std::vector<Record> Parse(const std::vector<std::string>& lines) {
  std::vector<Record> out;
  for (const auto& l : lines) out.push_back(ParseRecord(l));
  return out;
}

const std::string kJoined =
    "a/0 peers-relation-joined JUJU_REMOTE_UNIT=a/1 JUJU_REMOTE_APP=a JUJU_RELATION_ID=peers:0 "
    "JUJU_DEPARTING_UNIT= leader=true members=a/1";
const std::string kChanged =
    "a/0 peers-relation-changed JUJU_REMOTE_UNIT=a/1 JUJU_REMOTE_APP=a JUJU_RELATION_ID=peers:0 "
    "JUJU_DEPARTING_UNIT= leader=true members=a/1";
const std::string kStart =
    "a/0 start JUJU_REMOTE_UNIT= JUJU_REMOTE_APP= JUJU_RELATION_ID= JUJU_DEPARTING_UNIT= leader=true members=";

TEST(RecordingTest, OrderedSequenceMustMatchExactly) {
  auto got = Parse({kStart, kJoined, kChanged});
  EXPECT_EQ(CompareSequence(got, {"start", "peers-relation-joined remote=a/1", "peers-relation-changed remote=a/1"}), "");
  EXPECT_NE(CompareSequence(got, {"start", "peers-relation-changed remote=a/1", "peers-relation-joined remote=a/1"}), "");
  EXPECT_NE(CompareSequence(got, {"start", "peers-relation-joined remote=a/2", "peers-relation-changed remote=a/1"}), "");
  EXPECT_NE(CompareSequence(got, {"start", "peers-relation-joined remote=a/1"}), "");  // extra hook recorded
  EXPECT_NE(CompareSequence(got, {"start", "peers-relation-joined remote=a/1", "peers-relation-changed remote=a/1",
                                  "stop"}),
            "");  // missing hook
}

TEST(RecordingTest, GroupsAcceptAnyOrderButOnlyTheirMembers) {
  auto got = Parse({kChanged, kJoined, kStart});
  EXPECT_EQ(CompareSequence(got, {"~peers-relation-joined remote=a/1", "~peers-relation-changed remote=a/1", "start"}), "");
  EXPECT_NE(CompareSequence(got, {"~peers-relation-joined remote=a/1", "~start", "peers-relation-changed remote=a/1"}), "");
}

TEST(RecordingTest, OmittedFieldsMustBeEmptyAndStarMatchesAnything) {
  auto got = Parse({kJoined});
  EXPECT_NE(CompareSequence(got, {"peers-relation-joined"}), "");
  EXPECT_EQ(CompareSequence(got, {"peers-relation-joined remote=*"}), "");
}

TEST(RecordingTest, EnvironmentProblemsFollowTheSpec) {
  EXPECT_TRUE(EnvironmentProblems(ParseRecord(kJoined)).empty());
  EXPECT_TRUE(EnvironmentProblems(ParseRecord(kStart)).empty());
  EXPECT_FALSE(EnvironmentProblems(ParseRecord(
                   "a/0 peers-relation-joined JUJU_REMOTE_UNIT=b/1 JUJU_REMOTE_APP=b JUJU_RELATION_ID=peers:0 "
                   "JUJU_DEPARTING_UNIT= leader=true members="))
                   .empty());  // a peer relation's remote app is the unit's own
  EXPECT_FALSE(EnvironmentProblems(ParseRecord(
                   "a/0 leader-settings-changed JUJU_REMOTE_UNIT= JUJU_REMOTE_APP= JUJU_RELATION_ID= "
                   "JUJU_DEPARTING_UNIT= leader=true members="))
                   .empty());  // leader-settings-changed only on non-leaders
  EXPECT_FALSE(EnvironmentProblems(ParseRecord(
                   "a/0 sink-relation-departed JUJU_REMOTE_UNIT=b/0 JUJU_REMOTE_APP=b JUJU_RELATION_ID=sink:3 "
                   "JUJU_DEPARTING_UNIT= leader=true members="))
                   .empty());  // -departed without JUJU_DEPARTING_UNIT
}

}  // namespace
}  // namespace skein::conformance
