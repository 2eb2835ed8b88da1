// prometheus-k8s: renders prometheus.yml from every `metrics-endpoint` relation and, when the
// Debian `prometheus` binary is installed and the substrate can run processes, runs it as the
// unit's supervised workload on the unit's address. The web port is chosen once (a free port)
// and opened with open-port, so `show-unit` lists it and scrapers know where to look.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "agents/charms/charms.h"
#include "agents/charms/prometheus_config.h"
#include "agents/charms/profiles.h"
#include "lib/base/file_write.h"

namespace skein::charms {
namespace {

constexpr char kPortKey[] = "web-port";

// A port free right now on `host` (the kernel's choice for port 0).
int FreePort(const std::string& host) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

class PrometheusK8s : public StandardCharm {
 public:
  PrometheusK8s() : StandardCharm(ProfileFor("prometheus-k8s")) {}

 protected:
  bool HandlesEndpoint(const charm::Endpoint& ep) const override { return ep.name != "metrics-endpoint"; }

  std::string ActiveMessage(Reconcile& r) const override { return message_; }

  absl::Status ReconcileCharm(const sdk::Event& event, Reconcile& r) override {
    std::vector<ScrapedApplication> apps;
    for (auto& rel : r.model.Relations("metrics-endpoint")) {
      ScrapedApplication app{rel.remote_app(), rel.RemoteAppBag(), {}};
      for (const auto& unit : rel.RemoteUnits()) app.unit_bags[unit] = rel.RemoteUnitBag(unit);
      apps.push_back(std::move(app));
    }
    const std::string host = r.model.UnitAddress();
    int port = 0;
    auto state = r.model.context().StateGet();
    if (state.ok() && state->count(kPortKey)) (void)absl::SimpleAtoi(state->at(kPortKey), &port);
    if (port == 0) {
      port = FreePort(host);
      if (port == 0) return absl::InternalError(absl::StrCat("no free port on ", host));
      absl::Status s = r.model.context().StateSet({{kPortKey, std::to_string(port)}});
      if (!s.ok()) return s;
    }
    std::vector<std::string> errors;
    const std::string config = RenderPrometheusConfig(absl::StrCat(host, ":", port), "5s", apps, &errors);
    for (const auto& e : errors) r.model.context().Log("WARNING", absl::StrCat("invalid scrape data from ", e));
    const std::string dir = r.model.substrate().WorkloadDir();
    std::error_code ec;
    std::filesystem::create_directories(dir + "/data", ec);
    absl::Status written = WriteFileAtomic(dir + "/prometheus.yml", config, 0644);
    if (!written.ok()) return written;

    const std::string binary = r.model.substrate().FindProgram("prometheus");
    if (binary.empty() || !r.model.substrate().CanRunWorkloads()) {
      message_ = absl::StrCat(kRenderedForKubernetes, " (prometheus.yml written; the prometheus binary is not installed)");
      return absl::OkStatus();
    }
    // The config's hash is part of the service's environment, so a changed config restarts
    // Prometheus with it (the supervisor restarts a service whose spec changed).
    sdk::WorkloadService service{"prometheus",
                                 {binary, "--config.file=" + dir + "/prometheus.yml",
                                  "--storage.tsdb.path=" + dir + "/data",
                                  absl::StrCat("--web.listen-address=", host, ":", port), "--web.enable-lifecycle"},
                                 {{"SKEIN_CONFIG_HASH", std::to_string(std::hash<std::string>{}(config))}}};
    absl::Status s = r.model.substrate().ReplanWorkload({service});
    if (!s.ok()) return s;
    s = r.model.context().OpenPort(agent::PortRange{port, port, "tcp", {}});
    if (!s.ok()) return s;
    message_ = "";
    return absl::OkStatus();
  }

 private:
  std::string message_;
};

}  // namespace

std::unique_ptr<sdk::Charm> NewPrometheusK8s() { return std::make_unique<PrometheusK8s>(); }

}  // namespace skein::charms
