// Per-request unit limits, end to end (issue 11, defect 5): a count over the limit is refused at
// once with an error naming the limit, and nothing is written; a legal large add-unit runs in
// one model while another model's status keeps answering.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/process/subprocess.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr char kLimitError[] = "the limit is 1000 units per request";

class RequestLimitsTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  json ModelStatus(const std::string& model) {
    CliResult r = cluster_.Skein({"status", "-m", model, "--format", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    json parsed = json::parse(r.out, nullptr, false);
    return parsed.is_discarded() ? json::object() : parsed;
  }
  size_t UnitCount(const std::string& model, const std::string& app) {
    json s = ModelStatus(model);
    if (!s.contains("applications") || !s["applications"].contains(app)) return 0;
    const json& a = s["applications"][app];
    return a.contains("units") ? a["units"].size() : 0;
  }

  Cluster cluster_;
};

TEST_F(RequestLimitsTest, CountsOverTheLimitAreRefusedAtOnceAndLeaveTheModelAsItWas) {
  Ok({"bootstrap"});
  Ok({"add-model", "big"});
  Ok({"deploy", TestCharm("kv-provider"), "-n", "0"});
  const json before = ModelStatus("big")["applications"];

  for (const std::string n : {"1001", "1000000", "2147483647"}) {
    auto start = Clock::now();
    CliResult r = cluster_.Skein({"add-unit", "kv-provider", "-n", n});
    EXPECT_LT(Clock::now() - start, 5s) << "add-unit -n " << n << " was not refused at once";
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_EQ(r.err, "ERROR cannot add " + n + " units in one request: " + kLimitError +
                         "; add more with several add-unit requests\n");
  }
  CliResult r = cluster_.Skein({"deploy", TestCharm("kv-requirer"), "-n", "5000"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(kLimitError), std::string::npos) << r.err;

  const std::string bundle = cluster_.scratch_dir() + "/huge.yaml";
  std::ofstream(bundle) << "applications:\n  huge:\n    charm: " << TestCharm("kv-provider")
                        << "\n    num_units: 2147483647\n";
  auto start = Clock::now();
  r = cluster_.Skein({"deploy", bundle});
  EXPECT_LT(Clock::now() - start, 5s) << "the bundle was not refused at once";
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("application \"huge\" num_units: cannot add 2147483647 units in one request: " +
                       std::string(kLimitError)),
            std::string::npos)
      << r.err;
  // Two applications of a bundle share one request's limit.
  std::ofstream(bundle, std::ios::trunc) << "applications:\n"
                                         << "  a: {charm: " << TestCharm("kv-provider") << ", num_units: 600}\n"
                                         << "  b: {charm: " << TestCharm("kv-requirer") << ", num_units: 600}\n";
  r = cluster_.Skein({"deploy", bundle});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot add 1200 units in one request: " + std::string(kLimitError)), std::string::npos)
      << r.err;

  EXPECT_EQ(ModelStatus("big")["applications"], before) << "a refused request changed the model";
  Ok({"kill-controller", "--no-prompt"});
}

TEST_F(RequestLimitsTest, ALargeAddUnitDoesNotHoldUpAnotherModelsStatus) {
  Ok({"bootstrap"});
  Ok({"add-model", "other"});
  Ok({"deploy", TestCharm("kv-provider")});
  Ok({"add-model", "big"});
  Ok({"deploy", TestCharm("kv-provider"), "-n", "0"});
  // The machine agent would start a thousand unit agents on this host; the test is about the
  // controller, so the machine agent is stopped first and the units stay unstarted.
  auto machine_agent = process::ReadPidFile(cluster_.data_dir() + "/machine-0/machine-agent.pid");
  ASSERT_TRUE(machine_agent.has_value());
  ASSERT_EQ(::kill(*machine_agent, SIGTERM), 0);
  ASSERT_TRUE(WaitFor([&] { return !process::IsAlive(*machine_agent); }, 30s));

  process::SpawnOptions add;
  add.argv = {cluster_.BinDir() + "/skein", "add-unit", "-m", "big", "kv-provider", "-n", "1000"};
  add.env = std::map<std::string, std::string>{{"SKEIN_DATA", cluster_.data_dir()}, {"NO_COLOR", "1"},
                                               {"PATH", "/usr/bin:/bin"}};
  const std::string add_output = cluster_.scratch_dir() + "/add-unit.out";
  add.stdout_path = add_output;
  add.stderr_path = add_output;
  auto start = Clock::now();
  auto pid = process::Spawn(add);
  ASSERT_TRUE(pid.ok()) << pid.status();
  // While it runs, the other model answers, each time within the deadline.
  int polls = 0;
  std::optional<process::RunResult> done;
  while (!(done = process::Reap(*pid, false))) {
    auto asked = Clock::now();
    CliResult r = cluster_.Skein({"status", "-m", "other", "--format", "json"}, 30s);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - asked);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_LT(took, 3s) << "status of another model waited " << took.count() << " ms";
    ++polls;
    ASSERT_LT(Clock::now() - start, 120s) << "add-unit -n 1000 did not finish";
  }
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  EXPECT_EQ(done->exit_code, 0) << ReadFile(add_output);
  EXPECT_GE(polls, 1);
  std::cout << "add-unit -n 1000 took " << took.count() << " ms end to end; status of another model answered "
            << polls << " times meanwhile\n";
  EXPECT_EQ(UnitCount("big", "kv-provider"), 1000u);
  EXPECT_EQ(UnitCount("other", "kv-provider"), 1u);
  Ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::e2e
