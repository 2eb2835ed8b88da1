// Machines beyond machine 0 (issue 15): add-machine numbers them after the highest id and gives
// each a credential its agent logs in with, placement puts units there, remove-machine refuses a
// machine that hosts units unless forced, and the model's SSH keys are stored.

#include "controller/domain/machine/machine_service.h"

#include "controller/domain/auth/auth_service.h"
#include "controller/domain/model/model_lifecycle.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::DomainEnv;
using testing::kDbMetadata;
using testing::MakeCharm;

constexpr char kKey[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm9ZbHhYsGQmRzEJXqRXbQkGq4S0z7WlKWN5Q4e3vYb alice@example";
// ssh-keygen -l -E sha256 of kKey.
constexpr char kKeyFingerprint[] = "SHA256:B8DFUSq2WM7GJC5zireZXKm27F3CVjXtmiUsZPASJ4M";

class MachineTest : public ::testing::Test {
 protected:
  std::vector<std::string> StatusMachines(const std::string& model) {
    auto status = env_.status->ModelStatus(model);
    EXPECT_TRUE(status.ok()) << status.status();
    std::vector<std::string> ids;
    if (status.ok()) {
      for (const auto& m : status->machines()) ids.push_back(m.id());
    }
    return ids;
  }

  DomainEnv env_;
  domain::machine::MachineService machines_{env_.db.get()};
};

TEST_F(MachineTest, AddMachinesNumbersThemAfterTheHighestAndTheirAgentsLogIn) {
  auto added = machines_.AddMachines({"test", 2, "mem=2G", {"", ""}});
  ASSERT_TRUE(added.ok()) << added.status();
  ASSERT_EQ(added->size(), 2u);
  EXPECT_EQ((*added)[0].id, "1");
  EXPECT_EQ((*added)[1].id, "2");
  EXPECT_NE((*added)[0].credential, (*added)[1].credential);
  // The credential is the machine agent's: it logs in as machine-1, and only with it.
  domain::auth::AuthService auth(env_.db.get());
  auto who = auth.Authenticate("machine-1", (*added)[0].credential);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->machine_id, "1");
  EXPECT_FALSE(auth.Authenticate("machine-1", (*added)[1].credential).ok());
  // Only the hash is stored.
  EXPECT_EQ(env_.Count("machines", "credential_hash = '" + (*added)[0].credential + "'"), 0);
  EXPECT_EQ(env_.Count("machines", "constraints = 'mem=2048M'"), 2);
  // The model's status lists them before any unit is placed there.
  EXPECT_THAT(StatusMachines("test"), ElementsAre("1", "2"));
  // And show-model and models count them.
  auto summary = env_.models->Summary("test");
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->machine_count(), 2);

  // Removing the highest does not make its number free again within a run of adds: the next
  // add takes the highest left plus one.
  ASSERT_TRUE(machines_.RemoveMachines("test", {"2"}, false).ok());
  auto again = machines_.AddMachines({"test", 1, "", {}});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)[0].id, "2");
}

TEST_F(MachineTest, AddMachinesRefusesBadCountsConstraintsAndModels) {
  EXPECT_EQ(machines_.AddMachines({"test", 0, "", {}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(machines_.AddMachines({"test", 101, "", {}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(machines_.AddMachines({"test", 1, "bogus=1", {}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(machines_.AddMachines({"nope", 1, "", {}}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(env_.Count("machines"), 1);  // machine 0 only: nothing was written
}

TEST_F(MachineTest, UnitsArePlacedOnTheMachinesAskedForAndTheRestOnMachineZero) {
  env_.Deploy("db", MakeCharm(kDbMetadata), 0);
  ASSERT_TRUE(machines_.AddMachines({"test", 2, "", {}}).ok());
  auto units = env_.apps->AddUnit("test", "db", 3, {.to = {"2", "1"}});
  ASSERT_TRUE(units.ok()) << units.status();
  EXPECT_THAT(*units, ElementsAre("db/0", "db/1", "db/2"));
  EXPECT_EQ(env_.Unit("db/0").machine_id, "2");
  EXPECT_EQ(env_.Unit("db/1").machine_id, "1");
  EXPECT_EQ(env_.Unit("db/2").machine_id, "0");

  // A machine that does not exist, a container and too many placements add nothing.
  auto missing = env_.apps->AddUnit("test", "db", 1, {.to = {"7"}});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("machine 7 not found"));
  EXPECT_EQ(env_.apps->AddUnit("test", "db", 1, {.to = {"lxd:1"}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(env_.apps->AddUnit("test", "db", 1, {.to = {"1", "2"}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(env_.Count("units"), 3);
}

TEST_F(MachineTest, AMachineOfAnotherModelIsNotFoundThere) {
  ASSERT_TRUE(env_.models->AddModel("other").ok());
  ASSERT_TRUE(machines_.AddMachines({"other", 1, "", {}}).ok());
  env_.Deploy("db", MakeCharm(kDbMetadata), 0);
  EXPECT_EQ(env_.apps->AddUnit("test", "db", 1, {.to = {"1"}}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(machines_.RemoveMachines("test", {"1"}, false).status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(StatusMachines("test"), ElementsAre());
  EXPECT_THAT(StatusMachines("other"), ElementsAre("1"));
}

TEST_F(MachineTest, AMachineGoesWithItsModel) {
  ASSERT_TRUE(env_.models->AddModel("other").ok());
  ASSERT_TRUE(machines_.AddMachines({"other", 1, "", {}}).ok());
  domain::model::ModelLifecycleService lifecycle(env_.db.get(), nullptr);
  auto destroyed = lifecycle.DestroyModel("other", {});
  ASSERT_TRUE(destroyed.ok()) << destroyed.status();
  EXPECT_TRUE(destroyed->removed);
  // A model added later may get the same row id: the machine must not show up in it.
  EXPECT_EQ(env_.Count("machines"), 1);
  ASSERT_TRUE(env_.models->AddModel("again").ok());
  EXPECT_THAT(StatusMachines("again"), ElementsAre());
}

TEST_F(MachineTest, RemoveMachineIsRefusedWhileItHostsUnitsUnlessForced) {
  env_.Deploy("db", MakeCharm(kDbMetadata), 0);
  ASSERT_TRUE(machines_.AddMachines({"test", 2, "", {}}).ok());
  ASSERT_TRUE(env_.apps->AddUnit("test", "db", 1, {.to = {"1"}}).ok());

  auto refused = machines_.RemoveMachines("test", {"2", "1"}, false);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("machine 1 has unit \"db/0\" assigned"));
  EXPECT_EQ(env_.Count("machines"), 3);  // all or none: machine 2 is still there

  auto host = machines_.RemoveMachines("test", {"0"}, true);
  EXPECT_EQ(host.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(machines_.RemoveMachines("test", {"9"}, false).status().code(), absl::StatusCode::kNotFound);

  auto forced = machines_.RemoveMachines("test", {"1", "2"}, true);
  ASSERT_TRUE(forced.ok()) << forced.status();
  EXPECT_THAT(forced->machines, ElementsAre("1", "2"));
  EXPECT_THAT(forced->units, ElementsAre("db/0"));
  EXPECT_EQ(env_.Count("units"), 0);
  EXPECT_EQ(env_.Count("machines"), 1);
}

TEST_F(MachineTest, SshKeysAreStoredListedAndRemovedByFingerprintCommentOrKey) {
  auto parsed = domain::machine::ParseSshKey(kKey);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->fingerprint, kKeyFingerprint);
  EXPECT_EQ(parsed->comment, "alice@example");

  ASSERT_TRUE(machines_.AddSshKeys("test", {kKey}).ok());
  auto dup = machines_.AddSshKeys("test", {kKey});
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(dup.status().message(), HasSubstr("duplicate ssh key: alice@example"));
  EXPECT_EQ(machines_.AddSshKeys("test", {"not a key"}).status().code(), absl::StatusCode::kInvalidArgument);
  auto listed = machines_.ListSshKeys("test");
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, kKey);

  EXPECT_EQ(machines_.RemoveSshKeys("test", {"bob@example"}).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(machines_.RemoveSshKeys("test", {"alice@example"}).ok());
  EXPECT_TRUE(machines_.ListSshKeys("test")->empty());
  ASSERT_TRUE(machines_.AddSshKeys("test", {kKey}).ok());
  ASSERT_TRUE(machines_.RemoveSshKeys("test", {parsed->fingerprint}).ok());
  EXPECT_TRUE(machines_.ListSshKeys("test")->empty());
}

}  // namespace
}  // namespace skein::controller
