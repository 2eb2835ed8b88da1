// libFuzzer target: hook-tool command lines as the unit agent's tool server runs them
// (agents/unit/hook/tool.h RunTool): Juju's gnuflag parsing, each tool's checks of its
// positionals and values, and its work against an in-memory hook context.
//
// Input: NUL-separated fields. The first byte of the first field picks the tool (every tool
// RunTool knows, in order); the other fields are its arguments; the last field is also its
// stdin. Tools may write `-o`/`--output` files and read `--file` files: relative to a private
// scratch directory, and arguments that could name a path outside it (absolute, `..`, or a flag
// with a `/` in its value) are left out, so that the fuzzer never touches the machine's files.

#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <system_error>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "agents/unit/hook/tool.h"
#include "tests/agents/hook/fake_hook_context.h"

namespace {

bool StaysInScratch(const std::string& arg) {
  if (arg.find('/') == std::string::npos) return true;
  return arg[0] != '/' && arg[0] != '-' && !absl::StrContains(arg, "..");
}

const std::string& ScratchDir() {
  // Never destroyed, so that the exit handler below can still read it.
  static const std::string* const dir = [] {
    std::string pattern = "/tmp/skein-hook-tool-fuzz-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) abort();
    return new std::string(pattern);
  }();
  static const bool cleanup_registered = [] {
    // libFuzzer ends with exit(): the directory and what the tools wrote into it go with it.
    return std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(*dir, ignored);
    }) == 0;
  }();
  (void)cleanup_registered;
  return *dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::vector<std::string>& names = skein::agent::ToolNames();
  const std::string& command = names[data[0] % names.size()];
  std::vector<std::string> fields =
      absl::StrSplit(absl::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), absl::ByChar(0));
  skein::agent::ToolInput input;
  input.dir = ScratchDir();
  for (const std::string& field : fields) {
    if (!StaysInScratch(field)) return 0;
  }
  input.args = fields;
  input.stdin_data = fields.back();

  // A unit in a relation-changed hook with a peer and a regular relation, config and leadership:
  // enough for every tool to get past its lookups.
  skein::agent::testing::FakeHookContext ctx("mysql/0", "db-relation-changed");
  auto& db = ctx.AddRelation(1, "db", "wordpress", {"wordpress/0", "wordpress/1"});
  db.bags["wordpress/0"] = {{"host", "127.0.0.1"}};
  db.bags["wordpress"] = {{"database", "wp"}};
  ctx.AddRelation(2, "cluster", "mysql", {"mysql/1"}, /*peer=*/true);
  ctx.SetHookRelation(1, "wordpress/0", "wordpress");
  ctx.config = {{"port", 3306}, {"name", "db"}, {"debug", false}};
  skein::agent::ToolResult result = skein::agent::RunTool(ctx, command, input);
  (void)result;
  return 0;
}
