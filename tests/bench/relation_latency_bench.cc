// Benchmark: delay from a relation-set commit on one unit to the start of -relation-changed on
// the other (issue acceptance: p99 under 20 ms on this machine).
//
// Real binaries throughout: `skein bootstrap`, a real controller, machine agent and unit agents.
// The benchmark then speaks for unit A itself, with A's own credential from its agent.conf, so
// that it knows the exact moment each CommitHook is sent (t0). Unit B runs the latency-probe
// charm, whose -relation-changed hook takes `date +%s%N` as its first command (t1). The delay
// is t1 - t0: commit transaction (fsync), controller notification, snapshot stream, B's
// resolver, hook spawn and the shell starting `date`.
//
// A second figure leaves out the shell: B's agent logs `running <hook>` with a microsecond
// timestamp as it spawns the hook, and the benchmark reads those entries back with the
// controller's DebugLog call. That is the control plane's own part: commit -> hook spawn.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "lib/rpc/auth.h"
#include "lib/rpc/status_convert.h"
#include "skein/v1/agent.grpc.pb.h"
#include "skein/v1/controller.grpc.pb.h"
#include "tests/e2e/harness.h"
#include "yaml-cpp/yaml.h"

namespace {

using skein::e2e::Cluster;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Must(const skein::e2e::CliResult& r, const char* what) {
  if (r.code != 0) {
    std::cerr << "bench: " << what << " failed: " << r.err << r.out << "\n";
    return false;
  }
  return true;
}

// Waits for the probe log to contain `seq`; returns the recorded start time (ns) or -1.
int64_t WaitForProbe(const std::string& log, int64_t seq, std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream f(log);
    int64_t s, t;
    while (f >> s >> t) {
      if (s == seq) return t;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return -1;
}

// Nanoseconds since the epoch of an RFC 3339 UTC time with microseconds (`...T21:32:56.123456Z`).
int64_t ParseMicros(const std::string& ts) {
  std::tm tm{};
  const char* rest = strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return -1;
  int64_t micros = 0;
  if (*rest == '.') micros = std::atoll(rest + 1);
  return (static_cast<int64_t>(timegm(&tm)) * 1000000 + micros) * 1000;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = argc > 1 ? std::atoi(argv[1]) : 300;
  Cluster cluster;
  const std::string probe_log = cluster.scratch_dir() + "/probe.log";
  if (!Must(cluster.Skein({"bootstrap"}), "bootstrap") || !Must(cluster.Skein({"add-model", "bench"}), "add-model") ||
      !Must(cluster.Skein({"deploy", skein::e2e::TestCharm("latency-probe"), "--config", "log-path=" + probe_log}),
            "deploy probe") ||
      !Must(cluster.Skein({"deploy", skein::e2e::TestCharm("latency-driver")}), "deploy driver") ||
      !Must(cluster.Skein({"integrate", "latency-probe", "latency-driver"}), "integrate")) {
    return 1;
  }
  bool settled = cluster.WaitForStatus([](const nlohmann::json& s) {
    return skein::e2e::UnitSettled(s, "latency-probe/0", "active") &&
           skein::e2e::AgentStatus(s, "latency-driver/0") == "idle" && s["applications"]["latency-probe"].contains("relations");
  });
  if (!settled) return 1;

  // Speak as unit A with its own credential.
  YAML::Node conf = YAML::LoadFile(cluster.AgentDir("latency-driver/0") + "/agent.conf");
  skein::rpc::Identity id{conf["entity"].as<std::string>(), conf["credential"].as<std::string>()};
  auto stub = skein::v1::Agent::NewStub(
      skein::rpc::MakeChannel(conf["controller"].as<std::string>(), conf["ca-cert"].as<std::string>()));
  grpc::ClientContext login_ctx;
  skein::rpc::PrepareContext(&login_ctx, id, skein::rpc::kDefaultDeadline);
  skein::v1::LoginResponse login;
  if (auto st = stub->Login(&login_ctx, skein::v1::LoginRequest(), &login); !st.ok()) {
    std::cerr << "bench: login failed: " << st.error_message() << "\n";
    return 1;
  }
  // The driver's only non-peer relation is the probe relation; find its id from show-unit.
  auto show = cluster.Skein({"show-unit", "latency-driver/0", "--format", "json"});
  auto su = nlohmann::json::parse(show.out, nullptr, false);
  int64_t relation_id = -1;
  for (const auto& r : su["latency-driver/0"]["relation-info"]) {
    if (r["endpoint"] == "probe") relation_id = r["relation-id"].get<int64_t>();
  }
  if (relation_id < 0) {
    std::cerr << "bench: probe relation not found\n";
    return 1;
  }

  const int warmup = 20;
  std::vector<double> delays_ms;
  std::vector<int64_t> commit_times;
  int64_t seq_base = login.last_commit_seq() + 1000000;
  for (int i = 0; i < warmup + iterations; ++i) {
    skein::v1::CommitHookRequest req;
    req.set_commit_seq(seq_base + i);
    req.set_hook("probe-relation-changed");
    auto* change = req.add_relation_changes();
    change->set_relation_id(relation_id);
    (*change->mutable_set())["seq"] = std::to_string(i);
    skein::v1::CommitHookResponse resp;
    grpc::ClientContext ctx;
    skein::rpc::PrepareContext(&ctx, id, skein::rpc::kDefaultDeadline);
    int64_t t0 = NowNs();
    if (auto st = stub->CommitHook(&ctx, req, &resp); !st.ok()) {
      std::cerr << "bench: commit failed: " << st.error_message() << "\n";
      return 1;
    }
    int64_t t1 = WaitForProbe(probe_log, i, std::chrono::seconds(10));
    if (t1 < 0) {
      std::cerr << "bench: relation-changed for seq " << i << " never started\n";
      return 1;
    }
    if (i >= warmup) {
      delays_ms.push_back(static_cast<double>(t1 - t0) / 1e6);
      commit_times.push_back(t0);
    }
  }

  // The control plane's part: commit -> B's agent spawning the hook, from B's log entries.
  YAML::Node client = YAML::LoadFile(cluster.data_dir() + "/client.yaml");
  std::string current = client["current-controller"].as<std::string>();
  skein::rpc::Identity admin{"user-admin", client["controllers"][current]["admin-credential"].as<std::string>()};
  auto controller = skein::v1::Controller::NewStub(
      skein::rpc::MakeChannel(conf["controller"].as<std::string>(), conf["ca-cert"].as<std::string>()));
  skein::v1::DebugLogRequest log_req;
  log_req.set_model("bench");
  log_req.set_lines(-1);
  log_req.add_include("latency-probe/0");
  grpc::ClientContext log_ctx;
  skein::rpc::PrepareContext(&log_ctx, admin, skein::rpc::kDefaultDeadline);
  auto reader = controller->DebugLog(&log_ctx, log_req);
  std::vector<int64_t> spawn_times;
  skein::v1::LogEntry entry;
  while (reader->Read(&entry)) {
    if (entry.message().rfind("running run probe-relation-changed hook", 0) == 0) {
      spawn_times.push_back(ParseMicros(entry.timestamp()));
    }
  }
  reader->Finish();
  std::sort(spawn_times.begin(), spawn_times.end());
  std::vector<double> spawn_ms;
  for (size_t i = 0; i < commit_times.size(); ++i) {
    auto it = std::lower_bound(spawn_times.begin(), spawn_times.end(), commit_times[i]);
    int64_t limit = i + 1 < commit_times.size() ? commit_times[i + 1] : INT64_MAX;
    if (it != spawn_times.end() && *it < limit) spawn_ms.push_back(static_cast<double>(*it - commit_times[i]) / 1e6);
  }
  double p50 = Percentile(delays_ms, 0.50), p90 = Percentile(delays_ms, 0.90), p99 = Percentile(delays_ms, 0.99);
  double max = *std::max_element(delays_ms.begin(), delays_ms.end());
  std::printf("relation-set commit -> remote relation-changed start (%zu changes, real binaries, loopback)\n",
              delays_ms.size());
  std::printf("  p50 %.2f ms   p90 %.2f ms   p99 %.2f ms   max %.2f ms   (target p99 < 20 ms: %s)\n", p50, p90, p99,
              max, p99 < 20.0 ? "met" : "NOT met");
  if (!spawn_ms.empty()) {
    std::printf("relation-set commit -> remote agent spawns relation-changed (control plane only, %zu changes)\n",
                spawn_ms.size());
    std::printf("  p50 %.2f ms   p90 %.2f ms   p99 %.2f ms   max %.2f ms\n", Percentile(spawn_ms, 0.5),
                Percentile(spawn_ms, 0.9), Percentile(spawn_ms, 0.99),
                *std::max_element(spawn_ms.begin(), spawn_ms.end()));
  } else {
    std::printf("control-plane figure unavailable: no `running` log entries were found for latency-probe/0\n");
  }
  cluster.Skein({"kill-controller", "--no-prompt"});
  return 0;
}
