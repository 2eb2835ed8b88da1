#include "agents/unit/hook/tools/command.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/cord.h"
#include "lib/base/file_read.h"

namespace skein::agent::tools {
namespace {

// A payload key no other status carries, so a HookContext error can never pass for it.
constexpr char kNeedsStdinMessage[] = "hook tool requires stdin, none supplied";
constexpr char kNeedsStdinPayload[] = "skein.hooktool/needs-stdin";

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\n");
  return s.substr(b, e - b + 1);
}

std::string Help(const CommandInfo& info, const FlagSet& flags) {
  std::string out = absl::StrCat("Usage: ", info.name);
  if (!flags.Empty()) out += " [options]";
  if (!info.args.empty()) absl::StrAppend(&out, " ", info.args);
  out += "\n";
  if (!info.purpose.empty()) absl::StrAppend(&out, "\nSummary:\n", Trim(info.purpose), "\n");
  if (!flags.Empty()) absl::StrAppend(&out, "\nOptions:\n", flags.Defaults());
  if (!info.doc.empty()) absl::StrAppend(&out, "\nDetails:\n", Trim(info.doc), "\n");
  if (!info.examples.empty()) absl::StrAppend(&out, "\nExamples:\n", info.examples);
  return out;
}

std::string ErrorLine(const std::string& message) { return absl::StrCat("ERROR ", message, "\n"); }

}  // namespace

std::string RunContext::AbsPath(const std::string& path) const {
  if (!path.empty() && path[0] == '/') return path;
  if (input_.dir.empty()) return path;
  std::string dir = input_.dir;
  if (dir.back() != '/') dir += '/';
  return dir + path;
}

absl::Status Command::Init(const std::vector<std::string>& args) { return CheckEmpty(args); }

ToolResult RunCommand(Command& command, const ToolInput& input) {
  ToolResult result;
  FlagSet flags;
  command.SetFlags(flags);
  FlagSet::Result parsed = flags.Parse(input.args);
  if (parsed.outcome == FlagSet::Outcome::kHelp) {
    result.out = Help(command.Info(), flags);
    return result;
  }
  if (parsed.outcome == FlagSet::Outcome::kError) {
    result.code = 2;
    result.err = ErrorLine(parsed.error);
    return result;
  }
  if (absl::Status s = command.Init(flags.Args()); !s.ok()) {
    result.code = 2;
    result.err = ErrorLine(std::string(s.message()));
    return result;
  }
  RunContext ctx(input);
  absl::Status s = command.Run(ctx);
  if (IsNeedsStdin(s)) {
    // Whatever the tool printed so far is dropped: it runs again from the start with stdin.
    ToolResult again;
    again.needs_stdin = true;
    return again;
  }
  result.out = std::move(ctx.out());
  result.err = std::move(ctx.err());
  if (!s.ok()) {
    result.code = 1;
    result.err += ErrorLine(std::string(s.message()));
  }
  return result;
}

absl::Status NeedsStdin() {
  absl::Status s = absl::FailedPreconditionError(kNeedsStdinMessage);
  s.SetPayload(kNeedsStdinPayload, absl::Cord("1"));
  return s;
}

bool IsNeedsStdin(const absl::Status& status) { return status.GetPayload(kNeedsStdinPayload).has_value(); }

absl::Status CheckEmpty(const std::vector<std::string>& args) {
  if (args.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("unrecognized args: ", GoQuoteList(args)));
}

std::string Message(const absl::Status& status) { return std::string(status.message()); }

absl::Status ReadWholeFile(const std::string& path, std::string* out) {
  // Pipes and devices are fine (`--file /dev/stdin`), but never more than a YAML input's cap.
  absl::StatusOr<std::string> content = ReadFileCapped(path, limits::kYamlInput, FileKinds::kAnyReadable);
  if (!content.ok()) return content.status();
  *out = std::move(*content);
  return absl::OkStatus();
}

}  // namespace skein::agent::tools
