// The real uniter (in process) against a fake controller and a shell charm whose hooks append
// `$JUJU_HOOK_NAME $JUJU_REMOTE_UNIT` to a file.

#include "agents/unit/uniter/uniter.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "absl/strings/str_split.h"
#include "agents/unit/logging/log_pipeline.h"
#include "gtest/gtest.h"
#include "spdlog/sinks/null_sink.h"
#include "spdlog/spdlog.h"
#include "tests/agents/unit/fake_agent_service.h"
#include "tests/agents/unit/test_util.h"

namespace skein::agent {
namespace {

using Lines = std::vector<std::string>;
using testing::FakeAgentService;

v1::CharmArchive ShellCharm(const std::string& hook_log, const std::string& fail_dir) {
  v1::CharmArchive charm;
  auto add = [&](const std::string& path, const std::string& content, uint32_t mode) {
    v1::CharmFile* f = charm.add_files();
    f->set_path(path);
    f->set_content(content);
    f->set_mode(mode);
  };
  add("metadata.yaml", "name: app\nrequires:\n  db:\n    interface: mysql\n", 0644);
  // A hook fails when a file named after it exists in `fail_dir`.
  add("dispatch",
      "#!/bin/sh\n"
      "echo \"$JUJU_HOOK_NAME $JUJU_REMOTE_UNIT\" >> " + hook_log + "\n"
      "echo \"ran $JUJU_HOOK_NAME\"\n"
      "if [ -e " + fail_dir + "/$JUJU_HOOK_NAME ]; then echo failing >&2; exit 1; fi\n",
      0755);
  return charm;
}

// `charm_sha256` is the digest of the archive the fake serves (FakeAgentService::SetCharm).
v1::UnitSnapshot Snapshot(const std::string& charm_sha256) {
  v1::UnitSnapshot s;
  s.set_unit("app/0");
  s.set_application("app");
  s.set_life(v1::LIFE_ALIVE);
  s.set_leader(true);
  s.set_model_name("test-model");
  s.set_model_uuid("00000000-0000-4000-8000-000000000000");
  s.mutable_charm()->set_url("local:app-0");
  s.mutable_charm()->set_sha256(charm_sha256);
  s.set_config_json("{}");
  s.set_private_address("10.0.0.1");
  return s;
}

class UniterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    agent_dir_ = dir_.path() + "/agent";
    fail_dir_ = dir_.path() + "/fail";
    hook_log_ = dir_.path() + "/hooks.log";
    std::filesystem::create_directories(agent_dir_);
    std::filesystem::create_directories(fail_dir_);
    charm_sha256_ = fake_.SetCharm(ShellCharm(hook_log_, fail_dir_));
    fake_.SetUnitSnapshot(Snapshot(charm_sha256_));
    fake_.Start();
    client_ = std::make_unique<AgentClient>(fake_.address(), fake_.ca_pem(), rpc::Identity{"unit-app-0", "secret"});
    auto store = LocalStateStore::Open(agent_dir_ + "/state.db", RealClock());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    runner_ = std::make_unique<CharmDirRunner>(agent_dir_ + "/charm");
  }

  void TearDown() override {
    if (uniter_ != nullptr) uniter_->Stop();
    if (thread_.joinable()) thread_.join();
    uniter_.reset();
    fake_.Shutdown();
  }

  void StartUniter() {
    UniterConfig config;
    config.unit = "app/0";
    config.agent_dir = agent_dir_;
    config.machine_id = "0";
    config.api_addresses = fake_.address();
    config.agent_path = "/usr/bin:/bin";
    config.hook_retry = retry_policy_;
    uniter_ = std::make_unique<Uniter>(config, client_.get(), store_.get(), runner_.get(), *clock_);
    thread_ = std::thread([this] { result_ = uniter_->Run(); });
  }

  Lines HookLog() {
    std::string text = testing::ReadFile(hook_log_);
    Lines lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
    return lines;
  }

  bool WaitForCommits(size_t n) {
    return fake_.WaitUntil([&] { return fake_.commits.size() >= n; });
  }

  testing::TempDir dir_;
  std::string agent_dir_, fail_dir_, hook_log_;
  std::string charm_sha256_;
  HookRetryPolicy retry_policy_;  // Juju's 5 s..5 min unless a test shortens it
  // The uniter's clock: real, unless a test moves time itself (clock_ = &simulated_).
  SimulatedClock simulated_;
  Clock* clock_ = &RealClock();
  FakeAgentService fake_;
  std::unique_ptr<AgentClient> client_;
  std::unique_ptr<LocalStateStore> store_;
  std::unique_ptr<CharmDirRunner> runner_;
  std::unique_ptr<Uniter> uniter_;
  std::thread thread_;
  absl::StatusOr<Uniter::Exit> result_ = absl::UnknownError("not run");
};

TEST_F(UniterTest, DeployThenIntegrateRunsHooksInJujuOrder) {
  // Wire logging as skein-agent's main does: every spdlog line also goes to the controller.
  auto pipeline = std::make_shared<LogPipeline>(
      "unit-app-0", [this](const std::vector<v1::LogEntry>& entries) { return client_->PushLogs(entries); },
      RealClock());
  auto logger = std::make_shared<spdlog::logger>("juju.worker.uniter", std::make_shared<spdlog::sinks::null_sink_mt>());
  logger->set_level(spdlog::level::debug);
  pipeline->AttachToLogger(*logger);
  pipeline->Start();
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  StartUniter();
  ASSERT_TRUE(WaitForCommits(4));
  EXPECT_EQ(HookLog(), (Lines{"install ", "leader-elected ", "config-changed ", "start "}));
  // The charm dir was written from the archive, with its modes.
  EXPECT_TRUE(std::filesystem::exists(agent_dir_ + "/charm/metadata.yaml"));
  // Statuses go to the controller on a background queue, and the agent may be idle for a moment
  // between hooks, so wait for the settled state: start's workload status, then the agent idle.
  ASSERT_TRUE(fake_.WaitUntil([&] {
    bool after_start = false;
    for (const auto& s : fake_.statuses) {
      if (s.target == v1::SetStatusRequest::WORKLOAD && s.status == "unknown") after_start = true;
      if (after_start && s.target == v1::SetStatusRequest::AGENT && s.status == "idle") return true;
    }
    return false;
  }));
  auto agent = fake_.StatusesOf(v1::SetStatusRequest::AGENT);
  ASSERT_FALSE(agent.empty());
  EXPECT_EQ(agent[0].status, "executing");
  EXPECT_EQ(agent[0].message, "running install hook");
  auto workload = fake_.StatusesOf(v1::SetStatusRequest::WORKLOAD);
  ASSERT_EQ(workload.size(), 2u);
  EXPECT_EQ(workload[0].status, "maintenance");
  EXPECT_EQ(workload[0].message, "installing charm software");
  EXPECT_EQ(workload[1].status, "unknown");  // start ran and the charm never set a status

  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) {
    v1::RelationSnapshot* r = s.add_relations();
    r->set_id(3);
    r->set_endpoint("db");
    r->set_role("requires");
    r->set_remote_application("mysql");
    r->set_life(v1::LIFE_ALIVE);
    v1::RelationMember* m = r->add_members();
    m->set_unit("mysql/0");
    m->set_settings_version(1);
  });
  ASSERT_TRUE(WaitForCommits(7));
  Lines log = HookLog();
  EXPECT_EQ(Lines(log.begin() + 4, log.end()),
            (Lines{"db-relation-created ", "db-relation-joined mysql/0", "db-relation-changed mysql/0"}));
  ASSERT_TRUE(fake_.WaitUntil([&] {
    for (const auto& s : fake_.statuses) {
      if (s.message == "running db-relation-joined hook for mysql/0") return true;
    }
    return false;
  }));
  // Commit sequence numbers increase by one per hook, starting after the controller's.
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(fake_.commits[i].commit_seq(), static_cast<int64_t>(i + 1));
  EXPECT_EQ(fake_.commits[5].hook(), "db-relation-joined");
  // Hook output went to the controller's log under the hook's module.
  ASSERT_TRUE(fake_.WaitUntil([&] {
    for (const auto& e : fake_.logs) {
      if (e.module() == "unit.app/0.install" && e.message() == "ran install" && e.level() == "DEBUG") return true;
    }
    return false;
  })) << "no hook output log";
  uniter_->Stop();
  thread_.join();
  spdlog::set_default_logger(previous);
  pipeline->Stop();
}

TEST_F(UniterTest, FailingHookCommitsNothingAndPutsTheAgentInError) {
  testing::WriteFile(fail_dir_ + "/config-changed", "");
  StartUniter();
  ASSERT_TRUE(fake_.WaitUntil([&] {
    for (const auto& s : fake_.statuses) {
      if (s.target == v1::SetStatusRequest::AGENT && s.status == "error") return true;
    }
    return false;
  }));
  testing::StatusCall error = fake_.StatusesOf(v1::SetStatusRequest::AGENT).back();
  EXPECT_EQ(error.status, "error");
  EXPECT_EQ(error.message, "hook failed: \"config-changed\"");
  EXPECT_EQ(nlohmann::json::parse(error.data_json), (nlohmann::json{{"hook", "config-changed"}}));
  ASSERT_TRUE(fake_.WaitUntil([&] { return fake_.commits.size() == 2; }));
  EXPECT_EQ(fake_.commits.back().hook(), "leader-elected");
  // Nothing runs after the failure, even with new work to do; the failure survives a restart.
  std::filesystem::remove(fail_dir_ + "/config-changed");
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) { s.set_config_json(R"({"x":1})"); });
  uniter_->Stop();
  thread_.join();
  ASSERT_TRUE(result_.ok());
  EXPECT_EQ(*result_, Uniter::Exit::kStopped);
  EXPECT_EQ(HookLog(), (Lines{"install ", "leader-elected ", "config-changed "}));
  auto state = store_->Load();
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(state->operation.failed);
  EXPECT_EQ(state->operation.hook.Name(), "config-changed");
}

TEST_F(UniterTest, RemovedUnitDepartsBreaksStopsRemovesAndIsMarkedDead) {
  v1::UnitSnapshot s = Snapshot(charm_sha256_);
  v1::RelationSnapshot* r = s.add_relations();
  r->set_id(3);
  r->set_endpoint("db");
  r->set_role("requires");
  r->set_remote_application("mysql");
  v1::RelationMember* m = r->add_members();
  m->set_unit("mysql/0");
  m->set_settings_version(1);
  fake_.SetUnitSnapshot(s);
  StartUniter();
  ASSERT_TRUE(WaitForCommits(7));
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& u) { u.set_life(v1::LIFE_DYING); });
  thread_.join();
  ASSERT_TRUE(result_.ok()) << result_.status();
  EXPECT_EQ(*result_, Uniter::Exit::kUnitDead);
  Lines log = HookLog();
  EXPECT_EQ(Lines(log.begin() + 7, log.end()),
            (Lines{"db-relation-departed mysql/0", "db-relation-broken ", "stop ", "remove "}));
  EXPECT_EQ(fake_.mark_dead_calls, 1);
  EXPECT_TRUE(fake_.left_relations.empty());  // the relation lives on; the unit's scope goes with it
  // Statuses leave on the client's background queue, which may still be sending.
  ASSERT_TRUE(fake_.WaitUntil([&] {
    for (const auto& s : fake_.statuses) {
      if (s.target == v1::SetStatusRequest::WORKLOAD && s.status == "terminated") return true;
    }
    return false;
  }));
  auto workload = fake_.StatusesOf(v1::SetStatusRequest::WORKLOAD);
  ASSERT_GE(workload.size(), 4u);
  EXPECT_EQ(workload[workload.size() - 4].message, "stopping charm software");
  EXPECT_EQ(workload[workload.size() - 2].message, "cleaning up prior to charm deletion");
  EXPECT_EQ(workload.back().status, "terminated");
}

TEST_F(UniterTest, StorageIsAttachedBeforeInstallAndDetachedFirstWhenDying) {
  // A charm whose hooks log JUJU_STORAGE_ID and write into JUJU_STORAGE_LOCATION.
  v1::CharmArchive charm;
  v1::CharmFile* meta = charm.add_files();
  meta->set_path("metadata.yaml");
  meta->set_content("name: app\nstorage:\n  data:\n    type: filesystem\n");
  meta->set_mode(0644);
  v1::CharmFile* dispatch = charm.add_files();
  dispatch->set_path("dispatch");
  dispatch->set_content("#!/bin/sh\necho \"$JUJU_HOOK_NAME $JUJU_STORAGE_ID $JUJU_STORAGE_KIND\" >> " + hook_log_ +
                        "\nif [ -n \"$JUJU_STORAGE_LOCATION\" ]; then echo \"$JUJU_HOOK_NAME\" > "
                        "\"$JUJU_STORAGE_LOCATION/last\" || exit 1; fi\n");
  dispatch->set_mode(0755);
  v1::UnitSnapshot s = Snapshot(fake_.SetCharm(charm));
  v1::StorageAttachment* data = s.add_storage();
  data->set_id("data/0");
  data->set_kind("filesystem");
  data->set_life(v1::LIFE_ALIVE);
  fake_.SetUnitSnapshot(s);
  StartUniter();
  ASSERT_TRUE(WaitForCommits(5));
  EXPECT_EQ(HookLog(), (Lines{"data-storage-attached data/0 filesystem", "install  ", "leader-elected  ",
                              "config-changed  ", "start  "}));
  // The unit's agent runs as the machine agent's user here, so it made the directory itself:
  // `<model dir>/storage/data-0`, next to the unit's own dir.
  const std::string location = dir_.path() + "/storage/data-0";
  EXPECT_EQ(testing::ReadFile(location + "/last"), "data-storage-attached\n");
  EXPECT_EQ(fake_.commits[0].hook(), "data-storage-attached");
  EXPECT_EQ(fake_.commits[0].storage_attached().at("data/0"), location);
  EXPECT_TRUE(fake_.commits[1].storage_attached().empty());

  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& u) { u.set_life(v1::LIFE_DYING); });
  thread_.join();
  ASSERT_TRUE(result_.ok()) << result_.status();
  Lines log = HookLog();
  EXPECT_EQ(Lines(log.begin() + 5, log.end()),
            (Lines{"data-storage-detaching data/0 filesystem", "stop  ", "remove  "}));
  EXPECT_EQ(testing::ReadFile(location + "/last"), "data-storage-detaching\n") << "the agent never removes storage";
}

TEST_F(UniterTest, HookCommittedBeforeACrashIsNotRunAgain) {
  // The agent died after the controller applied install's commit but before saving it.
  LocalState crashed;
  crashed.charm_url = "local:app-0";
  crashed.charm_sha256 = charm_sha256_;
  crashed.operation.kind = OperationKind::kRunHook;
  crashed.operation.step = OperationStep::kPending;
  crashed.operation.hook.kind = HookKind::kInstall;
  crashed.operation.commit_seq = 1;
  ASSERT_TRUE(store_->Save(crashed).ok());
  testing::WriteFile(agent_dir_ + "/charm/metadata.yaml", "name: app\n");
  fake_.SetLastCommitSeq(1);
  // The charm dir was already written before the crash.
  auto archive = ShellCharm(hook_log_, fail_dir_);
  testing::WriteFile(agent_dir_ + "/charm/dispatch", archive.files(1).content(), 0755);
  StartUniter();
  ASSERT_TRUE(WaitForCommits(3));
  EXPECT_EQ(HookLog(), (Lines{"leader-elected ", "config-changed ", "start "}));
  EXPECT_EQ(fake_.commits[0].commit_seq(), 2);
}

TEST_F(UniterTest, ReconnectsAfterAControllerRestartAndActsOnTheNewSnapshot) {
  StartUniter();
  ASSERT_TRUE(WaitForCommits(4));
  std::string address = fake_.address();
  fake_.Shutdown();
  FakeAgentService restarted;
  restarted.SetCharm(ShellCharm(hook_log_, fail_dir_));
  v1::UnitSnapshot changed = Snapshot(charm_sha256_);
  changed.set_config_json(R"({"port":81})");
  restarted.SetUnitSnapshot(changed);
  restarted.SetLastCommitSeq(4);
  restarted.StartOn(address);
  ASSERT_TRUE(restarted.WaitUntil([&] { return restarted.commits.size() == 1; }));
  EXPECT_EQ(restarted.commits[0].hook(), "config-changed");
  EXPECT_EQ(restarted.commits[0].commit_seq(), 5);
  uniter_->Stop();
  thread_.join();
  restarted.Shutdown();
}

TEST_F(UniterTest, CharmThatCannotBeDownloadedShowsInStatusAndIsRetried) {
  fake_.SetCharmError(grpc::Status(grpc::StatusCode::NOT_FOUND, "charm missing from the store"));
  StartUniter();
  auto download_error = [&] {
    for (const auto& st : fake_.statuses) {
      if (st.target == v1::SetStatusRequest::AGENT && st.status == "error" &&
          st.message == "cannot download charm \"local:app-0\": charm missing from the store") {
        return true;
      }
    }
    return false;
  };
  ASSERT_TRUE(fake_.WaitUntil(download_error));
  ASSERT_TRUE(fake_.WaitUntil([&] { return fake_.charm_downloads >= 2; })) << "the download is not retried";
  EXPECT_TRUE(fake_.commits.empty());
  // A transfer that goes wrong is caught by the digest, and retried too.
  fake_.SetCharmError(grpc::Status::OK, /*corrupt=*/true);
  ASSERT_TRUE(fake_.WaitUntil([&] {
    for (const auto& st : fake_.statuses) {
      if (st.status == "error" && st.message.find("does not match its SHA-256") != std::string::npos) return true;
    }
    return false;
  }));
  fake_.SetCharmError(grpc::Status::OK);
  ASSERT_TRUE(WaitForCommits(1));
  EXPECT_EQ(fake_.commits[0].hook(), "install");
  EXPECT_FALSE(std::filesystem::exists(agent_dir_ + "/charm.download")) << "the download file stayed";
}

TEST_F(UniterTest, NewCharmRunsUpgradeCharmThenConfigChanged) {
  StartUniter();
  ASSERT_TRUE(WaitForCommits(4));
  v1::CharmArchive next = ShellCharm(hook_log_, fail_dir_);
  v1::CharmFile* version = next.add_files();
  version->set_path("VERSION");
  version->set_content("2\n");
  version->set_mode(0644);
  const std::string next_sha = fake_.SetCharm(next);
  fake_.UpdateUnitSnapshot([&](v1::UnitSnapshot& s) {
    s.mutable_charm()->set_url("local:app-1");
    s.mutable_charm()->set_sha256(next_sha);
  });
  ASSERT_TRUE(WaitForCommits(6));
  EXPECT_EQ(fake_.commits[4].hook(), "upgrade-charm");
  EXPECT_EQ(fake_.commits[5].hook(), "config-changed");
  EXPECT_EQ(testing::ReadFile(agent_dir_ + "/charm/VERSION"), "2\n");

  // The same archive again as a new local revision (`refresh --path` of an unchanged charm)
  // still runs the upgrade sequence.
  fake_.UpdateUnitSnapshot([&](v1::UnitSnapshot& s) { s.mutable_charm()->set_url("local:app-2"); });
  ASSERT_TRUE(WaitForCommits(8));
  EXPECT_EQ(fake_.commits[6].hook(), "upgrade-charm");
  EXPECT_EQ(fake_.commits[7].hook(), "config-changed");
}

TEST_F(UniterTest, UnitUnknownToTheControllerEndsTheAgent) {
  fake_.SetUnitGone(true);
  StartUniter();
  thread_.join();
  ASSERT_TRUE(result_.ok());
  EXPECT_EQ(*result_, Uniter::Exit::kUnitGone);
}

// Errors and retries (juju-semantics §1.7).

bool AgentErrored(FakeAgentService& fake) {
  for (const auto& s : fake.statuses) {
    if (s.target == v1::SetStatusRequest::AGENT && s.status == "error") return true;
  }
  return false;
}

bool Committed(FakeAgentService& fake, const std::string& hook) {
  for (const auto& c : fake.commits) {
    if (c.hook() == hook) return true;
  }
  return false;
}

TEST_F(UniterTest, ResolvedRetryRerunsTheFailedHookAndTheUnitSettles) {
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) { (*s.mutable_model_config())["automatically-retry-hooks"] = "false"; });
  testing::WriteFile(fail_dir_ + "/config-changed", "");
  StartUniter();
  ASSERT_TRUE(fake_.WaitUntil([&] { return AgentErrored(fake_); }));
  std::filesystem::remove(fail_dir_ + "/config-changed");
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) {
    s.set_resolve_mode("retry");
    s.set_resolve_serial(1);
  });
  ASSERT_TRUE(fake_.WaitUntil([&] { return Committed(fake_, "start"); }));
  EXPECT_EQ(HookLog(), (Lines{"install ", "leader-elected ", "config-changed ", "config-changed ", "start "}));
  EXPECT_TRUE(Committed(fake_, "config-changed"));
  ASSERT_TRUE(fake_.WaitUntil([&] { return fake_.cleared_resolves == std::vector<int64_t>{1}; }));
}

TEST_F(UniterTest, ResolvedNoRetrySkipsTheHookDataAndStartStillFollows) {
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) { (*s.mutable_model_config())["automatically-retry-hooks"] = "false"; });
  testing::WriteFile(fail_dir_ + "/config-changed", "");
  StartUniter();
  ASSERT_TRUE(fake_.WaitUntil([&] { return AgentErrored(fake_); }));
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) {
    s.set_resolve_mode("no-retry");
    s.set_resolve_serial(1);
  });
  ASSERT_TRUE(fake_.WaitUntil([&] { return Committed(fake_, "start"); }));
  // config-changed did not run again and nothing of it was committed.
  EXPECT_EQ(HookLog(), (Lines{"install ", "leader-elected ", "config-changed ", "start "}));
  EXPECT_FALSE(Committed(fake_, "config-changed"));
}

// Every commit reports the charm the unit runs, from install on; an upgrade-charm skipped with
// --no-retry is reported until a later upgrade-charm succeeds.
TEST_F(UniterTest, CommitsReportTheCharmAndASkippedUpgradeCharmUntilOneSucceeds) {
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) { (*s.mutable_model_config())["automatically-retry-hooks"] = "false"; });
  StartUniter();
  ASSERT_TRUE(WaitForCommits(4));
  for (const auto& c : fake_.commits) {
    EXPECT_EQ(c.charm_url(), "local:app-0") << c.hook();
    EXPECT_FALSE(c.upgrade_charm_skipped()) << c.hook();
  }
  testing::WriteFile(fail_dir_ + "/upgrade-charm", "");
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) { s.mutable_charm()->set_url("local:app-1"); });
  ASSERT_TRUE(fake_.WaitUntil([&] { return AgentErrored(fake_); }));
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) {
    s.set_resolve_mode("no-retry");
    s.set_resolve_serial(1);
  });
  ASSERT_TRUE(WaitForCommits(5));
  EXPECT_EQ(fake_.commits[4].hook(), "config-changed");
  EXPECT_EQ(fake_.commits[4].charm_url(), "local:app-1");
  EXPECT_TRUE(fake_.commits[4].upgrade_charm_skipped());

  std::filesystem::remove(fail_dir_ + "/upgrade-charm");
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) { s.mutable_charm()->set_url("local:app-2"); });
  ASSERT_TRUE(WaitForCommits(7));
  EXPECT_EQ(fake_.commits[5].hook(), "upgrade-charm");
  EXPECT_EQ(fake_.commits[5].charm_url(), "local:app-2");
  EXPECT_FALSE(fake_.commits[5].upgrade_charm_skipped());
  EXPECT_FALSE(fake_.commits[6].upgrade_charm_skipped());
  // The local state is the uniter's while it runs: read it once the uniter has stopped.
  uniter_->Stop();
  thread_.join();
  auto state = store_->Load();
  ASSERT_TRUE(state.ok());
  EXPECT_FALSE(state->upgrade_charm_skipped);
}

TEST_F(UniterTest, AutomaticRetryRerunsTheFailedHookByItself) {
  clock_ = &simulated_;  // Juju's policy: the first retry exactly 5 s after the failure
  testing::WriteFile(fail_dir_ + "/config-changed", "");
  StartUniter();
  ASSERT_TRUE(fake_.WaitUntil([&] { return AgentErrored(fake_); }));
  std::filesystem::remove(fail_dir_ + "/config-changed");
  ASSERT_TRUE(simulated_.AwaitWaiters(1, std::chrono::seconds(10))) << "the uniter is not waiting for the retry";
  simulated_.Advance(std::chrono::milliseconds(4999));
  ASSERT_TRUE(simulated_.AwaitWaiters(1, std::chrono::seconds(10)));
  EXPECT_EQ(HookLog(), (Lines{"install ", "leader-elected ", "config-changed "})) << "retried before 5 s";
  simulated_.Advance(std::chrono::milliseconds(1));
  ASSERT_TRUE(fake_.WaitUntil([&] { return Committed(fake_, "start"); }));
  EXPECT_EQ(HookLog(), (Lines{"install ", "leader-elected ", "config-changed ", "config-changed ", "start "}));
}

TEST_F(UniterTest, NoAutomaticRetryWhenTheModelSwitchesItOff) {
  clock_ = &simulated_;
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) { (*s.mutable_model_config())["automatically-retry-hooks"] = "false"; });
  testing::WriteFile(fail_dir_ + "/config-changed", "");
  StartUniter();
  ASSERT_TRUE(fake_.WaitUntil([&] { return AgentErrored(fake_); }));
  // An hour passes with retries off: the hook stays failed.
  simulated_.Advance(std::chrono::hours(1));
  // Switching retries on starts the timer from now: the retry comes 5 s later.
  std::filesystem::remove(fail_dir_ + "/config-changed");
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) { (*s.mutable_model_config())["automatically-retry-hooks"] = "true"; });
  ASSERT_TRUE(simulated_.AwaitWaiters(1, std::chrono::seconds(10))) << "switching retries on armed no timer";
  EXPECT_EQ(HookLog(), (Lines{"install ", "leader-elected ", "config-changed "})) << "retried while retries were off";
  simulated_.Advance(std::chrono::seconds(5));
  ASSERT_TRUE(fake_.WaitUntil([&] { return Committed(fake_, "start"); }));
}

TEST_F(UniterTest, ConfigChangeRunsConfigChanged) {
  StartUniter();
  ASSERT_TRUE(WaitForCommits(4));
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) { s.set_config_json(R"({"x":1})"); });
  ASSERT_TRUE(WaitForCommits(5));
  EXPECT_EQ(HookLog().back(), "config-changed ");
}

TEST_F(UniterTest, ChangedUpdateStatusIntervalTakesEffect) {
  clock_ = &simulated_;
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) { (*s.mutable_model_config())["update-status-hook-interval"] = "1h"; });
  StartUniter();
  ASSERT_TRUE(WaitForCommits(4));
  // The timer runs from start; the new interval applies to it at once.
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) { (*s.mutable_model_config())["update-status-hook-interval"] = "5m"; });
  ASSERT_TRUE(simulated_.AwaitWaiters(1, std::chrono::seconds(10)));
  simulated_.Advance(std::chrono::minutes(5) - std::chrono::milliseconds(1));
  ASSERT_TRUE(simulated_.AwaitWaiters(1, std::chrono::seconds(10)));
  EXPECT_FALSE(fake_.WaitUntil([&] { return Committed(fake_, "update-status"); }, std::chrono::milliseconds(0)))
      << "update-status before its interval";
  simulated_.Advance(std::chrono::milliseconds(1));
  ASSERT_TRUE(fake_.WaitUntil([&] { return Committed(fake_, "update-status"); }));
  EXPECT_EQ(HookLog().back(), "update-status ");
}

}  // namespace
}  // namespace skein::agent

namespace skein::agent {
namespace {

void QueueAction(v1::UnitSnapshot& s, const std::string& task_id) {
  v1::PendingAction* a = s.add_actions();
  a->set_task_id(task_id);
  a->set_name("backup");
  a->set_params_json("{}");
}

TEST_F(UniterTest, ActionInterruptedByAnAgentCrashFailsAsTerminatedAndNeverRunsTwice) {
  StartUniter();
  ASSERT_TRUE(WaitForCommits(4));
  uniter_->Stop();
  thread_.join();
  uniter_.reset();
  runner_ = std::make_unique<CharmDirRunner>(agent_dir_ + "/charm");  // a restarted agent has a fresh runner
  // The agent died while task 5 ran: Prepare had saved it as running.
  auto state = store_->Load();
  ASSERT_TRUE(state.ok());
  state->running_action_id = 5;
  ASSERT_TRUE(store_->Save(*state).ok());
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) {
    QueueAction(s, "5");
    QueueAction(s, "6");
  });

  StartUniter();
  ASSERT_TRUE(fake_.WaitUntil([&] { return fake_.finished_actions.size() == 2; })) << result_.status();
  EXPECT_EQ(fake_.finished_actions[0].task_id(), "5");
  EXPECT_TRUE(fake_.finished_actions[0].failed());
  EXPECT_EQ(fake_.finished_actions[0].message(), "action terminated");
  EXPECT_EQ(fake_.finished_actions[1].task_id(), "6");
  // Task 6 ran the charm (this test charm exits 1 for actions; the exit code is what matters).
  EXPECT_TRUE(nlohmann::json::parse(fake_.finished_actions[1].results_json()).contains("return-code"));
  EXPECT_EQ(fake_.started_actions, (std::vector<std::string>{"6"}));
  uniter_->Stop();
  thread_.join();
  // Only task 6 ran the charm (an action's JUJU_HOOK_NAME is empty).
  Lines log = HookLog();
  EXPECT_EQ(std::count(log.begin(), log.end(), " "), 1);
  auto after = store_->Load();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->running_action_id, 0);
  EXPECT_EQ(after->last_action_id, 6);
}

// The controller refuses an action's results (a cap it checks again): the agent finishes the task
// as failed with the reason instead of retrying it forever, and the queue moves on.
TEST_F(UniterTest, ActionWhoseResultsAreRefusedFailsWithTheReasonAndTheQueueMovesOn) {
  fake_.refuse_results.insert("7");
  StartUniter();
  ASSERT_TRUE(WaitForCommits(4));
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) {
    QueueAction(s, "7");
    QueueAction(s, "8");
  });
  ASSERT_TRUE(fake_.WaitUntil([&] { return fake_.finished_actions.size() == 2; })) << result_.status();
  EXPECT_EQ(fake_.finished_actions[0].task_id(), "7");
  EXPECT_TRUE(fake_.finished_actions[0].failed());
  EXPECT_EQ(fake_.finished_actions[0].message(),
            "action results refused: the action's results (4194315 bytes) exceeds the 4 MiB limit of action results");
  EXPECT_EQ(fake_.finished_actions[0].results_json(), "{}");
  EXPECT_EQ(fake_.finished_actions[1].task_id(), "8");
  uniter_->Stop();
  thread_.join();
}

}  // namespace
}  // namespace skein::agent
