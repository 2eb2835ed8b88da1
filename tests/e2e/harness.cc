#include "tests/e2e/harness.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"
#include "lib/base/names.h"
#include "lib/base/paths.h"
#include "lib/base/runtime_dir.h"
#include "lib/base/clock.h"
#include "lib/process/subprocess.h"
#include "tests/scoped_env.h"
#include "tools/cli/client/client_store.h"
#include "tools/cli/client/connection.h"
#include "tools/cli/client/model_ref.h"
#include "tools/cli/client/status_wait.h"
#include "tools/cli/output/status_json.h"

namespace skein::e2e {
namespace fs = std::filesystem;

namespace {

std::string SelfDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  buf[n > 0 ? n : 0] = '\0';
  return fs::path(buf).parent_path().string();
}

const nlohmann::json* FindUnit(const nlohmann::json& status, const std::string& unit) {
  std::string app = unit.substr(0, unit.find('/'));
  if (!status.contains("applications") || !status["applications"].contains(app)) return nullptr;
  const auto& a = status["applications"][app];
  if (!a.contains("units") || !a["units"].contains(unit)) return nullptr;
  return &a["units"][unit];
}

std::string Field(const nlohmann::json& status, const std::string& unit, const char* block, const char* key) {
  const nlohmann::json* u = FindUnit(status, unit);
  if (u == nullptr || !u->contains(block) || !(*u)[block].contains(key)) return "";
  return (*u)[block][key].get<std::string>();
}

// Several units, each under its own uid, append to one test log in the scratch dir: a default
// ACL (rwx for owner, group and others) makes every file created there writable by all of them,
// whatever their umask. (Not sticky: fs.protected_regular would then refuse a unit's O_CREAT of a
// file another unit owns.)
void ShareNewFiles(const std::string& dir) {
  struct Entry {
    uint16_t tag;
    uint16_t perm;
    uint32_t id;
  };
  constexpr uint32_t kVersion = 2;            // POSIX_ACL_XATTR_VERSION
  constexpr uint32_t kUndefined = 0xFFFFFFFF;  // ACL_UNDEFINED_ID
  const Entry entries[] = {{0x01, 7, kUndefined}, {0x04, 7, kUndefined}, {0x20, 7, kUndefined}};  // user, group, other
  std::string value(reinterpret_cast<const char*>(&kVersion), sizeof(kVersion));
  value.append(reinterpret_cast<const char*>(entries), sizeof(entries));
  EXPECT_EQ(::setxattr(dir.c_str(), "system.posix_acl_default", value.data(), value.size(), 0), 0)
      << "cannot set a default ACL on " << dir << ": " << std::strerror(errno);
}

}  // namespace

Cluster::Cluster(const ClusterOptions& options) {
  char tmpl[] = "/tmp/skein-e2e-XXXXXX";
  root_ = mkdtemp(tmpl);
  data_dir_ = root_ + "/data";
  if (options.data_dir_length > data_dir_.size()) {
    data_dir_ = root_ + "/data-" + std::string(options.data_dir_length - data_dir_.size() - 1, 'x');
  }
  scratch_dir_ = root_ + "/scratch";
  runtime_dir_ = root_ + "/run";
  fs::create_directories(data_dir_);
  fs::create_directories(scratch_dir_);
  fs::create_directories(runtime_dir_);
  // Unit agents under uids of their own (bootstrap as root) pass through to their dirs, and the
  // test charms write their logs in the scratch dir, shared like /tmp.
  fs::permissions(root_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  fs::permissions(scratch_dir_, fs::perms::all);
  ShareNewFiles(scratch_dir_);
  fs::permissions(runtime_dir_, fs::perms::owner_all);  // XDG_RUNTIME_DIR must be 0700
}

Cluster::~Cluster() {
  if (fs::exists(data_dir_ + "/controller")) {
    Skein({"kill-controller", "--no-prompt"}, std::chrono::seconds(30));
  }
  // Anything still alive is a bug the test reports; make sure it does not outlive the test.
  for (int pid : ProcessesUsingDataDir()) ::kill(pid, SIGKILL);
  std::error_code ec;
  fs::remove_all(root_, ec);
}

std::string Cluster::BinDir() const { return SelfDir(); }

CliResult Cluster::Skein(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const {
  return RunSkein(args, "", timeout);
}

CliResult Cluster::SkeinWithInput(const std::vector<std::string>& args, const std::string& input,
                                  std::chrono::milliseconds timeout) const {
  const std::string path = scratch_dir_ + "/stdin";
  {
    std::ofstream(path, std::ios::trunc) << input;
  }
  return RunSkein(args, path, timeout);
}

CliResult Cluster::RunSkein(const std::vector<std::string>& args, const std::string& stdin_path,
                            std::chrono::milliseconds timeout) const {
  process::SpawnOptions o;
  o.stdin_path = stdin_path;
  o.argv = {BinDir() + "/skein"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  env["SKEIN_DATA"] = data_dir_;
  env["XDG_RUNTIME_DIR"] = runtime_dir_;
  env["NO_COLOR"] = "1";
  // kill-controller looks for --service=systemd units there: never in the host's systemd dir.
  env["SKEIN_SYSTEMD_DIR"] = root_ + "/systemd";
  o.env = env;
  auto r = process::Run(o, timeout);
  CliResult out;
  if (!r.ok()) {
    out.err = std::string(r.status().message());
    return out;
  }
  out.code = r->exit_code;
  out.out = r->stdout_text;
  out.err = r->stderr_text;
  out.peak_rss_kib = r->peak_rss_kib;
  return out;
}

nlohmann::json Cluster::Status() const {
  CliResult r = Skein({"status", "--format", "json"});
  EXPECT_EQ(r.code, 0) << r.err;
  auto parsed = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << "status is not JSON: " << r.out;
  return parsed.is_discarded() ? nlohmann::json::object() : parsed;
}

bool Cluster::WaitForStatus(const std::function<bool(const nlohmann::json&)>& ready,
                            std::chrono::milliseconds deadline) const {
  // Follows the current model's WatchStatus stream (what `skein wait-for` reads), each message
  // seen as `skein status --format json` shows it.
  Clock& clock = RealClock();
  auto config = cli::client::LoadClientConfig(data_dir_);
  absl::StatusOr<cli::client::Target> target =
      config.ok() ? cli::client::ResolveTarget(*config, "") : absl::StatusOr<cli::client::Target>(config.status());
  if (!target.ok()) {
    ADD_FAILURE() << target.status();
    return false;
  }
  cli::client::Connection connection(data_dir_, target->controller_name, target->controller);
  nlohmann::json last;
  auto waited = cli::client::WaitForStatus(connection, clock, target->model, deadline, [&](const v1::ModelStatus& s) {
    last = cli::output::StatusToJson(s, target->controller_name);
    return ready(last) ? cli::client::StatusCheck::kHolds : cli::client::StatusCheck::kNotYet;
  });
  if (!waited.ok()) {
    std::cerr << "waiting on the status stream failed: " << waited.status() << "\n";
  } else if (waited->end == cli::client::StatusWaitEnd::kHeld) {
    return true;
  }
  std::cerr << "condition not met before the deadline; last status:\n" << last.dump(2) << "\n";
  return false;
}

std::vector<int> Cluster::ProcessesUsingDataDir() const {
  std::vector<int> pids;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    int pid = std::stoi(name);
    if (pid == ::getpid() || !process::IsAlive(pid)) continue;
    std::ifstream f(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::error_code ec;
    std::string cwd = fs::read_symlink(entry.path() / "cwd", ec).string();
    if (cmdline.find(data_dir_) != std::string::npos || (!ec && cwd.rfind(data_dir_, 0) == 0)) {
      pids.push_back(pid);
    }
  }
  return pids;
}

std::vector<std::string> Cluster::SocketsUnderDataDir() const {
  std::vector<std::string> sockets;
  for (const std::string& dir : {data_dir_, runtime_dir_}) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_socket(ec)) sockets.push_back(it->path().string());
    }
  }
  return sockets;
}

std::string Cluster::ModelUuid(const std::string& model) const {
  CliResult r = Skein({"models", "--format", "json"});
  nlohmann::json models = nlohmann::json::parse(r.out, nullptr, false);
  if (r.code != 0 || !models.is_object() || !models.contains("models")) return "";
  std::string name = model.empty() ? models.value("current-model", "") : model;
  if (auto slash = name.find('/'); slash != std::string::npos) name = name.substr(slash + 1);  // `admin/m`
  for (const auto& m : models["models"]) {
    if (m.value("short-name", "") == name) return m.value("model-uuid", "");
  }
  return "";
}

std::string Cluster::AgentDir(const std::string& unit, const std::string& model) const {
  auto name = ParseUnitName(unit);
  EXPECT_TRUE(name.ok()) << name.status();
  std::string uuid = ModelUuid(model);
  EXPECT_FALSE(uuid.empty()) << "no model " << (model.empty() ? "(current)" : model);
  return name.ok() ? UnitAgentDir(data_dir_ + "/machine-0/agents", uuid, *name) : "";
}

std::string Cluster::AgentSocket(const std::string& unit, const std::string& model) const {
  const std::string dir = AgentDir(unit, model);
  const std::string uuid = ModelUuid(model);
  // A unit under a uid of its own (privilege separation) keeps its socket in /tmp/skein-<uid>.
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0 && st.st_uid != ::getuid()) {
    return AgentSocketPath(UnitRuntimeDirOfUid(st.st_uid, dir, uuid, unit));
  }
  // The path depends on XDG_RUNTIME_DIR, which only the cluster's processes have: compute it in
  // their environment (the test is single-threaded here).
  skein::testing::ScopedEnv env("XDG_RUNTIME_DIR", runtime_dir_);
  return AgentSocketPath(UnitRuntimeDir(dir, uuid, unit));
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) lines.push_back(line);
  return lines;
}

std::vector<std::string> HookLogLines(const std::string& path, const std::string& unit, const std::string& hook) {
  std::vector<std::string> out;
  const std::string prefix = unit + " " + hook + " ";
  for (const auto& l : ReadLines(path)) {
    if (l.rfind(prefix, 0) == 0) out.push_back(l.substr(prefix.size()));
  }
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool WaitFor(const std::function<bool()>& ready, std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return ready();
}

std::string WorkloadStatus(const nlohmann::json& s, const std::string& u) {
  return Field(s, u, "workload-status", "current");
}
std::string WorkloadMessage(const nlohmann::json& s, const std::string& u) {
  const nlohmann::json* unit = FindUnit(s, u);
  if (unit == nullptr || !(*unit).contains("workload-status")) return "";
  return (*unit)["workload-status"].value("message", "");
}
std::string AgentStatus(const nlohmann::json& s, const std::string& u) { return Field(s, u, "juju-status", "current"); }
std::string AgentMessage(const nlohmann::json& s, const std::string& u) {
  const nlohmann::json* unit = FindUnit(s, u);
  if (unit == nullptr || !(*unit).contains("juju-status")) return "";
  return (*unit)["juju-status"].value("message", "");
}
bool HasUnit(const nlohmann::json& s, const std::string& u) { return FindUnit(s, u) != nullptr; }
bool HasApplication(const nlohmann::json& s, const std::string& app) {
  return s.contains("applications") && s["applications"].contains(app);
}
bool UnitSettled(const nlohmann::json& s, const std::string& u, const std::string& workload) {
  return WorkloadStatus(s, u) == workload && AgentStatus(s, u) == "idle";
}

bool EveryUnitSettled(const nlohmann::json& status) {
  if (!status.contains("applications") || status["applications"].empty()) return false;
  for (const auto& [name, app] : status["applications"].items()) {
    if (!app.contains("units") || app["units"].empty()) return false;
    for (const auto& [unit, u] : app["units"].items()) {
      if (!UnitSettled(status, unit, "active")) return false;
    }
  }
  return true;
}

std::string MachineAgentStatus(const nlohmann::json& status, const std::string& machine) {
  if (!status.contains("machines") || !status["machines"].contains(machine)) return "";
  return status["machines"][machine]["juju-status"].value("current", "");
}

bool KvAnswered(const nlohmann::json& status, const std::string& request) {
  return UnitSettled(status, "kv-requirer/0", "active") &&
         WorkloadMessage(status, "kv-requirer/0") == "answer: hello " + request &&
         UnitSettled(status, "kv-provider/0", "active");
}

nlohmann::json RemoteAppBag(const Cluster& cluster, const std::string& unit, const std::string& endpoint,
                            const std::string& remote_app) {
  CliResult r = cluster.Skein({"show-unit", unit, "--format", "json"});
  nlohmann::json info = nlohmann::json::parse(r.out, nullptr, false);
  if (r.code != 0 || !info.is_object() || !info.contains(unit)) return nlohmann::json();
  for (const auto& rel : info[unit]["relation-info"]) {
    if (rel.value("endpoint", "") != endpoint) continue;
    for (const auto& [u, d] : rel["related-units"].items()) {
      if (u.rfind(remote_app + "/", 0) == 0) return rel["application-data"];
    }
  }
  return nlohmann::json();
}

std::string TestCharm(const std::string& name) { return std::string(SKEIN_TESTDATA_DIR) + "/charms/" + name; }

}  // namespace skein::e2e
