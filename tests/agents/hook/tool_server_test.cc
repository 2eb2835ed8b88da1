// The hook-tool wire end to end: a ToolServer on a temp socket with a fake context, and the real
// skein-hook-tool binary run through its bin/hook-tools/<name> symlinks from a shell, as a hook
// would run it.

#include "agents/unit/hook/tools/tool_server.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/base/paths.h"
#include "lib/process/subprocess.h"
#include "lib/rpc/framing.h"
#include "skein/v1/hooktool.pb.h"
#include "tests/agents/hook/fake_hook_context.h"

namespace skein::agent::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

class ToolServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/skein-ts-XXXXXX";  // short: unix socket paths are limited
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    socket_ = dir_ + "/agent.socket";
    ctx_.AddRelation(1, "db", "mysql", {"mysql/0"}).bags["mysql/0"] = {{"host", "10.0.0.1"}};
    ctx_.SetHookRelation(1, "mysql/0", "mysql");
    auto server = ToolServer::Start(socket_, [this](const std::string& id) -> HookContext* {
      return id == "wordpress/0-db-relation-changed-1" ? &ctx_ : nullptr;
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  void TearDown() override {
    if (server_) server_->Stop();
    std::system(("rm -rf " + dir_).c_str());
  }

  // Runs `script` with /bin/sh in the temp dir, with the hook-tool links first on PATH.
  process::RunResult Shell(const std::string& script, const std::string& context_id = "wordpress/0-db-relation-changed-1") {
    process::SpawnOptions opts;
    opts.argv = {"/bin/sh", "-c", script};
    opts.env = std::map<std::string, std::string>{
        {"PATH", ExecutableDir() + "/hook-tools:/usr/bin:/bin"},
        {"JUJU_CONTEXT_ID", context_id},
        {"JUJU_AGENT_SOCKET_ADDRESS", socket_},
    };
    opts.cwd = dir_;
    auto r = process::Run(opts, std::chrono::seconds(20));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : process::RunResult{};
  }

  FakeHookContext ctx_{"wordpress/0", "db-relation-changed"};
  std::string dir_;
  std::string socket_;
  std::unique_ptr<ToolServer> server_;
};

TEST_F(ToolServerTest, ToolsRunThroughTheSocket) {
  process::RunResult r = Shell("relation-get --format=json -r db:1 - mysql/0");
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "{\"host\":\"10.0.0.1\"}\n");
  EXPECT_EQ(r.stderr_text, "");
  r = Shell("is-leader");
  EXPECT_EQ(r.stdout_text, "True\n");
}

TEST_F(ToolServerTest, StdinIsSentWhenTheToolAsksForIt) {
  process::RunResult r = Shell("echo '{\"a\":\"b\"}' | relation-set --file -");
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_THAT(ctx_.unit_writes[1], ElementsAre(Pair("a", "b")));
  r = Shell("printf 'k: v\\n' | relation-set -r 1 --file - x=y");
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_THAT(ctx_.unit_writes[1], ElementsAre(Pair("a", "b"), Pair("k", "v"), Pair("x", "y")));
}

TEST_F(ToolServerTest, ToolsThatDoNotNeedStdinNeverReadIt) {
  // Stdin is a FIFO nobody will ever write or close: reading it would hang until the timeout.
  process::RunResult r = Shell("mkfifo never && exec 3<>never && is-leader <&3 && relation-list <&3");
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "True\nmysql/0\n");
}

TEST_F(ToolServerTest, ExitCodesAndStderrPassThrough) {
  process::RunResult r = Shell("status-set bogus");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_text, "ERROR invalid status \"bogus\", expected one of [maintenance blocked waiting active]\n");
  r = Shell("relation-get -r db:9");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.stderr_text, "ERROR invalid value \"db:9\" for option -r: relation not found\n");
  ctx_.leader = false;
  r = Shell("status-set --application=True active -- ok");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_text, "ERROR this unit is not the leader\n");
  r = Shell("relation-get --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.stdout_text, HasSubstr("Usage: relation-get [options]"));
}

TEST_F(ToolServerTest, WrongContextId) {
  process::RunResult r = Shell("is-leader", "someone-else");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stdout_text, "");
  EXPECT_EQ(r.stderr_text, "ERROR bad request: wrong context ID\n");
}

TEST_F(ToolServerTest, MulticallNameAsFirstArgument) {
  process::RunResult r = Shell("\"" + ExecutableDir() + "/skein-hook-tool\" relation-list --format=json");
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "[\"mysql/0\"]\n");
  r = Shell("\"" + ExecutableDir() + "/skein-hook-tool\" frobnicate");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_text, "ERROR unknown command \"frobnicate\"\n");
}

TEST_F(ToolServerTest, MissingEnvironmentAndMissingAgent) {
  process::RunResult r = Shell("unset JUJU_CONTEXT_ID; is-leader");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_text, "ERROR JUJU_CONTEXT_ID not set\n");
  r = Shell("unset JUJU_AGENT_SOCKET_ADDRESS; is-leader");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.stderr_text, "ERROR JUJU_AGENT_SOCKET_ADDRESS not set\n");
  server_->Stop();
  r = Shell("is-leader");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_text, HasSubstr("ERROR cannot connect to the unit agent"));
}

TEST_F(ToolServerTest, StopUnlinksTheSocketAndIsIdempotent) {
  struct stat st;
  ASSERT_EQ(stat(socket_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  server_->Stop();
  server_->Stop();
  EXPECT_NE(stat(socket_.c_str(), &st), 0);
}

TEST_F(ToolServerTest, StartReplacesAStaleSocket) {
  server_.reset();
  // A socket file left by a dead agent: bound, never unlinked.
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", socket_.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  close(fd);
  auto server = ToolServer::Start(socket_, [this](const std::string&) -> HookContext* { return &ctx_; });
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = std::move(*server);
  EXPECT_EQ(Shell("is-leader").stdout_text, "True\n");
}

TEST_F(ToolServerTest, RawProtocolLazyStdinAndBadRequests) {
  auto call = [&](const v1::ToolRequest& req) {
    int fd = -1;
    EXPECT_TRUE(rpc::ConnectUnix(socket_, &fd).ok());
    EXPECT_TRUE(rpc::WriteFrame(fd, req).ok());
    v1::ToolResponse resp;
    EXPECT_TRUE(rpc::ReadFrame(fd, &resp).ok());
    close(fd);
    return resp;
  };
  v1::ToolRequest req;
  req.set_context_id("wordpress/0-db-relation-changed-1");
  req.set_dir("/");
  req.set_command("relation-set");
  req.add_args("--file");
  req.add_args("-");
  v1::ToolResponse resp = call(req);
  EXPECT_TRUE(resp.needs_stdin());
  req.set_stdin_set(true);
  req.set_stdin("q: r\n");
  resp = call(req);
  EXPECT_FALSE(resp.needs_stdin());
  EXPECT_EQ(resp.code(), 0) << resp.stderr();
  EXPECT_THAT(ctx_.unit_writes[1], ElementsAre(Pair("q", "r")));

  req.set_dir("relative");
  resp = call(req);
  EXPECT_EQ(resp.code(), 1);
  EXPECT_EQ(resp.stderr(), "ERROR bad request: Dir is not absolute\n");
  req.set_dir("/");
  req.set_command("");
  resp = call(req);
  EXPECT_EQ(resp.stderr(), "ERROR bad request: command not specified\n");
}

TEST(ToolNamesTest, SymlinksMatchToolNames) {
  // bin/hook-tools is made at build time from tool_names.cmake; it must list exactly ToolNames().
  std::string links = ExecutableDir() + "/hook-tools";
  DIR* d = opendir(links.c_str());
  ASSERT_NE(d, nullptr) << links;
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    names.push_back(name);
    char target[4096];
    ssize_t n = readlink((links + "/" + name).c_str(), target, sizeof(target));
    ASSERT_GT(n, 0) << name;
    EXPECT_EQ(std::string(target, static_cast<size_t>(n)), "../skein-hook-tool") << name;
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, ToolNames());
}

}  // namespace
}  // namespace skein::agent::testing
