// debug-log: replays (and optionally follows) the model's log entries.

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/log_line.h"

namespace skein::cli::commands {
namespace {

class DebugLogCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"debug-log",
            "",
            "Displays log messages for a model.",
            "Prints the last --lines (10) log lines of the model, then follows new ones when stdout\n"
            "is a terminal or --tail is given; --no-tail (or a pipe) prints and exits. --replay\n"
            "prints every stored line; --limit N prints the last N lines and exits (--limit 0: all).\n\n"
            "-i/--include and -x/--exclude take entities: a unit (mysql/0), an application (mysql),\n"
            "a machine (0) or a tag (unit-mysql-0); options of the same kind are ORed, kinds ANDed.\n"
            "--level sets the minimum level: TRACE, DEBUG, INFO, WARNING or ERROR.\n\n"
            "Lines look like `<entity>: <HH:MM:SS> <LEVEL> <module> <message>`; times are UTC.\n",
            "    skein debug-log --replay --no-tail\n    skein debug-log -i mysql/0 -l WARNING\n",
            {},
            {"status"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.Strings("-i,--include", &include_, "Only show log messages for these entities");
    f.Strings("-x,--exclude", &exclude_, "Do not show log messages for these entities");
    f.String("-l,--level", &level_, "Log level to show, one of [TRACE, DEBUG, INFO, WARNING, ERROR]");
    f.Int("-n,--lines", &lines_, "Show this many of the most recent (possibly filtered) lines, and continue to append");
    f.String("--limit", &limit_text_, "Exit once this many of the most recent (possibly filtered) lines are shown");
    f.Bool("--replay", &replay_, "Show the entire (possibly filtered) log and continue to append");
    f.Bool("--tail", &tail_, "Wait for new logs");
    f.Bool("--no-tail", &no_tail_, "Stop after returning existing log messages");
    f.Bool("--color", &color_, "Force use of ANSI color codes");
    f.Bool("--no-color", &no_color_, "Disable ANSI color codes");
    f.Ignored("--include-module", true, "Only show log messages for these logging modules");
    f.Ignored("--exclude-module", true, "Do not show log messages for these logging modules");
    f.Ignored("--date", false, "Show dates as well as times");
    f.Ignored("--ms", false, "Show times to millisecond precision");
    f.Ignored("--utc", false, "Show times in UTC (skein always does)");
    f.Ignored("--location", false, "Show filename and line numbers");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckNoExtraArgs(args, 0); !s.ok()) return s;
    if (!level_.empty()) {
      level_ = absl::AsciiStrToUpper(level_);
      const auto& levels = output::LogLevels();
      if (std::find(levels.begin(), levels.end(), level_) == levels.end()) {
        return UsageError(absl::StrCat("level value \"", level_,
                                       "\" is not one of \"TRACE\", \"DEBUG\", \"INFO\", \"WARNING\", \"ERROR\""));
      }
    }
    if (lines_ < 0) return UsageError("-n/--lines must be a positive number");
    if (!limit_text_.empty()) {
      try {
        size_t used = 0;
        limit_ = std::stoi(limit_text_, &used);
        if (used != limit_text_.size() || limit_ < 0) throw std::invalid_argument("limit");
      } catch (const std::exception&) {
        return UsageError(absl::StrCat("invalid value \"", limit_text_, "\" for option --limit: expected an integer"));
      }
    }
    if (tail_ && no_tail_) return UsageError("setting --tail and --no-tail is not allowed");
    if (color_ && no_color_) return UsageError("cannot mix --no-color and --color");
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    skein::v1::DebugLogRequest req;
    req.set_model(session->model());
    bool follow = tail_ || (!no_tail_ && env.stdout_tty);
    int lines = replay_ ? -1 : lines_;
    if (!limit_text_.empty()) {
      // jubilant's debug_log(limit=0) means "all lines"; a limit always prints and exits.
      lines = limit_ == 0 ? -1 : limit_;
      follow = false;
    }
    req.set_lines(lines);
    req.set_follow(follow);
    for (const auto& i : include_) req.add_include(i);
    for (const auto& x : exclude_) req.add_exclude(x);
    req.set_level(level_);
    grpc::ClientContext ctx;
    // A followed stream lives until interrupted; a replay gets the usual deadline.
    session->connection->Prepare(&ctx, follow ? std::chrono::milliseconds(0) : rpc::kDefaultDeadline);
    auto reader = session->connection->stub().DebugLog(&ctx, req);
    bool color = color_ || (env.ColorStdout() && !no_color_);
    skein::v1::LogEntry entry;
    while (reader->Read(&entry)) *env.out << output::FormatLogLine(entry, color) << std::flush;
    grpc::Status s = reader->Finish();
    if (!s.ok()) return session->connection->Error(s);
    return absl::OkStatus();
  }

 private:
  std::string model_;
  std::vector<std::string> include_;
  std::vector<std::string> exclude_;
  std::string level_;
  int lines_ = 10;
  std::string limit_text_;
  int limit_ = 0;
  bool replay_ = false;
  bool tail_ = false;
  bool no_tail_ = false;
  bool color_ = false;
  bool no_color_ = false;
};

}  // namespace

std::unique_ptr<Command> NewDebugLogCommand() { return std::make_unique<DebugLogCommand>(); }

}  // namespace skein::cli::commands
