// The in-process runner of built-in charms: the charm gets the typed hook and the context the
// operation hands over (no JUJU_* environment), metadata.yaml is read once per charm, and a
// directory charm goes to the fallback runner with its environment.

#include "agents/sdk/builtin_runner.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fake_substrate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/agents/hook/fake_hook_context.h"

namespace skein::sdk {
namespace {

using agent::HookInfo;
using agent::HookInvocation;
using agent::HookKind;
using agent::HookOutcome;
using agent::testing::FakeHookContext;

// What the recording charm saw of one event.
struct Seen {
  Event event;
  std::string charm_name;
  std::string model_name;
  std::string unit;
};

// A built-in charm that records every event it is dispatched.
class RecordingCharm : public Charm {
 public:
  explicit RecordingCharm(std::vector<Seen>* seen) : seen_(seen) {}
  void Setup(Framework& framework, Model& model) override {
    framework.ObserveAll([this, &model](const Event& e) {
      seen_->push_back({e, model.charm_name(), model.model_name(), model.unit()});
      return absl::OkStatus();
    });
  }

 private:
  std::vector<Seen>* seen_;
};

// A fallback that remembers the invocation it was given.
class FallbackRunner : public agent::HookRunner {
 public:
  HookOutcome Run(const HookInvocation& invocation, const OutputFn&) override {
    names.push_back(invocation.name);
    envs.push_back(invocation.env);
    return {};
  }
  void Kill() override {}
  std::vector<std::string> names;
  std::vector<std::map<std::string, std::string>> envs;
};

class BuiltinRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skein-builtin-runner-XXXXXX";
    dir_ = mkdtemp(tmpl);
    registry_.Register("recorder", [this] { return std::make_unique<RecordingCharm>(&seen_); });
    Write(kBuiltinMarkerFile, "recorder\n");
    Write("metadata.yaml", "name: recorder\nrequires:\n  db: {interface: mysql_client}\n");
    runner_ = std::make_unique<BuiltinCharmRunner>(&registry_, dir_, &substrate_, &fallback_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& file, const std::string& text) {
    std::ofstream(dir_ + "/" + file, std::ios::trunc) << text;
  }
  HookOutcome Run(const HookInvocation& invocation) {
    return runner_->Run(invocation, [this](bool, const std::string& line) { output_.push_back(line); });
  }
  HookInvocation Invocation(const HookInfo& hook, const std::string& sha256) {
    HookInvocation invocation;
    invocation.name = hook.Name();
    invocation.hook = &hook;
    invocation.context = &context_;
    invocation.charm_sha256 = sha256;
    invocation.model_name = "kubeflow";
    return invocation;  // no environment at all: a built-in charm must not need one
  }

  std::string dir_;
  std::vector<Seen> seen_;
  std::vector<std::string> output_;
  CharmRegistry registry_;
  charms::testing::FakeSubstrate substrate_;
  FallbackRunner fallback_;
  FakeHookContext context_{"app/0", "db-relation-departed"};
  std::unique_ptr<BuiltinCharmRunner> runner_;
};

TEST_F(BuiltinRunnerTest, TheCharmGetsTheTypedHookWithoutAnEnvironment) {
  HookInfo hook;
  hook.kind = HookKind::kRelationDeparted;
  hook.relation.kind = relations::RelationHookKind::kDeparted;
  hook.relation.relation_id = 7;
  hook.relation.endpoint = "db";
  hook.relation.remote_application = "mysql";
  hook.relation.remote_unit = "mysql/1";
  hook.relation.departing_unit = "mysql/1";
  HookOutcome outcome = Run(Invocation(hook, "sha-1"));
  ASSERT_EQ(outcome.kind, HookOutcome::Kind::kOk) << outcome.error;
  ASSERT_EQ(seen_.size(), 1u);
  const Event& e = seen_[0].event;
  EXPECT_EQ(e.kind, EventKind::kRelationDeparted);
  EXPECT_EQ(e.hook, "db-relation-departed");
  EXPECT_EQ(e.endpoint, "db");
  EXPECT_EQ(e.relation_id, 7);
  EXPECT_EQ(e.remote_app, "mysql");
  EXPECT_EQ(e.remote_unit, "mysql/1");
  EXPECT_EQ(e.departing_unit, "mysql/1");
  EXPECT_EQ(seen_[0].charm_name, "recorder");
  EXPECT_EQ(seen_[0].model_name, "kubeflow");
  EXPECT_EQ(seen_[0].unit, "app/0") << "the charm works on the context the invocation carries";
  EXPECT_TRUE(fallback_.names.empty());
}

// Every hook of a unit going away says why (its teardown's relation hooks, stop and remove), so
// that a charm keeps what its application shares when only the unit goes; an alive unit's
// events carry no reason.
TEST_F(BuiltinRunnerTest, HooksOfAUnitGoingAwayCarryTheTypedRemovalReason) {
  for (agent::RemovalReason reason : {agent::RemovalReason::kNone, agent::RemovalReason::kUnitRemoved,
                                      agent::RemovalReason::kApplicationRemoved, agent::RemovalReason::kModelDestroyed}) {
    seen_.clear();
    context_.removal = reason;
    for (HookKind kind : {HookKind::kStop, HookKind::kRemove}) {
      HookInfo hook;
      hook.kind = kind;
      ASSERT_EQ(Run(Invocation(hook, "sha-1")).kind, HookOutcome::Kind::kOk);
    }
    ASSERT_EQ(seen_.size(), 2u);
    EXPECT_EQ(seen_[0].event.kind, EventKind::kStop);
    EXPECT_EQ(seen_[0].event.removal, reason) << agent::RemovalReasonName(reason);
    EXPECT_EQ(seen_[1].event.kind, EventKind::kRemove);
    EXPECT_EQ(seen_[1].event.removal, reason) << agent::RemovalReasonName(reason);
  }
}

TEST_F(BuiltinRunnerTest, AnActionIsAnActionEvent) {
  HookInvocation invocation;
  invocation.name = "actions/backup";
  invocation.action = "backup";
  invocation.context = &context_;
  invocation.charm_sha256 = "sha-1";
  ASSERT_EQ(Run(invocation).kind, HookOutcome::Kind::kOk);
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(seen_[0].event.kind, EventKind::kAction);
  EXPECT_EQ(seen_[0].event.action, "backup");
}

TEST_F(BuiltinRunnerTest, MetadataIsReadOncePerCharmAndAgainForANewOne) {
  HookInfo install;
  install.kind = HookKind::kInstall;
  ASSERT_EQ(Run(Invocation(install, "sha-1")).kind, HookOutcome::Kind::kOk);
  // Same charm: what was read stands, even if the file changed under it.
  Write("metadata.yaml", "name: [not, a, name\n");
  HookInfo start;
  start.kind = HookKind::kStart;
  HookOutcome same = Run(Invocation(start, "sha-1"));
  ASSERT_EQ(same.kind, HookOutcome::Kind::kOk) << same.error;
  EXPECT_EQ(seen_.back().event.kind, EventKind::kStart);
  EXPECT_EQ(seen_.back().charm_name, "recorder");
  // Another charm (an upgrade) is read again.
  HookInfo upgrade;
  upgrade.kind = HookKind::kUpgradeCharm;
  HookOutcome upgraded = Run(Invocation(upgrade, "sha-2"));
  EXPECT_EQ(upgraded.kind, HookOutcome::Kind::kFailed);
  EXPECT_THAT(upgraded.error, ::testing::StartsWith("cannot read metadata.yaml: "));
  EXPECT_EQ(output_.size(), 0u) << "a charm that never ran wrote nothing";
  Write("metadata.yaml", "name: recorder-v2\n");
  ASSERT_EQ(Run(Invocation(upgrade, "sha-3")).kind, HookOutcome::Kind::kOk);
  EXPECT_EQ(seen_.back().charm_name, "recorder-v2");
}

TEST_F(BuiltinRunnerTest, ADirectoryCharmGoesToTheFallbackWithItsEnvironment) {
  std::filesystem::remove(dir_ + "/" + kBuiltinMarkerFile);
  HookInfo install;
  install.kind = HookKind::kInstall;
  HookInvocation invocation = Invocation(install, "sha-1");
  invocation.env = {{"JUJU_HOOK_NAME", "install"}};
  ASSERT_EQ(Run(invocation).kind, HookOutcome::Kind::kOk);
  EXPECT_TRUE(seen_.empty());
  ASSERT_EQ(fallback_.names, std::vector<std::string>{"install"});
  EXPECT_EQ(fallback_.envs[0].at("JUJU_HOOK_NAME"), "install");
  // An upgrade to a built-in charm switches runners.
  Write(kBuiltinMarkerFile, "recorder\n");
  HookInfo upgrade;
  upgrade.kind = HookKind::kUpgradeCharm;
  ASSERT_EQ(Run(Invocation(upgrade, "sha-2")).kind, HookOutcome::Kind::kOk);
  EXPECT_EQ(fallback_.names.size(), 1u);
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(seen_[0].event.kind, EventKind::kUpgradeCharm);
}

}  // namespace
}  // namespace skein::sdk
