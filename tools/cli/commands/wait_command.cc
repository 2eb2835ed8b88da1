// `skein wait-for`: blocks until the model settles, the answer to the wish users repeat most
// ("tell me when it is done", cli-and-ux §2.1). Progress goes to stderr, one line whenever the
// picture changes; the exit code says how it ended (0 settled, 1 error or timeout). The model's
// status comes from the controller's WatchStatus stream as it changes: no polling.

#include <chrono>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/base/duration.h"
#include "tools/cli/client/status_wait.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/commands/settle.h"

namespace skein::cli::commands {

std::string SettleReport::Summary() const {
  std::string line = absl::StrCat(settled, "/", units, " units settled");
  if (!pending.empty()) {
    std::vector<std::string> shown(pending.begin(), pending.begin() + std::min<size_t>(pending.size(), 3));
    absl::StrAppend(&line, "; waiting for ", absl::StrJoin(shown, ", "));
    if (pending.size() > 3) absl::StrAppend(&line, " and ", pending.size() - 3, " more");
  }
  return line;
}

SettleReport EvaluateSettled(const skein::v1::ModelStatus& status, const std::set<std::string>& workloads,
                             const std::set<std::string>& applications) {
  SettleReport report;
  // A machine whose agent is not connected (after a controller restart, until it dials in
  // again) cannot start or stop its units: what its units show may be stale.
  std::map<std::string, std::string> machine_agents;
  for (const auto& m : status.machines()) machine_agents[m.id()] = m.agent_status().current();
  for (const auto& app : status.applications()) {
    if (!applications.empty() && applications.count(app.name()) == 0) continue;
    for (const auto& unit : app.units()) {
      ++report.units;
      const std::string& agent = unit.agent_status().current();
      const std::string& workload = unit.workload_status().current();
      if (agent == "error") {
        report.errors.push_back(absl::StrCat(unit.name(), ": ", unit.agent_status().message()));
        continue;
      }
      // What a unit whose agent is lost shows was true when its agent last spoke (issue 14).
      if (agent == "lost") {
        report.pending.push_back(absl::StrCat(unit.name(), " ", workload, " (agent lost)"));
        continue;
      }
      auto machine = machine_agents.find(unit.machine());
      if (machine != machine_agents.end() && machine->second != "started") {
        report.pending.push_back(
            absl::StrCat(unit.name(), " ", workload, " (machine ", unit.machine(), " agent ", machine->second, ")"));
        continue;
      }
      // Just after a refresh a unit may still be idle on its old charm: it has not settled until
      // it reports the application's charm (units report the charm they run with each hook).
      if (!unit.charm_url().empty() && !app.charm_url().empty() && unit.charm_url() != app.charm_url()) {
        report.pending.push_back(absl::StrCat(unit.name(), " ", workload, " (upgrading from ", unit.charm_url(), ")"));
        continue;
      }
      // Idle on a snapshot older than the model: a change (config, a relation, ...) has not
      // reached the unit, or the agent has not finished acting on it.
      if (unit.change_pending()) {
        report.pending.push_back(absl::StrCat(unit.name(), " ", workload, " (a change not seen yet)"));
        continue;
      }
      if (agent == "idle" && workloads.count(workload) > 0) {
        ++report.settled;
        continue;
      }
      std::string why = absl::StrCat(unit.name(), " ", workload);
      if (!unit.agent_status().message().empty()) {
        absl::StrAppend(&why, " (", agent, ": ", unit.agent_status().message(), ")");
      } else if (!unit.workload_status().message().empty()) {
        absl::StrAppend(&why, " (", unit.workload_status().message(), ")");
      }
      report.pending.push_back(why);
    }
  }
  return report;
}

absl::Status WaitUntilSettled(Environment& env, Session& session, const SettleOptions& options) {
  Clock& clock = *env.clock;
  const Clock::TimePoint start = clock.Now();
  SettleReport report;
  std::string last_summary;
  auto waited = client::WaitForStatus(
      *session.connection, clock, session.model(), options.timeout, [&](const skein::v1::ModelStatus& status) {
        report = EvaluateSettled(status, options.workloads, options.applications);
        if (!report.errors.empty()) return client::StatusCheck::kFailed;
        std::string summary = report.Summary();
        if (summary != last_summary) {
          *env.err << summary << "\n";
          last_summary = summary;
        }
        return report.Settled() ? client::StatusCheck::kHolds : client::StatusCheck::kNotYet;
      });
  if (!waited.ok()) return waited.status();
  switch (waited->end) {
    case client::StatusWaitEnd::kFailed:
      return absl::FailedPreconditionError(absl::StrCat("model \"", session.model(), "\" cannot settle: ",
                                                        absl::StrJoin(report.errors, "; "),
                                                        "\nSee 'skein debug-log --replay' and 'skein status'."));
    case client::StatusWaitEnd::kTimedOut:
      return absl::DeadlineExceededError(absl::StrCat("timed out after ", FormatDuration(options.timeout),
                                                      " waiting for model \"", session.model(),
                                                      "\" to settle: ", last_summary));
    case client::StatusWaitEnd::kHeld:
      break;
  }
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now() - start);
  *env.err << "Model \"" << session.model() << "\" settled: " << report.units << " units in "
           << FormatDuration(took) << "\n";
  return absl::OkStatus();
}

namespace {

class WaitForCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"wait-for",
            "",
            "Wait until every unit of the model is settled.",
            "A unit is settled when its agent is idle and its workload status is one of --workload\n"
            "(default: active). Waiting ends with exit code 0 when every unit is settled and stays\n"
            "so for 0.1s, and with exit code 1 as soon as a unit's hook fails or when --timeout\n"
            "passes. Progress goes to stderr.\n",
            "    skein wait-for\n    skein wait-for --timeout 10m --workload active,blocked\n",
            {},
            {"status"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.String("--timeout", &timeout_text_, "How long to wait before giving up");
    f.String("--workload", &workloads_text_, "Comma-separated workload statuses that count as settled");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (!args.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("unrecognized args: [\"", absl::StrJoin(args, "\" \""), "\"]"));
    }
    auto timeout = ParseDuration(timeout_text_);
    if (!timeout.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid value \"", timeout_text_, "\" for option --timeout: ", timeout.status().message()));
    }
    timeout_ = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
    for (auto w : absl::StrSplit(workloads_text_, ',', absl::SkipEmpty())) workloads_.insert(std::string(w));
    if (workloads_.empty()) return absl::InvalidArgumentError("--workload needs at least one status");
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    SettleOptions options;
    options.workloads = workloads_;
    options.timeout = timeout_;
    return WaitUntilSettled(env, *session, options);
  }

 private:
  std::string model_;
  std::string timeout_text_ = "10m";
  std::string workloads_text_ = "active";
  std::chrono::milliseconds timeout_{0};
  std::set<std::string> workloads_;
};

}  // namespace

std::unique_ptr<Command> NewWaitForCommand() { return std::make_unique<WaitForCommand>(); }

}  // namespace skein::cli::commands
