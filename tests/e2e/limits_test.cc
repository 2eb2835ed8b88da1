// The size caps and YAML budgets end to end (issue 11, acceptance 3), through the real CLI,
// controller and agents with the `sizer` test charm:
// - values near their caps cross every process: a 10 MiB relation value reaches the reader, a
//   config value at its cap reaches the unit, and `status --format json` shows units whose status
//   messages are at the cap;
// - values over their caps are refused where they are written (the CLI before it sends, the hook
//   tools before they buffer), with the limit named, nothing written, and the unit goes on to run
//   its next hooks and settle;
// - every YAML bomb (aliases in each parser, a /dev/zero include, a 100,000-deep `[[[`) is refused
//   with its ERROR while the peak RSS (VmHWM) of the process that parsed it stays under 256 MiB.

#include <filesystem>
#include <iostream>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "lib/rpc/auth.h"
#include "skein/v1/controller.grpc.pb.h"
#include "tests/e2e/harness.h"
#include "yaml-cpp/yaml.h"

namespace skein::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr long kRssLimitKib = 256 * 1024;
constexpr char kLaughsError[] =
    "YAML expands to more than 150000 nodes (limit); an alias (*name) repeats the whole node it names, so aliases of "
    "aliases multiply";

// Ten levels of ten aliases each: 10^10 nodes once expanded, about 900 bytes of text.
std::string Laughs(const std::string& key_prefix = "a") {
  std::string text = key_prefix + "0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n";
  for (int i = 1; i <= 10; ++i) {
    text += key_prefix + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", *a" : "*a") + std::to_string(i - 1);
    text += "]\n";
  }
  return text;
}

void Write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// VmHWM of the live process whose executable is `binary` and that works under SKEIN_DATA (-1
// when there is none).
long PeakRssKib(const Cluster& cluster, const std::string& binary) {
  for (int pid : cluster.ProcessesUsingDataDir()) {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
    if (ec || exe.filename() != binary) continue;
    for (const std::string& line : ReadLines("/proc/" + std::to_string(pid) + "/status")) {
      if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    }
  }
  return -1;
}

class LimitsTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  std::string Path(const std::string& name) const { return cluster_.scratch_dir() + "/" + name; }
  // A copy of the sizer charm with some files replaced.
  std::string SizerWith(const std::string& name, const std::map<std::string, std::string>& files) {
    std::string dir = Path(name);
    fs::copy(TestCharm("sizer"), dir, fs::copy_options::recursive);
    for (const auto& [file, text] : files) Write(dir + "/" + file, text);
    return dir;
  }
  std::string Message(const std::string& unit) { return WorkloadMessage(cluster_.Status(), unit); }
  bool WaitForMessage(const std::string& unit, const std::function<bool(const std::string&)>& ready) {
    return cluster_.WaitForStatus([&](const json& s) {
      return AgentStatus(s, unit) == "idle" && ready(WorkloadMessage(s, unit));
    }, std::chrono::seconds(120));
  }
  // Expects `skein args` to exit 1 with an ERROR line containing `error`, within the RSS cap.
  void Refused(const std::vector<std::string>& args, const std::string& error) {
    CliResult r = cluster_.Skein(args);
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_EQ(r.err.rfind("ERROR ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(error), std::string::npos) << r.err;
    EXPECT_LT(r.peak_rss_kib, kRssLimitKib) << "skein " << args[0] << " peaked at " << r.peak_rss_kib << " KiB";
    EXPECT_GT(r.peak_rss_kib, 0);
    std::cout << "refused, CLI peak RSS " << r.peak_rss_kib << " KiB: " << r.err;
  }

  // Sends Deploy straight to the running controller with the admin credential, as a client that
  // skips the CLI's own checks would: the controller must refuse on its own.
  grpc::Status DeployDirect(const std::string& model, const std::string& app,
                            const std::map<std::string, std::string>& files) {
    YAML::Node client = YAML::LoadFile(cluster_.data_dir() + "/client.yaml");
    std::string current = client["current-controller"].as<std::string>();
    rpc::Identity admin{"user-admin", client["controllers"][current]["admin-credential"].as<std::string>()};
    std::string address = ReadLines(cluster_.data_dir() + "/controller/address").at(0);
    auto stub = v1::Controller::NewStub(
        rpc::MakeChannel(address, client["controllers"][current]["ca-cert"].as<std::string>()));
    v1::DeployRequest req;
    req.set_model(model);
    req.set_application(app);
    req.set_num_units(0);
    req.set_charm_origin("local");
    for (const auto& [path, content] : files) {
      v1::CharmFile* f = req.mutable_charm()->add_files();
      f->set_path(path);
      f->set_content(content);
      f->set_mode(0644);
    }
    v1::DeployResponse resp;
    grpc::ClientContext ctx;
    rpc::PrepareContext(&ctx, admin, std::chrono::seconds(60));
    return stub->Deploy(&ctx, req, &resp);
  }

  Cluster cluster_;
};

TEST_F(LimitsTest, ValuesNearTheirCapsCrossEveryProcess) {
  Ok({"bootstrap"});
  Ok({"add-model", "limits"});
  Ok({"deploy", TestCharm("sizer"), "writer", "--config", "relation-bytes=" + std::to_string(10 << 20)});
  Ok({"deploy", TestCharm("sizer"), "reader"});
  Ok({"integrate", "writer:out", "reader:in"});
  // 10 MiB in one relation value: delivered to the reader, not refused, and no unit in error.
  ASSERT_TRUE(WaitForMessage("reader/0", [](const std::string& m) { return m.find("got=10485760 ") != std::string::npos; }))
      << "the reader never reported the 10 MiB value";

  // A config value at its cap (4 MiB, through `config k=@file`) reaches the unit.
  Write(Path("at-cap"), std::string(4 << 20, 'b'));
  Ok({"config", "reader", "big=@" + Path("at-cap")});
  ASSERT_TRUE(WaitForMessage("reader/0", [](const std::string& m) { return m.rfind("big=4194304 ", 0) == 0; }));

  // One byte more is refused by the CLI, and the unit keeps the value it had.
  Write(Path("over-cap"), std::string((4 << 20) + 1, 'b'));
  CliResult over = cluster_.Skein({"config", "reader", "big=@" + Path("over-cap")});
  EXPECT_EQ(over.code, 1);
  EXPECT_EQ(over.err, "ERROR config option \"big\": " + Path("over-cap") +
                         " (4194305 bytes) exceeds the 4 MiB limit of a config value\n");
  CliResult value = cluster_.Skein({"config", "reader", "big"});
  EXPECT_EQ(value.out.size(), (4u << 20) + 1) << "config big changed";

  // Status messages at the cap, on two units: the whole model's status still renders.
  Ok({"config", "writer", "status-bytes=32768"});
  Ok({"config", "reader", "status-bytes=32768"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return WorkloadMessage(s, "writer/0").size() == 32768 && WorkloadMessage(s, "reader/0").size() == 32768 &&
           AgentStatus(s, "writer/0") == "idle" && AgentStatus(s, "reader/0") == "idle";
  }, std::chrono::seconds(120)));
  CliResult tabular = cluster_.Skein({"status"});
  EXPECT_EQ(tabular.code, 0) << tabular.err;
}

TEST_F(LimitsTest, OverCapWritesFailTheToolAndTheUnitGoesOn) {
  Ok({"bootstrap"});
  Ok({"add-model", "limits"});
  Ok({"deploy", TestCharm("sizer"), "writer", "--config", "try-over=true", "--config", "relation-bytes=10"});
  Ok({"deploy", TestCharm("sizer"), "reader"});
  Ok({"integrate", "writer:out", "reader:in"});
  // Every hook of the writer tries a 16 MiB + 1 relation value and a 32 KiB + 1 status message;
  // both tools exit 1, the hooks go on, the small value still reaches the reader and both settle.
  ASSERT_TRUE(WaitForMessage("writer/0", [](const std::string& m) {
    return m.find("refused=relation-set:1 status-set:1") != std::string::npos;
  }));
  ASSERT_TRUE(WaitForMessage("reader/0", [](const std::string& m) { return m.find("got=10 ") != std::string::npos; }));
  // The writer may still be running the hook that follows the reader's answer.
  EXPECT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return UnitSettled(s, "writer/0", "active") && UnitSettled(s, "reader/0", "active");
  }, std::chrono::seconds(120)));
  CliResult log = cluster_.Skein({"debug-log", "--replay", "--no-tail", "--include", "writer/0"});
  EXPECT_NE(log.out.find("relation value \"over\" (16777217 bytes) exceeds the 16 MiB limit of a relation value"),
            std::string::npos);
  EXPECT_NE(log.out.find("the status message (32769 bytes) exceeds the 32 KiB limit of a status message"),
            std::string::npos);

  // A later change still runs hooks: the unit was never wedged.
  Ok({"config", "writer", "try-over=false", "big=after"});
  ASSERT_TRUE(WaitForMessage("writer/0", [](const std::string& m) { return m.rfind("big=5 ", 0) == 0; }));

  // Action parameters over their cap are refused before anything is queued.
  Write(Path("params.yaml"), "message: " + std::string((4 << 20) + 1, 'p') + "\n");
  CliResult run = cluster_.Skein({"run", "writer/0", "echo", "--params", Path("params.yaml")});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "ERROR the action's parameters (4194319 bytes) exceeds the 4 MiB limit of action parameters\n");
  // Operation 1 would hold task 2: neither exists.
  CliResult task = cluster_.Skein({"show-task", "2"});
  EXPECT_EQ(task.code, 1);
  EXPECT_NE(task.err.find("not found"), std::string::npos) << task.err;
}

TEST_F(LimitsTest, YamlBombsAreRefusedWithinTheMemoryCap) {
  Ok({"bootstrap"});
  Ok({"add-model", "bombs"});

  // Charm config.yaml and actions.yaml, parsed by the controller at deploy.
  std::string config_bomb = SizerWith("config-bomb", {{"config.yaml", "options:\n  x:\n    type: string\n" + Laughs("b")}});
  Refused({"deploy", config_bomb}, std::string("config.yaml: ") + kLaughsError);
  std::string actions_bomb = SizerWith("actions-bomb", {{"actions.yaml", Laughs()}});
  Refused({"deploy", actions_bomb}, std::string("actions.yaml: ") + kLaughsError);
  std::string deep = SizerWith("deep", {{"config.yaml", "options: " + std::string(100000, '[')}});
  Refused({"deploy", deep}, "config.yaml: YAML nests deeper than 256 levels (limit)");
  // The CLI refused those before sending; the controller refuses them too when a client sends
  // them anyway.
  std::string metadata = "name: direct\n";
  for (const auto& [file, text, error] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"config.yaml", "options:\n  x:\n    type: string\n" + Laughs("b"), std::string("config.yaml: ") + kLaughsError},
           {"actions.yaml", Laughs(), std::string("actions.yaml: ") + kLaughsError},
           {"metadata.yaml", "name: direct\n" + Laughs("b"), std::string("metadata.yaml: ") + kLaughsError},
           {"config.yaml", "options: " + std::string(100000, '['), "config.yaml: YAML nests deeper than 256 levels (limit)"},
           {"config.yaml", "options: " + std::string((1 << 20) - 20, '['),
            "config.yaml: YAML needs more than 96 MiB of memory to parse (limit); a flow collection ([...] or {...}) "
            "costs the most per item: write long lists and maps in block style"},
           {"config.yaml", "options: {}\n#" + std::string(1 << 20, ' '),
            "config.yaml (1048589 bytes) exceeds the 1 MiB limit of a charm's YAML file"}}) {
    std::map<std::string, std::string> files = {{"metadata.yaml", metadata}};
    files[file] = text;
    grpc::Status s = DeployDirect("bombs", "direct", files);
    const grpc::StatusCode code = absl::StrContains(error, "exceeds the") ? grpc::StatusCode::RESOURCE_EXHAUSTED
                                                                          : grpc::StatusCode::INVALID_ARGUMENT;
    EXPECT_EQ(s.error_code(), code) << file;
    EXPECT_EQ(s.error_message(), error);
  }
  long controller_kib = PeakRssKib(cluster_, "skein-controller");
  EXPECT_GT(controller_kib, 0);
  EXPECT_LT(controller_kib, kRssLimitKib) << "the controller peaked at " << controller_kib << " KiB";
  std::cout << "controller VmHWM after the charm bombs: " << controller_kib << " KiB\n";
  EXPECT_EQ(cluster_.Status()["applications"].size(), 0u) << "a refused deploy left an application";

  // Bundles, overlays and --params files, parsed by the CLI.
  Write(Path("bundle-bomb.yaml"), "applications: {}\n" + Laughs());
  Refused({"deploy", Path("bundle-bomb.yaml")}, std::string("bundle-bomb.yaml: ") + kLaughsError);
  Write(Path("bundle.yaml"), "applications:\n  s:\n    charm: " + TestCharm("sizer") + "\n");
  Write(Path("overlay-bomb.yaml"), Laughs());
  Refused({"deploy", Path("bundle.yaml"), "--overlay", Path("overlay-bomb.yaml")},
          std::string("overlay-bomb.yaml: ") + kLaughsError);
  Write(Path("deep.yaml"), std::string(100000, '['));
  Refused({"deploy", Path("deep.yaml")}, "deep.yaml: YAML nests deeper than 256 levels (limit)");
  Write(Path("zero-bundle.yaml"),
        "applications:\n  s:\n    charm: " + TestCharm("sizer") + "\n    options:\n      big: include-file:///dev/zero\n");
  Refused({"deploy", Path("zero-bundle.yaml")}, "resolving include \"/dev/zero\": /dev/zero is not a regular file");
  Write(Path("params-bomb.yaml"), Laughs());
  Refused({"run", "s/0", "echo", "--params", Path("params-bomb.yaml")}, std::string("params-bomb.yaml: ") + kLaughsError);
  EXPECT_EQ(cluster_.Status()["applications"].size(), 0u);

  // Hook-tool --file, parsed by the unit agent: both tools fail, the hook goes on, and the agent
  // stays small.
  Ok({"deploy", TestCharm("sizer"), "bomber", "--config", "try-bomb=true"});
  Ok({"deploy", TestCharm("sizer"), "reader"});
  Ok({"integrate", "bomber:out", "reader:in"});
  ASSERT_TRUE(WaitForMessage("bomber/0", [](const std::string& m) {
    return m.find("relation-set-file:1 state-set-file:1 relation-set-flow:1") != std::string::npos;
  }));
  CliResult log = cluster_.Skein({"debug-log", "--replay", "--no-tail", "--include", "bomber/0"});
  EXPECT_NE(log.out.find(std::string("laughs.yaml: ") + kLaughsError), std::string::npos) << log.out;
  EXPECT_NE(log.out.find("stdin: YAML needs more than 96 MiB of memory to parse (limit)"), std::string::npos);
  long agent_kib = PeakRssKib(cluster_, "skein-agent");
  EXPECT_GT(agent_kib, 0);
  EXPECT_LT(agent_kib, kRssLimitKib) << "the unit agent peaked at " << agent_kib << " KiB";
  std::cout << "unit agent VmHWM after the hook-tool --file bombs: " << agent_kib << " KiB\n";
}

}  // namespace
}  // namespace skein::e2e
