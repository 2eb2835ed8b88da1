// Metrics into a real Prometheus (issue 6): cos-lite beside mlflow and kubeflow-profiles, their
// `metrics-endpoint`s related to prometheus; prometheus-k8s renders prometheus.yml with their
// jobs and, with Debian's `prometheus` installed, runs it so that every unit agent's target is
// scraped `up`.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "relations/interfaces/grafana_dashboard.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// GET http://host:port/path; the body, or "" on any error.
std::string HttpGet(const std::string& host, int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
    if (::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
      char buf[8192];
      ssize_t n;
      while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) response.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

std::string FindPrometheus() {
  for (const char* dir : {"/usr/bin", "/usr/sbin", "/usr/local/bin"}) {
    std::string p = std::string(dir) + "/prometheus";
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

class MetricsTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args, std::chrono::seconds(120));
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  Cluster cluster_;
};

TEST_F(MetricsTest, PrometheusScrapesEveryRelatedUnitAgent) {
  Ok({"bootstrap"});
  Ok({"add-model", "cos"});
  Ok({"deploy", "cos-lite", "--channel", "latest/stable"});
  Ok({"deploy", "mlflow", "--channel", "2.15/stable"});
  Ok({"deploy", "kubeflow-profiles", "--channel", "1.9/stable"});
  for (const char* app : {"mlflow-server", "mlflow-minio", "kubeflow-profiles"}) {
    Ok({"integrate", "prometheus:metrics-endpoint", std::string(app) + ":metrics-endpoint"});
  }
  ASSERT_TRUE(cluster_.WaitForStatus(EveryUnitSettled, std::chrono::seconds(180)));

  // mlflow-server's dashboard reaches grafana in the upstream library's form and grafana finds
  // it valid (no `event`); the cos-lite relations carry prometheus's own dashboard too.
  Ok({"integrate", "grafana:grafana-dashboard", "mlflow-server:grafana-dashboard"});
  json dashboards;
  ASSERT_TRUE(WaitFor([&] {
    dashboards = RemoteAppBag(cluster_, "grafana/0", "grafana-dashboard", "mlflow-server");
    return dashboards.contains("dashboards");
  })) << dashboards.dump();
  auto received = relations::interfaces::grafana_dashboard::ConsumerDashboards(
      dashboards.get<std::map<std::string, std::string>>());
  ASSERT_TRUE(received.ok()) << received.status();
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ((*received)[0].id, "file:mlflow-server.json");
  EXPECT_EQ((*received)[0].error, "");
  EXPECT_TRUE((*received)[0].content.contains("panels"));
  ASSERT_TRUE(cluster_.WaitForStatus(EveryUnitSettled, std::chrono::seconds(60)));
  EXPECT_FALSE(RemoteAppBag(cluster_, "mlflow-server/0", "grafana-dashboard", "grafana").contains("event"));
  json prometheus_dashboards = RemoteAppBag(cluster_, "grafana/0", "grafana-dashboard", "prometheus");
  EXPECT_NE(prometheus_dashboards.value("dashboards", "").find("file:prometheus-k8s.json"), std::string::npos);

  // prometheus.yml holds every related application's jobs and its unit agents' job.
  std::string config_path;
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& e : fs::recursive_directory_iterator(cluster_.data_dir())) {
      if (e.path().filename() == "prometheus.yml") config_path = e.path().string();
    }
    const std::string config = ReadFile(config_path);
    return config.find("skein_unit_agent_kubeflow-profiles") != std::string::npos &&
           config.find("skein_unit_agent_mlflow-minio") != std::string::npos &&
           config.find("skein_unit_agent_mlflow-server") != std::string::npos;
  })) << ReadFile(config_path);
  const std::string config = ReadFile(config_path);
  EXPECT_NE(config.find("_mlflow-server_prometheus_scrape\n"), std::string::npos) << config;
  EXPECT_NE(config.find("_mlflow-minio_prometheus_scrape_minio_metrics\n"), std::string::npos) << config;
  EXPECT_NE(config.find("metrics_path: /minio/v2/metrics/cluster\n"), std::string::npos) << config;
  EXPECT_NE(config.find("_kubeflow-profiles_prometheus_scrape\n"), std::string::npos) << config;

  if (FindPrometheus().empty()) {
    GTEST_SKIP() << "Debian's prometheus is not installed (tools/test installs it): prometheus.yml was checked, "
                    "the live scrape is not";
  }
  // The unit runs Prometheus on its address and opened its web port.
  json info = json::parse(cluster_.Skein({"show-unit", "prometheus/0", "--format", "json"}).out);
  ASSERT_EQ(info["prometheus/0"]["opened-ports"].size(), 1u) << info.dump();
  const std::string opened = info["prometheus/0"]["opened-ports"][0];
  const int port = std::stoi(opened.substr(0, opened.find('/')));
  json status = cluster_.Status();
  const std::string address =
      status["applications"]["prometheus"]["units"]["prometheus/0"].value("public-address", "127.0.0.1");
  EXPECT_EQ(WorkloadMessage(status, "prometheus/0"), "");

  // The unit agent targets of the three applications related above are scraped `up`. (The
  // cos-lite applications related to prometheus in the bundle have their own agent jobs too, so
  // the check names the three instead of counting jobs.)
  json targets;
  bool all_up = WaitFor(
      [&] {
        targets = json::parse(HttpGet(address, port, "/api/v1/targets"), nullptr, false);
        if (!targets.is_object()) return false;
        std::set<std::string> up_apps;
        for (const auto& t : targets["data"]["activeTargets"]) {
          const std::string job = t["labels"].value("job", "");
          if (t.value("health", "") != "up") continue;
          for (const char* app : {"mlflow-server", "mlflow-minio", "kubeflow-profiles"}) {
            if (job.find(std::string("skein_unit_agent_") + app) != std::string::npos) up_apps.insert(app);
          }
        }
        return up_apps.size() == 3;
      },
      std::chrono::seconds(90));
  EXPECT_TRUE(all_up) << targets.dump(1);
  Ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::e2e
