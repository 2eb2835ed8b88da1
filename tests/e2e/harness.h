#pragma once

// Drives skein's real binaries as a user would: every command goes through the `skein` CLI in
// a temporary SKEIN_DATA, and conditions on the model are awaited on its status stream (what
// `skein wait-for` follows) with a deadline (never a fixed sleep).

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace skein::e2e {

struct CliResult {
  int code = -1;
  std::string out;
  std::string err;
  long peak_rss_kib = 0;  // the CLI process's VmHWM when it ended
};

struct ClusterOptions {
  // When non-zero, SKEIN_DATA is a path of exactly this many characters (a long one shows that
  // nothing depends on its length, such as unix socket paths).
  size_t data_dir_length = 0;
};

class Cluster {
 public:
  // Creates a fresh temporary SKEIN_DATA, and a private XDG_RUNTIME_DIR for the agents' sockets
  // (lib/base/runtime_dir.h) so that what they leave is the test's to check. The binaries are
  // found next to the test binary.
  Cluster() : Cluster(ClusterOptions{}) {}
  explicit Cluster(const ClusterOptions& options);
  // Kills the controller if a test left it running and removes the temp dir.
  ~Cluster();

  const std::string& data_dir() const { return data_dir_; }
  const std::string& scratch_dir() const { return scratch_dir_; }
  const std::string& runtime_dir() const { return runtime_dir_; }
  std::string BinDir() const;

  // Runs `skein <args>` with SKEIN_DATA set; never blocks longer than `timeout`.
  CliResult Skein(const std::vector<std::string>& args,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
  // The same with `input` on its stdin.
  CliResult SkeinWithInput(const std::vector<std::string>& args, const std::string& input,
                           std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

  // `skein status --format json` parsed (fails the test on a bad exit code or bad JSON).
  nlohmann::json Status() const;

  // Follows the current model's status (WatchStatus, seen as `skein status --format json` shows
  // it) until `ready(status)` has held for 0.1 s; returns false (after printing the last status)
  // when `deadline` passes.
  bool WaitForStatus(const std::function<bool(const nlohmann::json&)>& ready,
                     std::chrono::milliseconds deadline = std::chrono::seconds(60)) const;

  // Pids of live processes whose command line or working directory refers to SKEIN_DATA.
  std::vector<int> ProcessesUsingDataDir() const;
  // Unix sockets left anywhere under SKEIN_DATA or the cluster's runtime dir.
  std::vector<std::string> SocketsUnderDataDir() const;

  // The UUID of `model` (default: the current model) from `skein models`; "" when unknown.
  std::string ModelUuid(const std::string& model = "") const;
  // The agent directory of `unit` of `model` (default: the current model) on machine 0:
  // `machine-0/agents/<model-uuid>/unit-<app>-<n>` (lib/base/paths.h).
  std::string AgentDir(const std::string& unit, const std::string& model = "") const;
  // The hook-tool socket of `unit` of `model`, where its agent puts it: in its runtime dir under
  // the cluster's XDG_RUNTIME_DIR (lib/base/runtime_dir.h).
  std::string AgentSocket(const std::string& unit, const std::string& model = "") const;

 private:
  CliResult RunSkein(const std::vector<std::string>& args, const std::string& stdin_path,
                     std::chrono::milliseconds timeout) const;

  std::string root_;
  std::string data_dir_;
  std::string scratch_dir_;
  std::string runtime_dir_;
};

// Reads a text file's lines (empty when missing).
std::vector<std::string> ReadLines(const std::string& path);
// Reads a whole file ("" when missing).
std::string ReadFile(const std::string& path);
// The log a test charm appends `<unit> <hook> <text>` lines to (secretive, resourceful): the
// text of `unit`'s lines for `hook`, in order.
std::vector<std::string> HookLogLines(const std::string& path, const std::string& unit, const std::string& hook);

// Checks `ready` every 50 ms until it holds or `deadline` passes (for conditions outside the
// model's status, such as a charm's log file).
bool WaitFor(const std::function<bool()>& ready, std::chrono::milliseconds deadline = std::chrono::seconds(60));

// Status helpers. Each returns "" / false when the entity is missing.
std::string WorkloadStatus(const nlohmann::json& status, const std::string& unit);
std::string WorkloadMessage(const nlohmann::json& status, const std::string& unit);
std::string AgentStatus(const nlohmann::json& status, const std::string& unit);
std::string AgentMessage(const nlohmann::json& status, const std::string& unit);
bool HasUnit(const nlohmann::json& status, const std::string& unit);
bool HasApplication(const nlohmann::json& status, const std::string& app);
// True when the unit's workload is `workload` and its agent is idle.
bool UnitSettled(const nlohmann::json& status, const std::string& unit, const std::string& workload);

// True when the model has applications and every unit of every one is active and idle.
bool EveryUnitSettled(const nlohmann::json& status);

// The agent status of `machine` (`started`, `pending`, `down`).
std::string MachineAgentStatus(const nlohmann::json& status, const std::string& machine);
// The kv-provider and kv-requirer test charms, related: both settled and the requirer shows the
// provider's answer to its `request` option (`answer: hello <request>`).
bool KvAnswered(const nlohmann::json& status, const std::string& request);

// The remote application's bag as `unit` sees it on its relation over `endpoint` with
// `remote_app`, read through `skein show-unit` (null when there is no such relation).
nlohmann::json RemoteAppBag(const Cluster& cluster, const std::string& unit, const std::string& endpoint,
                            const std::string& remote_app);

// Path of a test charm under tests/testdata/charms.
std::string TestCharm(const std::string& name);

}  // namespace skein::e2e
