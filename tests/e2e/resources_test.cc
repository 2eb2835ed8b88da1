// Resources end to end with real agents and the `resourceful` test charm, which reads its
// `payload` file resource with resource-get in every hook: a charm deployed with the resource
// reads the uploaded file from its own resources directory; attaching a new file makes each unit
// run upgrade-charm once, after which resource-get hands out the new content; a charm deployed
// without it gets resource-get's error, and the upload makes it work.

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

class ResourcesE2eTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  std::string File(const std::string& name, const std::string& text) {
    std::string path = cluster_.scratch_dir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  // The text after `<unit> <hook> ` of the log lines starting so, in order.
  std::vector<std::string> Lines(const std::string& unit, const std::string& hook) {
    return HookLogLines(log_, unit, hook);
  }
  bool Logged(const std::string& unit, const std::string& hook, const std::string& line) {
    return WaitFor([&] {
      auto lines = Lines(unit, hook);
      return std::find(lines.begin(), lines.end(), line) != lines.end();
    });
  }
  bool LoggedPrefix(const std::string& unit, const std::string& hook, const std::string& prefix) {
    return WaitFor([&] {
      for (const auto& l : Lines(unit, hook)) {
        if (l.rfind(prefix, 0) == 0) return true;
      }
      return false;
    });
  }

  Cluster cluster_;
  std::string log_ = cluster_.scratch_dir() + "/resourceful.log";
};

TEST_F(ResourcesE2eTest, ResourceGetReadsTheUploadAndAttachRunsUpgradeCharmOnce) {
  Ok({"bootstrap"});
  Ok({"add-model", "res"});
  Ok({"deploy", TestCharm("resourceful"), "web", "-n", "2", "--config", "log-path=" + log_, "--resource",
      "payload=" + File("one.txt", "first payload\n")});
  for (const char* unit : {"web/0", "web/1"}) {
    const std::string path = cluster_.AgentDir(unit, "res") + "/resources/payload/payload.txt";
    // The very first hook already finds the resource, in Juju's place in the agent's directory.
    ASSERT_TRUE(Logged(unit, "install", "path=" + path + " content=first payload")) << ReadFile(log_);
    EXPECT_EQ(ReadFile(path), "first payload\n");
  }

  Ok({"attach-resource", "web", "payload=" + File("two.txt", "second payload\n")});
  for (const char* unit : {"web/0", "web/1"}) {
    const std::string path = cluster_.AgentDir(unit, "res") + "/resources/payload/payload.txt";
    ASSERT_TRUE(Logged(unit, "upgrade-charm", "path=" + path + " content=second payload")) << ReadFile(log_);
  }
  ASSERT_TRUE(cluster_.WaitForStatus([](const nlohmann::json& s) {
    for (const char* unit : {"web/0", "web/1"}) {
      if (WorkloadMessage(s, unit) != "payload: second payload" || AgentStatus(s, unit) != "idle") return false;
    }
    return true;
  })) << cluster_.Status().dump(2);
  // Exactly one upgrade-charm per unit for one attach.
  EXPECT_EQ(Lines("web/0", "upgrade-charm").size(), 1u) << ReadFile(log_);
  EXPECT_EQ(Lines("web/1", "upgrade-charm").size(), 1u) << ReadFile(log_);
  Ok({"kill-controller", "--no-prompt"});
}

TEST_F(ResourcesE2eTest, WithoutTheResourceResourceGetFailsUntilItIsAttached) {
  Ok({"bootstrap"});
  Ok({"add-model", "res"});
  Ok({"deploy", TestCharm("resourceful"), "bare", "--config", "log-path=" + log_});
  ASSERT_TRUE(Logged("bare/0", "install",
                     "error=ERROR could not download resource: resource \"payload\" of application \"bare\" has not "
                     "been uploaded; attach it with: juju attach-resource bare payload=<path>"))
      << ReadFile(log_);
  ASSERT_TRUE(cluster_.WaitForStatus([](const nlohmann::json& s) { return WorkloadStatus(s, "bare/0") == "blocked"; }))
      << cluster_.Status().dump(2);
  Ok({"attach-resource", "bare", "payload=" + File("late.txt", "late payload\n")});
  ASSERT_TRUE(LoggedPrefix("bare/0", "upgrade-charm", "path=")) << ReadFile(log_);
  ASSERT_TRUE(cluster_.WaitForStatus(
      [](const nlohmann::json& s) { return WorkloadMessage(s, "bare/0") == "payload: late payload"; }))
      << cluster_.Status().dump(2);
  Ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::e2e
