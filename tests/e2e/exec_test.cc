// exec, ssh and scp end to end (juju-cli-client-contract §3.10, §3.27, §3.32, §6) against the
// real binaries with the `actioner` test charm: the JSON task shape, exit codes and stderr words
// jubilant relies on, hook tools inside an exec, an exec waiting for a running hook, and ssh/scp
// on the local substrate (this host, in the unit's directory).

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

using nlohmann::json;

class ExecTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  // `skein exec --format json ARGS`: the exit code, and the whole document.
  json Exec(const std::vector<std::string>& args, CliResult* result) {
    std::vector<std::string> argv = {"exec", "--format", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    *result = cluster_.Skein(argv);
    return json::parse(result->out, nullptr, false);
  }
  void Deploy() {
    Ok({"bootstrap"});
    Ok({"add-model", "execs"});
    Ok({"deploy", TestCharm("actioner")});
    ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return UnitSettled(s, "actioner/0", "active"); }))
        << "unit never settled";
  }

  Cluster cluster_;
};

TEST_F(ExecTest, ExecRunsInTheHookContextWithJujusShapesAndExitCodes) {
  ASSERT_NO_FATAL_FAILURE(Deploy());
  CliResult r;

  // Several arguments are joined (quoted where needed); the JSON is keyed by unit.
  json doc = Exec({"--unit", "actioner/0", "--", "echo", "bar", "baz"}, &r);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  ASSERT_TRUE(doc.is_object() && doc.contains("actioner/0")) << r.out;
  json task = doc["actioner/0"];
  EXPECT_TRUE(task["id"].is_string()) << task.dump();
  EXPECT_EQ(task.value("status", ""), "completed");
  EXPECT_EQ(task.value("unit", ""), "actioner/0");
  EXPECT_TRUE(task["timing"].is_object());
  EXPECT_TRUE(task["results"]["return-code"].is_number_integer()) << task.dump();
  EXPECT_EQ(task["results"]["return-code"], 0);
  EXPECT_EQ(task["results"].value("stdout", ""), "bar baz\n");
  EXPECT_FALSE(task["results"].contains("stderr")) << "empty stderr is left out";
  const std::string exec_id = task.value("id", "");

  // One argument is a shell command line as it is; quoting survives the join.
  doc = Exec({"--unit", "actioner/0", "--", "echo foo"}, &r);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(doc["actioner/0"]["results"].value("stdout", ""), "foo\n");
  doc = Exec({"--unit", "actioner/0", "--", "printf", "%s|", "a b", "it's"}, &r);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(doc["actioner/0"]["results"].value("stdout", ""), "a b|it's|") << "exact output, no newline added";

  // Hook tools and the JUJU_* environment, in the charm directory.
  doc = Exec({"--unit", "actioner/leader", "--",
              "unit-get private-address; is-leader; echo $JUJU_UNIT_NAME; config-get fail-config-changed; pwd"},
             &r);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  std::vector<std::string> lines;
  std::istringstream out(doc["actioner/0"]["results"].value("stdout", ""));
  for (std::string line; std::getline(out, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u) << doc.dump();
  EXPECT_FALSE(lines[0].empty()) << "unit-get private-address";
  EXPECT_EQ(lines[1], "True");
  EXPECT_EQ(lines[2], "actioner/0");
  EXPECT_TRUE(lines[3] == "False" || lines[3] == "false") << lines[3];
  EXPECT_EQ(lines[4], cluster_.AgentDir("actioner/0") + "/charm");

  // --application runs on each of its units; plain prints the command's stdout.
  doc = Exec({"--application", "actioner", "--", "echo", "app"}, &r);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(doc.size(), 1u);
  EXPECT_EQ(doc["actioner/0"]["results"].value("stdout", ""), "app\n");
  r = cluster_.Skein({"exec", "--unit", "actioner/0", "--", "echo out; echo err >&2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "out\n");
  EXPECT_NE(r.err.find("err\n"), std::string::npos) << r.err;

  // A non-zero return code: completed with the code, JSON on stdout, exit 1, `task failed`.
  doc = Exec({"--unit", "actioner/0", "--", "echo oops >&2; exit 3"}, &r);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("task failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("with return code 3"), std::string::npos) << r.err;
  ASSERT_TRUE(doc.is_object() && doc.contains("actioner/0")) << r.out;
  EXPECT_EQ(doc["actioner/0"].value("status", ""), "completed");
  EXPECT_EQ(doc["actioner/0"]["results"]["return-code"], 3);
  EXPECT_EQ(doc["actioner/0"]["results"].value("stderr", ""), "oops\n");

  // An unknown unit: Juju 3's exit 0 with nothing on stdout (jubilant's ValueError).
  r = cluster_.Skein({"exec", "--format", "json", "--unit", "actioner/7", "--", "true"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("unit \"actioner/7\" not found"), std::string::npos) << r.err;

  // --machine runs on the machine, keyed by its id; a machine the model lacks is refused plainly
  // (a CLIError for jubilant, not a task failure).
  r = cluster_.Skein({"exec", "--format", "json", "--machine", "0", "--", "true"});
  EXPECT_EQ(r.code, 0) << r.err;
  json on_machine = json::parse(r.out, nullptr, false);
  EXPECT_EQ(on_machine["0"]["machine"], "0") << r.out;
  EXPECT_EQ(on_machine["0"]["results"]["return-code"], 0) << r.out;
  r = cluster_.Skein({"exec", "--format", "json", "--machine", "5", "--", "true"});
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.find("task failed"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("timed out"), std::string::npos) << r.err;

  // show-task shows an exec task.
  r = cluster_.Skein({"show-task", exec_id, "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json shown = json::parse(r.out, nullptr, false);
  EXPECT_EQ(shown.value("status", ""), "completed") << r.out;
  EXPECT_EQ(shown["results"].value("stdout", ""), "bar baz\n");

  Ok({"kill-controller", "--no-prompt"});
}

// An exec runs between hooks: while config-changed is held running, the exec waits (and --wait
// runs out with Juju's words); once the hook ends, the exec runs, after it.
TEST_F(ExecTest, ExecWaitsForARunningHook) {
  ASSERT_NO_FATAL_FAILURE(Deploy());
  const std::string fifo = cluster_.scratch_dir() + "/hold";
  // In the scratch dir, which units under uids of their own share (harness.h).
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0666), 0);
  ::chmod(fifo.c_str(), 0666);
  Ok({"config", "actioner", "hold-config-changed=" + fifo});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return AgentStatus(s, "actioner/0") == "executing" &&
           AgentMessage(s, "actioner/0").find("config-changed") != std::string::npos;
  })) << "config-changed never started";

  CliResult r = cluster_.Skein({"exec", "--format", "json", "--unit", "actioner/0", "--wait", "2s", "--",
                                "echo exec >> " + fifo + ".log"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("timed out waiting for results from: unit actioner/0"), std::string::npos) << r.err;
  size_t at = r.err.find("  - task ");
  ASSERT_NE(at, std::string::npos) << r.err;
  std::string id = r.err.substr(at + 9, r.err.find(' ', at + 9) - at - 9);
  r = cluster_.Skein({"show-task", id, "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out, nullptr, false).value("status", ""), "pending") << r.out;

  {
    std::ofstream release(fifo);
    release << "go\n";
  }
  r = cluster_.Skein({"show-task", id, "--format", "json", "--wait", "60s"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out, nullptr, false).value("status", ""), "completed") << r.out;
  EXPECT_EQ(ReadLines(fifo + ".log"), (std::vector<std::string>{"config-changed released", "exec"}));

  Ok({"kill-controller", "--no-prompt"});
}

TEST_F(ExecTest, SshAndScpWorkLocallyInTheUnitsDirectory) {
  ASSERT_NO_FATAL_FAILURE(Deploy());
  const std::string unit_dir = cluster_.AgentDir("actioner/0");

  // stdin passes through (jubilant's `ssh unit cat` with stdin `foo`).
  CliResult r = cluster_.SkeinWithInput({"ssh", "actioner/0", "cat"}, "foo");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "foo");
  // Flags end at the target; OpenSSH options before the command are ignored with a warning.
  r = cluster_.Skein({"ssh", "--no-host-key-checks", "actioner/0", "-i", "/no/key", "-o", "X=Y", "pwd"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, unit_dir + "\n");
  EXPECT_NE(r.err.find("WARNING ssh options ignored"), std::string::npos) << r.err;
  r = cluster_.Skein({"ssh", "actioner/0", "echo", "a", "b"});
  EXPECT_EQ(r.out, "a b\n");
  // The exit code is the command's.
  r = cluster_.Skein({"ssh", "actioner/0", "exit 7"});
  EXPECT_EQ(r.code, 7) << r.err;
  // A machine number runs in the machine's directory.
  r = cluster_.Skein({"ssh", "0", "pwd"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, cluster_.data_dir() + "/machine-0\n");
  r = cluster_.Skein({"ssh", "actioner/0"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("interactive shells are not supported"), std::string::npos) << r.err;

  // scp both ways; relative remote paths are under the unit's directory.
  const std::string up = cluster_.scratch_dir() + "/up.txt";
  std::ofstream(up) << "hello\n";
  r = cluster_.Skein({"scp", "--", up, "actioner/0:up.txt"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadLines(unit_dir + "/up.txt"), std::vector<std::string>{"hello"});
  struct stat dir_st {}, file_st {};
  ASSERT_EQ(::stat(unit_dir.c_str(), &dir_st), 0);
  ASSERT_EQ(::stat((unit_dir + "/up.txt").c_str(), &file_st), 0);
  EXPECT_EQ(file_st.st_uid, dir_st.st_uid) << "what is copied to a unit is the unit's";
  r = cluster_.Skein({"ssh", "actioner/0", "cat", "up.txt"});
  EXPECT_EQ(r.out, "hello\n");

  const std::string down = cluster_.scratch_dir() + "/metadata.yaml";
  r = cluster_.Skein({"scp", "actioner/0:charm/metadata.yaml", down});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadLines(down), ReadLines(unit_dir + "/charm/metadata.yaml"));
  EXPECT_FALSE(ReadLines(down).empty());

  r = cluster_.Skein({"scp", "--", "actioner/0:charm/hooks", cluster_.scratch_dir() + "/hooks"});
  EXPECT_EQ(r.code, 1) << "a directory needs -r";
  r = cluster_.Skein({"scp", "--", "-r", "-C", "actioner/0:charm/hooks", cluster_.scratch_dir() + "/hooks"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadLines(cluster_.scratch_dir() + "/hooks/config-changed"),
            ReadLines(unit_dir + "/charm/hooks/config-changed"));

  Ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::e2e
