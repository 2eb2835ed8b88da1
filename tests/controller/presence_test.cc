// Agent liveness (issue 14): an agent's watch stream is its heartbeat. On a simulated clock, an
// agent without a stream for the grace period shows as lost in `status` (a unit's agent `lost`
// and workload `unknown`, a machine `down`), the status watchers are told when that happens and
// when the agent comes back, and a controller restart makes nobody lost within the grace.

#include "controller/domain/presence/agent_presence.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>

#include "controller/domain/status/derivation.h"
#include "controller/domain/status/status_service.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using domain::presence::AgentPresence;
using domain::presence::Liveness;
using domain::presence::PresenceKey;
using namespace std::chrono_literals;

// Counts the PresenceKey publishes (what wakes `status --watch` and `wait-for`).
class PresenceListener : public domain::ChangeListener, public testing::EventCounter {
 public:
  void OnCommitted(const std::set<std::string>& keys) override {
    if (keys.count(PresenceKey()) > 0) Add();
  }
};

constexpr auto kGrace = 10s;

TEST(AgentPresenceTest, AnAgentWithoutAStreamForTheGraceIsLostAndTheWatchersAreTold) {
  SimulatedClock clock;
  PresenceListener listener;
  AgentPresence presence(clock, kGrace, &listener);
  presence.Start();
  const std::string unit = domain::UnitKey(7);

  presence.StreamOpened(unit);
  EXPECT_EQ(presence.Of(unit), Liveness::kConnected);
  clock.Advance(1h);  // a stream that stays open needs nothing else: no pings, no polling
  EXPECT_EQ(presence.Of(unit), Liveness::kConnected);
  // The start's grace ran out meanwhile (agents not seen since the start would now be lost).
  ASSERT_TRUE(listener.AwaitAtLeast(1));
  const int told_at_start = listener.count();

  ASSERT_TRUE(presence.StreamClosed(unit));
  EXPECT_EQ(presence.Of(unit), Liveness::kAbsent);
  const int told_closed = listener.count();
  ASSERT_TRUE(clock.AwaitWaiters(1, 10s)) << "the timer is not waiting for the grace to end";
  clock.Advance(kGrace - 1ms);
  EXPECT_EQ(presence.Of(unit), Liveness::kAbsent) << "lost before its grace ran out";
  clock.Advance(1ms);
  EXPECT_EQ(presence.Of(unit), Liveness::kLost);
  EXPECT_TRUE(listener.AwaitAtLeast(told_closed + 1)) << "nobody was told the agent turned lost";

  const int told_lost = listener.count();
  presence.StreamOpened(unit);
  EXPECT_EQ(presence.Of(unit), Liveness::kConnected);
  EXPECT_EQ(listener.count(), told_lost + 1) << "nobody was told the agent is back";
  presence.Stop();
}

TEST(AgentPresenceTest, AnAgentIsConnectedWhileAnyOfItsStreamsIsOpen) {
  SimulatedClock clock;
  AgentPresence presence(clock, kGrace, nullptr);
  const std::string machine = domain::MachineKey("0");
  // A restarted agent's new stream opens before the old one is seen to end.
  presence.StreamOpened(machine);
  presence.StreamOpened(machine);
  EXPECT_FALSE(presence.StreamClosed(machine));
  clock.Advance(kGrace * 2);
  EXPECT_EQ(presence.Of(machine), Liveness::kConnected);
  EXPECT_TRUE(presence.StreamClosed(machine));
  EXPECT_FALSE(presence.StreamClosed(machine)) << "a stream closed twice";
  EXPECT_EQ(presence.Of(machine), Liveness::kAbsent);
}

// The API opens a stream's heartbeat when it is authorised and closes it when the call ends, on
// two threads, and a call can end before it was authorised.
TEST(AgentPresenceTest, AStreamOpensInPresenceOnceAndACloseBeforeItsOpenLeavesNothingOpen) {
  SimulatedClock clock;
  AgentPresence presence(clock, kGrace, nullptr);
  const std::string unit = domain::UnitKey(7);
  domain::presence::AgentStream stream(&presence);
  stream.Open(unit);
  stream.Open(unit);  // a second build of the same stream
  EXPECT_EQ(presence.Of(unit), Liveness::kConnected);
  EXPECT_TRUE(stream.Close()) << "its only stream: one open counted, not two";
  EXPECT_EQ(presence.Of(unit), Liveness::kAbsent);

  domain::presence::AgentStream ended_early(&presence);
  EXPECT_FALSE(ended_early.Close());
  ended_early.Open(unit);
  EXPECT_EQ(presence.Of(unit), Liveness::kAbsent) << "a stream that ended is never opened";
}

TEST(AgentPresenceTest, AfterAControllerStartAgentsHaveTheGraceToReconnect) {
  SimulatedClock clock;
  AgentPresence presence(clock, kGrace, nullptr);
  const std::string unit = domain::UnitKey(3);
  EXPECT_EQ(presence.Of(unit), Liveness::kAbsent);
  clock.Advance(kGrace - 1ms);
  EXPECT_EQ(presence.Of(unit), Liveness::kAbsent);
  clock.Advance(1ms);
  EXPECT_EQ(presence.Of(unit), Liveness::kLost) << "an agent that never came back is lost";
}

TEST(AgentPresenceTest, AnAgentThatLogsInHasAFreshGraceToOpenItsStream) {
  SimulatedClock clock;
  AgentPresence presence(clock, kGrace, nullptr);
  const std::string unit = domain::UnitKey(5);  // a unit deployed long after the controller started
  clock.Advance(1h);
  EXPECT_EQ(presence.Of(unit), Liveness::kLost);
  presence.Seen(unit);
  EXPECT_EQ(presence.Of(unit), Liveness::kAbsent) << "lost between its login and its stream";
  clock.Advance(kGrace);
  EXPECT_EQ(presence.Of(unit), Liveness::kLost) << "logged in but never opened a stream";
  presence.StreamOpened(unit);
  presence.Seen(unit);
  clock.Advance(kGrace);
  EXPECT_EQ(presence.Of(unit), Liveness::kConnected);
}

// The domain with presence tracking, as the controller wires it.
struct LivenessEnv : testing::DomainEnv {
  LivenessEnv() : presence(clock, kGrace, nullptr), status_with_presence(db.get(), &presence) {}
  v1::ModelStatus Status() {
    auto s = status_with_presence.ModelStatus("test");
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : v1::ModelStatus();
  }
  AgentPresence presence;
  domain::status::StatusService status_with_presence;
};

// A hub stand-in: what was published when, for ChangePending.
class PublishedKeys : public PresenceListener {
 public:
  void OnCommitted(const std::set<std::string>& keys) override {
    PresenceListener::OnCommitted(keys);
    ++seq_;
    for (const std::string& k : keys) published_[k] = seq_;
  }
  uint64_t NewestPublished(const std::set<std::string>& keys) override {
    uint64_t newest = 0;
    for (const std::string& k : keys) newest = std::max(newest, published_.count(k) ? published_[k] : 0);
    return newest;
  }
  uint64_t seq() const { return seq_; }

 private:
  uint64_t seq_ = 0;
  std::map<std::string, uint64_t> published_;
};

TEST(AgentPresenceTest, AChangeIsPendingUntilTheStreamHasBuiltItAndTheAgentHasAcknowledgedIt) {
  SimulatedClock clock;
  PublishedKeys hub;
  AgentPresence presence(clock, kGrace, &hub);
  const std::string unit = domain::UnitKey(7);
  const std::set<std::string> keys = {domain::UnitKey(7), domain::AppKey(3)};
  presence.StreamOpened(unit);
  presence.SnapshotBuilt(unit, hub.seq(), keys, /*sent_version=*/40);
  EXPECT_TRUE(presence.ChangePending(unit)) << "sent, not acknowledged";
  const int told = hub.count();
  presence.SnapshotAcknowledged(unit, 40);
  EXPECT_FALSE(presence.ChangePending(unit));
  EXPECT_EQ(hub.count(), told + 1) << "the watchers hear that the unit caught up";

  // `config` commits: the application's key is published, the stream has not rebuilt yet.
  hub.OnCommitted({domain::AppKey(3)});
  EXPECT_TRUE(presence.ChangePending(unit)) << "published after the stream's last build";
  // Another application's change is nothing to this unit.
  const uint64_t built = hub.seq();
  hub.OnCommitted({domain::AppKey(4)});
  presence.SnapshotBuilt(unit, built, keys, /*sent_version=*/41);
  EXPECT_TRUE(presence.ChangePending(unit)) << "sent 41, acknowledged 40";
  presence.SnapshotAcknowledged(unit, 41);
  EXPECT_FALSE(presence.ChangePending(unit));

  // A build that finds nothing new for the unit settles a pending change by itself.
  hub.OnCommitted({domain::UnitKey(7)});
  EXPECT_TRUE(presence.ChangePending(unit));
  presence.SnapshotBuilt(unit, hub.seq(), keys, std::nullopt);
  EXPECT_FALSE(presence.ChangePending(unit));

  // A restarted agent's new stream must acknowledge its first snapshot again.
  ASSERT_TRUE(presence.StreamClosed(unit));
  EXPECT_FALSE(presence.ChangePending(unit)) << "no stream: status shows the agent instead";
  presence.StreamOpened(unit);
  presence.SnapshotBuilt(unit, hub.seq(), keys, /*sent_version=*/41);
  EXPECT_TRUE(presence.ChangePending(unit));
  presence.SnapshotAcknowledged(unit, 41);
  EXPECT_FALSE(presence.ChangePending(unit));
}

TEST(LivenessStatusTest, AUnitWhoseAgentIsGoneShowsLostAsJujuDoes) {
  LivenessEnv env;
  env.Deploy("db", testing::MakeCharm(testing::kDbMetadata), 2);
  const int64_t db0 = env.UnitId("db/0");
  const int64_t db1 = env.UnitId("db/1");
  for (int64_t id : {db0, db1}) {
    ASSERT_TRUE(env.units->SetStatus(id, domain::unit::StatusTarget::kAgent, {"idle", "", "", ""}).ok());
    ASSERT_TRUE(env.units->SetStatus(id, domain::unit::StatusTarget::kWorkload, {"active", "ready", "", ""}).ok());
    env.presence.StreamOpened(domain::UnitKey(id));
  }
  env.clock.Advance(kGrace * 3);
  v1::ModelStatus s = env.Status();
  ASSERT_EQ(s.applications(0).units_size(), 2);
  EXPECT_EQ(s.applications(0).units(0).agent_status().current(), "idle");

  // db/0's agent is killed: its stream ends. Within the grace its last status stands.
  ASSERT_TRUE(env.presence.StreamClosed(domain::UnitKey(db0)));
  env.clock.Advance(kGrace - 1s);
  EXPECT_EQ(env.Status().applications(0).units(0).agent_status().current(), "idle");
  env.clock.Advance(1s);
  s = env.Status();
  const v1::UnitStatus& lost = s.applications(0).units(0);
  EXPECT_EQ(lost.agent_status().current(), "lost");
  EXPECT_EQ(lost.agent_status().message(), "agent is not communicating with the server");
  EXPECT_EQ(lost.agent_status().since(), "2026-01-01T00:00:30Z") << "since the stream ended";
  EXPECT_EQ(lost.workload_status().current(), "unknown");
  EXPECT_EQ(lost.workload_status().message(), "agent lost, see 'skein debug-log --include db/0'");
  EXPECT_EQ(s.applications(0).units(1).agent_status().current(), "idle") << "only the gone agent is lost";
  auto shown = env.status_with_presence.ShowUnit("test", "db/0");
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_EQ(shown->agent_status().current(), "lost");

  // The agent comes back (restarted by its machine agent): its stored status shows again.
  env.presence.StreamOpened(domain::UnitKey(db0));
  EXPECT_EQ(env.Status().applications(0).units(0).agent_status().current(), "idle");
}

TEST(LivenessStatusTest, AUnitWhoseAgentNeverStartedIsAllocatingNotLost) {
  LivenessEnv env;
  env.Deploy("db", testing::MakeCharm(testing::kDbMetadata), 1);
  env.clock.Advance(kGrace * 2);
  EXPECT_EQ(env.Status().applications(0).units(0).agent_status().current(), "allocating");
}

TEST(LivenessStatusTest, AMachineWhoseAgentIsGoneShowsDown) {
  LivenessEnv env;
  env.Deploy("db", testing::MakeCharm(testing::kDbMetadata), 1);
  auto machine_agent = [&] { return env.Status().machines(0).agent_status().current(); };
  EXPECT_EQ(machine_agent(), "pending") << "a machine whose agent never connected";
  env.clock.Advance(kGrace);
  EXPECT_EQ(machine_agent(), "pending") << "a machine whose agent never connected is not down";

  // What WatchMachine does when the machine agent's stream opens and ends.
  env.presence.StreamOpened(domain::MachineKey("0"));
  ASSERT_TRUE(env.models->SetMachineAgentSeen("0", true).ok());
  EXPECT_EQ(machine_agent(), "started");
  ASSERT_TRUE(env.presence.StreamClosed(domain::MachineKey("0")));
  ASSERT_TRUE(env.models->SetMachineAgentSeen("0", false).ok());
  EXPECT_EQ(machine_agent(), "pending") << "within the grace: reconnecting";
  env.clock.Advance(kGrace);
  v1::ModelStatus s = env.Status();
  EXPECT_EQ(s.machines(0).agent_status().current(), "down");
  EXPECT_EQ(s.machines(0).agent_status().message(), "agent is not communicating with the server");
}

}  // namespace
}  // namespace skein::controller
