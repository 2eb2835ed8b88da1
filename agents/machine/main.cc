// skein-machine-agent --data-dir DIR [--ready-fd N]: the machine agent. Wiring only: read
// DIR/agent.conf, log to DIR/machine-agent.log (and the controller), write the pid file, run
// the MachineAgent until SIGTERM/SIGINT, which stops every unit agent before exiting 0.

#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <thread>

#include "CLI/CLI.hpp"
#include "lib/process/signals.h"
#include "agents/machine/machine_agent.h"
#include "agents/unit/api/agent_client.h"
#include "lib/base/agent_conf.h"
#include "agents/unit/logging/log_pipeline.h"
#include "lib/base/clock.h"
#include "lib/base/logging.h"
#include "lib/base/paths.h"
#include "lib/process/subprocess.h"
#include "spdlog/spdlog.h"

int main(int argc, char** argv) {
  CLI::App app{"skein machine agent"};
  std::string data_dir;
  int ready_fd = -1;
  std::string log_level = "info";
  app.add_option("--data-dir", data_dir, "machine agent directory (agent.conf, agents/)")->required();
  app.add_option("--ready-fd", ready_fd, "write \"ready\\n\" to this fd after the first snapshot");
  app.add_option("--log-level", log_level, "trace debug info warning error critical");
  CLI11_PARSE(app, argc, argv);
  data_dir = std::filesystem::absolute(data_dir).lexically_normal().string();

  // Signals are taken by one thread with sigwait; every other thread inherits the mask.
  sigset_t signals = skein::process::BlockShutdownSignals();

  auto conf = skein::ReadAgentConf(data_dir + "/agent.conf");
  if (!conf.ok()) {
    std::cerr << "ERROR " << conf.status().message() << "\n";
    return 1;
  }
  std::string machine_id = conf->machine_id.empty() ? "0" : conf->machine_id;
  if (absl::Status s = skein::InitLogging("juju.worker.machiner", data_dir + "/machine-agent.log", log_level, false);
      !s.ok()) {
    std::cerr << "ERROR " << s.message() << "\n";
    return 1;
  }
  // Nothing the machine agent writes is for other users; separated unit agents pass through its
  // dir to theirs (0711) and get their own files from it with their own owner.
  ::umask(077);
  if (conf->unit_uids) {
    ::chmod(data_dir.c_str(), 0711);
    ::mkdir((data_dir + "/agents").c_str(), 0711);
    ::chmod((data_dir + "/agents").c_str(), 0711);
  }
  std::string pid_file = data_dir + "/machine-agent.pid";
  skein::process::WritePidFile(pid_file);

  // Every timer, backoff and timestamp of the machine agent reads this clock.
  skein::Clock& clock = skein::RealClock();
  skein::agent::AgentClient client(conf->controller, conf->ca_cert,
                                   skein::rpc::Identity{conf->entity, conf->credential});
  auto pipeline = std::make_shared<skein::agent::LogPipeline>(
      conf->entity, [&client](const std::vector<skein::v1::LogEntry>& entries) { return client.PushLogs(entries); },
      clock);
  pipeline->AttachToLogger(*spdlog::default_logger());
  pipeline->Start();
  spdlog::info("starting machine agent for machine {} (controller {})", machine_id, conf->controller);

  skein::agent::MachineAgentConfig config;
  config.machine_id = machine_id;
  config.units.agents_dir = data_dir + "/agents";
  std::string unit_bin_dir = skein::ExecutableDir();
  if (conf->unit_uids) {
    std::vector<std::string> unit_binaries = {"skein-agent", "skein-hook-tool"};
    // Sidecar charms' Pebble, when the build placed it next to the agent (agents/unit/workload/pebble.h).
    if (std::filesystem::exists(unit_bin_dir + "/pebble")) unit_binaries.push_back("pebble");
    auto bin = skein::agent::UnitBinaryDir(unit_bin_dir, data_dir, unit_binaries);
    if (!bin.ok()) {
      spdlog::critical("{}", std::string(bin.status().message()));
      std::cerr << "ERROR " << bin.status().message() << "\n";
      return 1;
    }
    unit_bin_dir = *bin;
    spdlog::info("unit agents run under their own uids ({})", conf->unit_uids->ToString());
  } else {
    spdlog::info("unit agents run as this machine agent's user: no privilege separation");
  }
  config.units.binary = unit_bin_dir + "/skein-agent";
  config.units.unit_uids = conf->unit_uids;
  config.units.controller = conf->controller;
  config.units.ca_cert = conf->ca_cert;
  config.units.machine_id = machine_id;
  config.on_ready = [ready_fd] {
    if (ready_fd < 0) return;
    static const char kReady[] = "ready\n";
    (void)!::write(ready_fd, kReady, sizeof(kReady) - 1);
    ::close(ready_fd);
  };
  int code = 0;
  {
    skein::agent::MachineAgent agent(config, &client, clock);
    std::atomic<bool> done{false};
    std::thread signal_thread([&] {
      while (true) {
        int sig = 0;
        if (sigwait(&signals, &sig) != 0) continue;
        if (sig == SIGUSR1 && done) return;
        if (sig == SIGTERM || sig == SIGINT) {
          spdlog::info("received signal {}, stopping unit agents", sig);
          agent.Stop();
        }
      }
    });
    absl::Status s = agent.Run();
    done = true;
    pthread_kill(signal_thread.native_handle(), SIGUSR1);
    signal_thread.join();
    if (!s.ok()) {
      spdlog::critical("machine agent failed: {}", std::string(s.message()));
      std::cerr << "ERROR " << s.message() << "\n";
      code = 1;
    }
  }
  pipeline->Stop(std::chrono::milliseconds(2000));
  ::unlink(pid_file.c_str());
  spdlog::shutdown();
  return code;
}
