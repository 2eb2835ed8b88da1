// Storage instances (issue 15): made with their units, numbered per model, kept detached when the
// unit goes unless --destroy-storage, attached again with add-unit --attach-storage, added by
// storage-add, and marked attached by the unit's agent.

#include "controller/domain/storage/storage_service.h"

#include "controller/domain/model/model_lifecycle.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using domain::storage::StorageInstance;
using domain::storage::StorageService;
using ::testing::ElementsAre;
using testing::DomainEnv;
using testing::MakeCharm;

constexpr char kStoreMetadata[] = R"(name: store
storage:
  data:
    type: filesystem
    location: /srv/data
    minimum-size: 1G
  logs:
    type: filesystem
    multiple: {range: 0-3}
  disks:
    type: block
    multiple: {range: 0-}
)";

// `id unit status` per instance, in id order: what `skein storage` shows first.
std::vector<std::string> Summary(const std::vector<StorageInstance>& instances) {
  std::vector<std::string> out;
  for (const StorageInstance& s : instances) {
    out.push_back(s.id.ToString() + " " + (s.unit.empty() ? "-" : s.unit) + " " + s.Status());
  }
  return out;
}

class StorageTest : public ::testing::Test {
 protected:
  std::vector<std::string> Listed() {
    auto all = storage_.List("test");
    EXPECT_TRUE(all.ok()) << all.status();
    return all.ok() ? Summary(*all) : std::vector<std::string>{};
  }
  absl::Status DeployWith(const std::string& app, int units, const std::vector<std::string>& directives) {
    domain::application::DeployArgs args;
    args.model = "test";
    args.application = app;
    args.charm = testing::Uploaded(MakeCharm(kStoreMetadata));
    args.num_units = units;
    for (const std::string& text : directives) {
      auto d = charm::ParseStorageDirective(text);
      if (!d.ok()) return d.status();
      args.storage[d->name] = *d;
    }
    return env_.apps->Deploy(args).status();
  }
  absl::Status StorageAdd(const std::string& unit, const std::string& name, int count) {
    return env_.db->Write("storage-add", [&](domain::Tx& tx) -> absl::Status {
      auto u = domain::FindUnitById(tx, env_.UnitId(unit));
      if (!u.ok()) return u.status();
      auto charm = tx.Charm(env_.App(u->application).charm_id);
      if (!charm.ok()) return charm.status();
      return domain::storage::AddUnitStorageInTx(tx, *u, (*charm)->metadata, name, count);
    });
  }
  void RemoveAndBury(const std::string& unit, bool destroy_storage) {
    ASSERT_TRUE(env_.apps->RemoveUnits("test", {unit}, destroy_storage).ok());
    ASSERT_TRUE(env_.units->MarkUnitDead(env_.UnitId(unit)).ok());
  }

  DomainEnv env_;
  StorageService storage_{env_.db.get()};
};

TEST_F(StorageTest, EveryUnitGetsTheMinimumOfEachStorageNumberedPerModel) {
  ASSERT_TRUE(DeployWith("store", 2, {}).ok());
  // `logs` and `disks` may have none: only `data` is made, one per unit, numbered across the model.
  EXPECT_THAT(Listed(), ElementsAre("data/0 store/0 pending", "data/1 store/1 pending"));
  auto listed = storage_.List("test", {"data/1"});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].kind, charm::StorageKind::kFilesystem);
  EXPECT_EQ((*listed)[0].pool, "rootfs");
  EXPECT_EQ((*listed)[0].size_mib, 1024u) << "minimum-size 1G";
  EXPECT_EQ((*listed)[0].owner_application, "store");
  EXPECT_EQ((*listed)[0].machine_id, "0");
  EXPECT_EQ(storage_.List("test", {"data/7"}).status().message(), "storage \"data/7\" not found");
  EXPECT_EQ(storage_.List("test", {"data"}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(StorageTest, DirectivesSetCountPoolAndSizeAndApplyToLaterUnits) {
  ASSERT_TRUE(DeployWith("store", 1, {"logs=2,5G", "disks=loop,1"}).ok());
  EXPECT_THAT(Listed(), ElementsAre("data/0 store/0 pending", "logs/1 store/0 pending", "logs/2 store/0 pending",
                                    "disks/3 store/0 pending"));
  auto logs = storage_.List("test", {"logs/1", "disks/3"});
  ASSERT_TRUE(logs.ok()) << logs.status();
  EXPECT_EQ((*logs)[0].size_mib, 5120u);
  EXPECT_EQ((*logs)[1].kind, charm::StorageKind::kBlock);
  EXPECT_EQ((*logs)[1].pool, "loop");
  ASSERT_TRUE(env_.apps->AddUnit("test", "store", 1).ok());
  EXPECT_EQ(env_.Count("storage_instances", "unit_id = " + std::to_string(env_.UnitId("store/1"))), 4)
      << "the deploy's directives hold for added units";
}

TEST_F(StorageTest, BadDirectivesWriteNothing) {
  EXPECT_EQ(DeployWith("store", 1, {"logs=4"}).message(),
            "storage \"logs\": the charm allows at most 3 instances per unit, not 4");
  EXPECT_EQ(DeployWith("store", 1, {"data=0"}).message(),
            "storage \"data\": the charm needs at least 1 instances per unit, not 0");
  EXPECT_EQ(DeployWith("store", 1, {"cache=1"}).message(), "charm \"store\" has no storage \"cache\"");
  EXPECT_EQ(env_.Count("applications", "name = 'store'"), 0);
  EXPECT_EQ(env_.Count("storage_instances"), 0);
}

TEST_F(StorageTest, RemovedUnitLeavesItsStorageDetachedAndAlive) {
  ASSERT_TRUE(DeployWith("store", 2, {}).ok());
  ASSERT_TRUE(env_.apps->RemoveUnits("test", {"store/0"}).ok());
  EXPECT_THAT(Listed(), ElementsAre("data/0 store/0 detaching", "data/1 store/1 pending"));
  ASSERT_TRUE(env_.units->MarkUnitDead(env_.UnitId("store/0")).ok());
  EXPECT_THAT(Listed(), ElementsAre("data/0 - detached", "data/1 store/1 pending"));
  auto kept = storage_.List("test", {"data/0"});
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ((*kept)[0].life, domain::Life::kAlive);
  // A removed application's storage stays too.
  ASSERT_TRUE(env_.apps->RemoveApplications("test", {"store"}).ok());
  ASSERT_TRUE(env_.units->MarkUnitDead(env_.UnitId("store/1")).ok());
  EXPECT_THAT(Listed(), ElementsAre("data/0 - detached", "data/1 - detached"));
}

TEST_F(StorageTest, DestroyStorageDeletesTheInstancesWithTheirUnit) {
  ASSERT_TRUE(DeployWith("store", 2, {}).ok());
  RemoveAndBury("store/0", /*destroy_storage=*/true);
  EXPECT_THAT(Listed(), ElementsAre("data/1 store/1 pending"));
  ASSERT_TRUE(env_.apps->RemoveApplications("test", {"store"}, /*destroy_storage=*/true).ok());
  EXPECT_THAT(Listed(), ElementsAre("data/1 store/1 detaching"));
  ASSERT_TRUE(env_.units->MarkUnitDead(env_.UnitId("store/1")).ok());
  EXPECT_THAT(Listed(), ElementsAre());
}

TEST_F(StorageTest, DestroyModelWithStorageNeedsAChoiceAndDestroyStorageMarksEveryInstance) {
  ASSERT_TRUE(DeployWith("store", 2, {}).ok());
  RemoveAndBury("store/0", /*destroy_storage=*/false);  // data/0 detached, still the model's
  domain::model::ModelLifecycleService lifecycle(env_.db.get(), nullptr);
  auto refused = lifecycle.DestroyModel("test", {});
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_EQ(refused.status().message(),
            "cannot destroy model \"test\": the model has persistent storage remaining (2 storage instance(s)); run "
            "again with --destroy-storage to destroy it, or with --release-storage to keep its directories on disk");
  EXPECT_EQ(env_.Count("models", "name = 'test' AND life = 0"), 1) << "a refused destroy changes nothing";
  ASSERT_TRUE(lifecycle.DestroyModel("test", {.destroy_storage = true}).ok());
  EXPECT_EQ(env_.Count("destroyed_model_storage", "model_uuid = (SELECT uuid FROM models WHERE name = 'test')"), 1);
  EXPECT_EQ(env_.Count("storage_instances", "life = 1"), 2) << "the detached instance too";
  ASSERT_TRUE(env_.units->MarkUnitDead(env_.UnitId("store/1")).ok());
  EXPECT_EQ(env_.Count("models", "name = 'test'"), 0);
  EXPECT_EQ(env_.Count("storage_instances"), 0);
  EXPECT_EQ(env_.Count("destroyed_model_storage"), 1) << "kept for the machine agents after the model is gone";
}

TEST_F(StorageTest, DestroyModelReleasingStorageLeavesTheInstancesAlive) {
  ASSERT_TRUE(DeployWith("store", 1, {}).ok());
  domain::model::ModelLifecycleService lifecycle(env_.db.get(), nullptr);
  ASSERT_TRUE(lifecycle.DestroyModel("test", {.release_storage = true}).ok());
  EXPECT_EQ(env_.Count("models", "name = 'test' AND life = 1"), 1);
  EXPECT_EQ(env_.Count("destroyed_model_storage"), 0);
  EXPECT_EQ(env_.Count("storage_instances", "life = 0"), 1);
}

TEST_F(StorageTest, AddUnitAttachesADetachedInstanceInsteadOfMakingOne) {
  ASSERT_TRUE(DeployWith("store", 1, {}).ok());
  RemoveAndBury("store/0", /*destroy_storage=*/false);
  auto added = env_.apps->AddUnit("test", "store", 1, {.attach_storage = {"data/0"}});
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_THAT(Listed(), ElementsAre("data/0 store/1 pending"));
  // Attached already, unknown, malformed, more than one unit: refused, nothing written.
  EXPECT_EQ(env_.apps->AddUnit("test", "store", 1, {.attach_storage = {"data/0"}}).status().message(),
            "storage \"data/0\" is attached to unit \"store/1\"");
  EXPECT_EQ(env_.apps->AddUnit("test", "store", 1, {.attach_storage = {"data/9"}}).status().message(), "storage \"data/9\" not found");
  EXPECT_EQ(env_.apps->AddUnit("test", "store", 1, {.attach_storage = {"data"}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(env_.apps->AddUnit("test", "store", 2, {.attach_storage = {"data/0"}}).status().message(),
            "--attach-storage cannot be used when adding more than one unit");
  EXPECT_EQ(env_.Count("units"), 1);
}

TEST_F(StorageTest, AttachingToAnotherCharmNeedsTheSameStorage) {
  ASSERT_TRUE(DeployWith("store", 1, {}).ok());
  RemoveAndBury("store/0", false);
  env_.Deploy("plain", MakeCharm("name: plain\n"), 0);
  EXPECT_EQ(env_.apps->AddUnit("test", "plain", 1, {.attach_storage = {"data/0"}}).status().message(),
            "storage \"data/0\" cannot be attached to a unit of \"plain\": its charm has no filesystem storage \"data\"");
}

TEST_F(StorageTest, StorageAddRespectsTheCharmsRange) {
  ASSERT_TRUE(DeployWith("store", 1, {}).ok());
  ASSERT_TRUE(StorageAdd("store/0", "logs", 2).ok());
  EXPECT_THAT(Listed(), ElementsAre("data/0 store/0 pending", "logs/1 store/0 pending", "logs/2 store/0 pending"));
  EXPECT_EQ(StorageAdd("store/0", "logs", 2).message(),
            "storage \"logs\": the charm allows at most 3 instances per unit, not 4");
  EXPECT_EQ(StorageAdd("store/0", "data", 1).message(),
            "storage \"data\": the charm allows at most 1 instances per unit, not 2");
  EXPECT_EQ(StorageAdd("store/0", "cache", 1).message(), "charm \"store\" has no storage \"cache\"");
  EXPECT_EQ(StorageAdd("store/0", "logs", 0).message(), "storage-add needs a count of at least 1");
  EXPECT_EQ(env_.Count("storage_instances"), 3);
}

TEST_F(StorageTest, OnlyTheUnitHoldingAnInstanceMarksItAttached) {
  ASSERT_TRUE(DeployWith("store", 2, {}).ok());
  EXPECT_EQ(storage_.SetAttached(env_.UnitId("store/1"), "data/0", "/x").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(storage_.SetAttached(env_.UnitId("store/0"), "data/5", "/x").code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(storage_.SetAttached(env_.UnitId("store/0"), "data/0", "/var/lib/x/data-0").ok());
  auto mine = storage_.OfUnit(env_.UnitId("store/0"));
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_TRUE((*mine)[0].attached);
  EXPECT_EQ((*mine)[0].location, "/var/lib/x/data-0");
  EXPECT_THAT(Listed(), ElementsAre("data/0 store/0 attached", "data/1 store/1 pending"));
}

TEST_F(StorageTest, HookCommitsCarryStorageAddAndAttachedForTheUnitsOwnOnly) {
  ASSERT_TRUE(DeployWith("store", 2, {}).ok());
  domain::hook::HookCommit commit;
  commit.commit_seq = 1;
  commit.storage_attached = {{"data/0", "/dir/data-0"}};
  commit.storage_add = {{"logs", 1}};
  ASSERT_TRUE(env_.hooks->Commit(env_.UnitId("store/0"), commit).ok());
  EXPECT_THAT(Listed(), ElementsAre("data/0 store/0 attached", "data/1 store/1 pending", "logs/2 store/0 pending"));
  // Another unit's instance: refused, and nothing of that commit applies.
  domain::hook::HookCommit foreign;
  foreign.commit_seq = 1;
  foreign.storage_add = {{"logs", 1}};
  foreign.storage_attached = {{"data/0", "/elsewhere"}};
  EXPECT_EQ(env_.hooks->Commit(env_.UnitId("store/1"), foreign).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(Listed(), ElementsAre("data/0 store/0 attached", "data/1 store/1 pending", "logs/2 store/0 pending"));
  EXPECT_EQ(env_.Unit("store/1").last_commit_seq, 0);
}

TEST(StorageIdTest, ParsesJujuIds) {
  auto id = domain::storage::ParseStorageId("data-dir/12");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->name, "data-dir");
  EXPECT_EQ(id->number, 12);
  EXPECT_EQ(id->ToString(), "data-dir/12");
  EXPECT_EQ(domain::storage::ParseStorageId("data/x").status().message(),
            "invalid storage id \"data/x\" (expected <name>/<number>)");
}

}  // namespace
}  // namespace skein::controller
