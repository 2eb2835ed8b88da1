#include "agents/unit/fault/fault.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>

#include "spdlog/spdlog.h"

namespace skein::agent::fault {
namespace {

struct Config {
  std::mutex mu;
  std::string agent_dir;
  std::string point;  // empty = no fault
  std::string name;   // empty = any hook/action
};

Config& Global() {
  static Config* config = new Config();
  return *config;
}

std::string MarkerPath(const Config& c) { return c.agent_dir + "/fault-fired-" + c.point; }

}  // namespace

void Configure(const std::string& agent_dir, const std::string& spec) {
  Config& c = Global();
  std::lock_guard<std::mutex> lock(c.mu);
  c.agent_dir = agent_dir;
  c.point.clear();
  c.name.clear();
  if (spec.empty()) return;
  const size_t colon = spec.find(':');
  c.point = spec.substr(0, colon);
  if (colon != std::string::npos) c.name = spec.substr(colon + 1);
}

void ConfigureFromEnvironment(const std::string& agent_dir) {
  const char* spec = std::getenv(kEnvVar);
  Configure(agent_dir, spec != nullptr ? spec : "");
}

bool Armed(const std::string& point, const std::string& name) {
  Config& c = Global();
  std::lock_guard<std::mutex> lock(c.mu);
  if (c.point.empty() || c.point != point) return false;
  if (!c.name.empty() && c.name != name) return false;
  return ::access(MarkerPath(c).c_str(), F_OK) != 0;
}

void Reached(const std::string& point, const std::string& name) {
  if (!Armed(point, name)) return;
  std::string marker;
  {
    std::lock_guard<std::mutex> lock(Global().mu);
    marker = MarkerPath(Global());
  }
  int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd >= 0) {
    std::string line = name + "\n";
    ssize_t n = ::write(fd, line.data(), line.size());
    (void)n;
    ::fsync(fd);
    ::close(fd);
  }
  spdlog::warn("fault {} reached for {}: killing the agent", point, name);
  spdlog::default_logger()->flush();
  ::kill(::getpid(), SIGKILL);
  ::pause();
}

}  // namespace skein::agent::fault
