// skein-agent --data-dir DIR: the unit agent. Wiring only: read DIR/agent.conf, set up logging
// (DIR/agent.log + the controller), the hook tools (DIR/tools and agent.socket in the unit's
// runtime dir, lib/base/runtime_dir.h) and run the uniter until the unit is dead or
// SIGTERM/SIGINT arrives. The runtime dir holds nothing but the socket and is removed at exit.

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>
#include <utility>

#include "CLI/CLI.hpp"
#include "absl/cleanup/cleanup.h"
#include "lib/process/signals.h"
#include "agents/unit/api/agent_client.h"
#include "agents/unit/charm/charm_dir.h"
#include "lib/base/agent_conf.h"
#include "agents/unit/fault/fault.h"
#include "agents/unit/hook/runner.h"
#include "agents/unit/hook/tool.h"
#include "agents/unit/hook/tools/tool_server.h"
#include "agents/unit/leadership/lease_claimer.h"
#include "agents/unit/local_state/store.h"
#include "agents/unit/logging/log_pipeline.h"
#include "agents/unit/metrics/agent_metrics.h"
#include "agents/unit/metrics/http_server.h"
#include "agents/unit/metrics/instrumented_runner.h"
#include "agents/unit/pebble/pebble_host.h"
#include "agents/unit/serviceaccount/fetch.h"
#include "agents/unit/serviceaccount/token_keeper.h"
#include "agents/unit/substrate/agent_substrate.h"
#include "agents/unit/uniter/uniter.h"
#include "agents/unit/workload/supervisor.h"
#include "agents/charms/charms.h"
#include "agents/sdk/builtin_runner.h"
#include "lib/base/clock.h"
#include "lib/base/logging.h"
#include "lib/base/names.h"
#include "lib/base/paths.h"
#include "lib/base/runtime_dir.h"
#include "lib/process/subprocess.h"
#include "spdlog/spdlog.h"

namespace {

constexpr char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

int Fail(const std::string& message) {
  spdlog::critical("{}", message);
  std::cerr << "ERROR " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"skein unit agent"};
  std::string data_dir;
  std::string log_level = "debug";
  app.add_option("--data-dir", data_dir, "agent directory (agent.conf, state.db, charm/)")->required();
  app.add_option("--log-level", log_level, "trace debug info warning error critical");
  std::string metrics_host = "127.0.0.1";
  app.add_option("--metrics-host", metrics_host, "address the agent's Prometheus metrics are served on (port: any free)");
  CLI11_PARSE(app, argc, argv);
  data_dir = std::filesystem::absolute(data_dir).lexically_normal().string();

  // Signals are taken by one thread with sigwait; every other thread inherits the mask.
  sigset_t signals = skein::process::BlockShutdownSignals();
  // The machine agent runs with umask 077; hooks get the usual 022, as under Juju. The agent's
  // dir is closed to others either way.
  ::umask(022);

  auto conf = skein::ReadAgentConf(data_dir + "/agent.conf");
  if (!conf.ok()) {
    std::cerr << "ERROR " << conf.status().message() << "\n";
    return 1;
  }
  std::string unit = conf->unit;
  if (unit.empty()) {
    auto parsed = skein::ParseUnitTag(conf->entity);
    if (!parsed.ok()) {
      std::cerr << "ERROR agent.conf: " << conf->entity << " is not a unit\n";
      return 1;
    }
    unit = parsed->ToString();
  }

  // The crash-recovery tests arm a crash point through the environment; read once, here.
  const char* fault_spec = std::getenv(skein::agent::fault::kEnvVar);
  auto faults_spec = skein::agent::fault::ParseSpec(data_dir, fault_spec != nullptr ? fault_spec : "");
  if (!faults_spec.ok()) {
    std::cerr << "ERROR " << faults_spec.status().message() << "\n";
    return 1;
  }
  skein::agent::fault::Injector faults(*faults_spec);

  if (absl::Status s = skein::InitLogging("juju.worker.uniter", data_dir + "/agent.log", log_level, false); !s.ok()) {
    std::cerr << "ERROR " << s.message() << "\n";
    return 1;
  }
  std::string pid_file = data_dir + "/agent.pid";
  skein::process::WritePidFile(pid_file);

  // Every timer, backoff, lease renewal and timestamp of the agent reads this clock.
  skein::Clock& clock = skein::RealClock();
  skein::agent::AgentClient client(conf->controller, conf->ca_cert,
                                   skein::rpc::Identity{conf->entity, conf->credential});
  auto pipeline = std::make_shared<skein::agent::LogPipeline>(
      conf->entity, [&client](const std::vector<skein::v1::LogEntry>& entries) { return client.PushLogs(entries); },
      clock);
  pipeline->AttachToLogger(*spdlog::default_logger());
  pipeline->Start();
  // Also on the early `return Fail(...)`s below: their message must reach `skein debug-log`.
  absl::Cleanup stop_pipeline = [&pipeline] { pipeline->Stop(std::chrono::milliseconds(2000)); };
  spdlog::info("starting unit agent for {} of model {} (controller {})", unit,
               conf->model_uuid.empty() ? "(not in agent.conf)" : conf->model_uuid, conf->controller);

  int code = 0;
  {
    auto store = skein::agent::LocalStateStore::Open(data_dir + "/state.db", clock);
    if (!store.ok()) return Fail(std::string(store.status().message()));
    absl::Status tools = skein::agent::CreateToolsDir(
        data_dir + "/tools", skein::ExecutableDir() + "/skein-hook-tool", skein::agent::ToolNames());
    if (!tools.ok()) return Fail(std::string(tools.message()));
    auto runtime_dir = skein::MakeUnitRuntimeDir(data_dir, conf->model_uuid, unit);
    if (!runtime_dir.ok()) return Fail(std::string(runtime_dir.status().message()));
    // Declared before the tool server, so it runs after the server closed its socket.
    absl::Cleanup remove_runtime_dir = [&] {
      if (absl::Status s = skein::RemoveUnitRuntimeDir(data_dir, conf->model_uuid, unit); !s.ok()) {
        spdlog::warn("cannot remove {}: {}", *runtime_dir, std::string(s.message()));
      }
    };
    const std::string socket_path = skein::AgentSocketPath(*runtime_dir);

    // The agent's own metrics, served for the charm's metrics-endpoint to publish (issue 6).
    skein::agent::metrics::AgentMetrics agent_metrics(unit, conf->model_uuid, clock);
    std::string metrics_address;
    auto metrics_server = skein::agent::metrics::MetricsServer::Start(
        metrics_host, 0, [&agent_metrics] { return agent_metrics.Render(); }, clock);
    if (metrics_server.ok()) {
      metrics_address = absl::StrCat(metrics_host, ":", (*metrics_server)->port());
      spdlog::info("serving agent metrics on http://{}/metrics", metrics_address);
    } else {
      spdlog::warn("not serving agent metrics: {}", std::string(metrics_server.status().message()));
    }
    // Workload processes a charm asked for run again after an agent restart, without a hook.
    skein::agent::workload::Supervisor supervisor(data_dir + "/workload", clock);
    if (absl::Status s = supervisor.Start(); !s.ok()) spdlog::error("cannot restore workload plan: {}", s.ToString());
    skein::agent::AgentSubstrate substrate(&client, &supervisor, metrics_address, data_dir + "/workload/files",
                                           clock);

    skein::sdk::CharmRegistry registry;
    skein::charms::RegisterBuiltinCharms(registry);
    // Sidecar charms' containers: a real Pebble each, found next to this binary (the build copies
    // it there; agents/unit/pebble/pebble_host.h). Declared after the runtime dir, so the Pebbles
    // stop before their sockets' directory goes.
    skein::agent::pebble::PebbleHostOptions pebble_options;
    pebble_options.binary = skein::ExecutableDir() + "/pebble";
    pebble_options.agent_dir = data_dir;
    pebble_options.runtime_dir = *runtime_dir;
    pebble_options.in_process_charm = [&registry, charm_dir = data_dir + "/charm"] {
      return !skein::sdk::BuiltinCharmRunner::BuiltinName(charm_dir, registry).empty();
    };
    skein::agent::pebble::PebbleHost pebble_host(pebble_options, clock);

    skein::agent::CharmDirRunner dir_runner(data_dir + "/charm");
    skein::sdk::BuiltinCharmRunner builtin_runner(&registry, data_dir + "/charm", &substrate, &dir_runner);
    skein::agent::metrics::InstrumentedRunner runner(&builtin_runner, &agent_metrics, clock);
    skein::agent::UniterConfig config;
    config.unit = unit;
    config.agent_dir = data_dir;
    config.agent_socket = socket_path;
    config.model_uuid = conf->model_uuid;
    config.machine_id = conf->machine_id;
    config.api_addresses = conf->controller;
    const char* path = std::getenv("PATH");
    config.agent_path = path != nullptr && *path != '\0' ? path : kDefaultPath;
    config.faults = &faults;
    config.workload_events = &pebble_host;
    // Units of a Kubernetes model act on the cluster as their application's ServiceAccount, with
    // the files and variables a pod's processes have (agents/unit/serviceaccount/token_keeper.h).
    skein::agent::serviceaccount::TokenKeeper token_keeper(
        {.sa_dir = data_dir + "/serviceaccount", .kubeconfig = data_dir + "/kubeconfig"},
        [&client] { return skein::agent::serviceaccount::FetchCredentials(client); }, clock);
    if (auto env = token_keeper.Start(); env.ok()) {
      config.substrate_env = *env;
    } else {
      spdlog::error("no ServiceAccount token for the unit's hooks: {}", env.status().ToString());
    }
    skein::agent::Uniter uniter(config, &client, store->get(), &runner, clock);

    // Hook tools find the running hook's context by JUJU_CONTEXT_ID.
    auto tool_server = skein::agent::ToolServer::Start(
        socket_path, [&](const std::string& id) -> skein::agent::HookContext* {
          skein::agent::HookContext* ctx = uniter.ResolveContext(id);
          if (ctx != nullptr) faults.ToolCalled(id, ctx->HookName(), ctx->ActionName());
          return ctx;
        });
    if (!tool_server.ok()) return Fail(std::string(tool_server.status().message()));

    std::atomic<bool> done{false};
    std::thread signal_thread([&] {
      while (true) {
        int sig = 0;
        if (sigwait(&signals, &sig) != 0) continue;
        if (sig == SIGUSR1 && done) return;
        if (sig == SIGTERM || sig == SIGINT) {
          spdlog::info("received signal {}, stopping", sig);
          uniter.Stop();
        }
      }
    });

    skein::agent::LeaseClaimer leases([&client] { return skein::agent::ClaimLeadership(client); }, clock);
    leases.Start();
    auto result = uniter.Run();
    leases.Stop();
    done = true;
    pthread_kill(signal_thread.native_handle(), SIGUSR1);
    signal_thread.join();
    (*tool_server)->Stop();
    pebble_host.Stop();
    token_keeper.Stop();
    supervisor.Stop();
    if (!result.ok()) {
      code = Fail(absl::StrCat("uniter stopped: ", std::string(result.status().message())));
    } else if (*result == skein::agent::Uniter::Exit::kUnitDead) {
      spdlog::info("unit {} removed; agent exiting", unit);
    } else if (*result == skein::agent::Uniter::Exit::kUnitGone) {
      spdlog::info("unit {} no longer exists; agent exiting", unit);
    } else {
      spdlog::info("unit agent stopped");
    }
  }
  std::move(stop_pipeline).Invoke();
  ::unlink(pid_file.c_str());
  spdlog::shutdown();
  return code;
}
