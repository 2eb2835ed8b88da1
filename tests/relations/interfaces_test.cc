// The relation interface libraries against the exact relation data of the real charms
// (kubeflow-catalog §4.0, §4.1, §4.3, §4.4): what skein writes is byte for byte what the
// upstream Python libraries write, and what they write reads back.

#include <string>

#include "gtest/gtest.h"
#include "relations/interfaces/kubernetes_manifests.h"
#include "relations/interfaces/mysql_client.h"
#include "relations/interfaces/prometheus_scrape.h"
#include "relations/interfaces/python_dump.h"
#include "relations/interfaces/sdi.h"

namespace skein::relations::interfaces {
namespace {

using nlohmann::ordered_json;

TEST(PythonDumpTest, JsonDumpsUsesPythonSeparatorsAndOrder) {
  ordered_json v = ordered_json::parse(R"({"b": [1, true, null], "a": "é\"x"})");
  EXPECT_EQ(PythonJsonDumps(v), R"({"b": [1, true, null], "a": "\u00e9\"x"})");
}

TEST(PythonDumpTest, YamlDumpSortsKeysAndQuotesLikePyYaml) {
  ordered_json v = ordered_json::parse(R"({"z": "true", "a": "plain text", "m": 5, "n": "5", "e": "", "l": ["x", "y"], "d": {"k": false}})");
  EXPECT_EQ(PythonYamlDump(v), "a: plain text\nd:\n  k: false\ne: ''\nl:\n- x\n- y\nm: 5\nn: '5'\nz: 'true'\n");
  EXPECT_EQ(PythonYamlDump(ordered_json::array({"v1"})), "- v1\n");
  auto back = PythonYamlLoad("a: plain text\nm: 5\nn: '5'\nz: 'true'\nk: false\n");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)["m"], 5);
  EXPECT_EQ((*back)["n"], "5");
  EXPECT_EQ((*back)["z"], "true");
  EXPECT_EQ((*back)["k"], false);
}

TEST(PythonDumpTest, QuotesExactlyWhatSafeLoadWouldRetype) {
  // PyYAML reads 1e3, y and 0o17 as strings, so safe_dump writes them plain; it reads 0x1F,
  // 1_000, 1:30, dates and `=` as something else, so it quotes them.
  ordered_json v = ordered_json::parse(
      R"({"a": "1e3", "b": "y", "c": "0o17", "d": "0x1F", "e": "1_000", "f": "1:30", "g": "2026-01-01", "h": "="})");
  EXPECT_EQ(PythonYamlDump(v), "a: 1e3\nb: y\nc: 0o17\nd: '0x1F'\ne: '1_000'\nf: '1:30'\ng: '2026-01-01'\nh: '='\n");
  auto back = PythonYamlLoad(PythonYamlDump(v));
  ASSERT_TRUE(back.ok()) << back.status();
  for (const auto& [key, text] : v.items()) EXPECT_EQ((*back)[key], text) << key;
  // And what safe_load types: `yes` and `017` (octal), but not `tRUE` or `1e3`.
  back = PythonYamlLoad("a: yes\nb: 017\nc: tRUE\nd: 1e3\n");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->dump(), R"({"a":true,"b":15,"c":"tRUE","d":"1e3"})");
}

TEST(SdiTest, MinioObjectStorageBagIsTheUpstreamOne) {
  ordered_json data = {{"access-key", "minio"}, {"secret-key", "s3cr3tk3y"},   {"service", "mlflow-minio"},
                       {"port", 9000},          {"namespace", "kubeflow"},     {"secure", false}};
  auto bag = sdi::WriteBag({"v1"}, data);
  EXPECT_EQ(bag.at("_supported_versions"), "- v1\n");
  EXPECT_EQ(bag.at("data"),
            "access-key: minio\nnamespace: kubeflow\nport: 9000\nsecret-key: s3cr3tk3y\nsecure: false\nservice: mlflow-minio\n");
  auto read = sdi::ReadData(bag, {"access-key", "secret-key", "service", "port", "secure"});
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ((*read)["port"], 9000);
  EXPECT_EQ((*read)["secure"], false);
  EXPECT_EQ(sdi::ReadData(bag, {"bucket"}).status().message(), "data misses required key \"bucket\"");
  EXPECT_EQ(sdi::ReadData({}, {}).status().code(), absl::StatusCode::kNotFound);
}

TEST(SdiTest, NegotiatesTheHighestCommonVersion) {
  EXPECT_EQ(sdi::Negotiate({"v1"}, {}).outcome, sdi::Negotiation::kNoVersionsListed);
  EXPECT_EQ(sdi::Negotiate({"v1"}, {{"_supported_versions", "- v2\n"}}).outcome,
            sdi::Negotiation::kNoCompatibleVersions);
  auto agreed = sdi::Negotiate({"v1", "v2", "v10"}, {{"_supported_versions", "- v10\n- v2\n- v1\n"}});
  EXPECT_EQ(agreed.outcome, sdi::Negotiation::kAgreed);
  EXPECT_EQ(agreed.version, "v10");
}

// mlflow-server 2.15's `secrets` manifests as the catalog renders them (app mlflow-server,
// model kubeflow, minio app mlflow-minio:9000, access-key minio).
const char kSecrets[] =
    R"([{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "mlflow-server-minio-artifact"}, "stringData": {"AWS_ACCESS_KEY_ID": "minio", "AWS_SECRET_ACCESS_KEY": "<SECRET_KEY>"}}, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "mlflow-server-seldon-rclone-secret"}, "stringData": {"RCLONE_CONFIG_S3_TYPE": "s3", "RCLONE_CONFIG_S3_PROVIDER": "minio", "RCLONE_CONFIG_S3_ENV_AUTH": "false", "RCLONE_CONFIG_S3_ACCESS_KEY_ID": "minio", "RCLONE_CONFIG_S3_SECRET_ACCESS_KEY": "<SECRET_KEY>", "RCLONE_CONFIG_S3_ENDPOINT": "http://mlflow-minio.kubeflow:9000"}}])";

TEST(KubernetesManifestsTest, TwoPointZeroFormIsByteExact) {
  ordered_json manifests = ordered_json::parse(kSecrets);
  auto bag = kubernetes_manifests::WriteBag(manifests);
  EXPECT_EQ(bag.at("kubernetes_manifests"), kSecrets);
  auto read = kubernetes_manifests::ReadBag(bag);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, manifests);
  EXPECT_EQ(*kubernetes_manifests::ReadBag({}), ordered_json::array());
  EXPECT_FALSE(kubernetes_manifests::ReadBag({{"kubernetes_manifests", "{}"}}).ok());
}

TEST(KubernetesManifestsTest, OnePointZeroFormIsSdi) {
  ordered_json manifests = ordered_json::parse(kSecrets);
  auto bag = kubernetes_manifests::WriteSdiBag("secrets", manifests);
  EXPECT_EQ(bag.at("_supported_versions"), "- v1\n");
  auto read = kubernetes_manifests::ReadSdiBag("secrets", bag);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, manifests);
}

TEST(KubernetesManifestsTest, DispatcherRefusesDuplicateNames) {
  ordered_json a = ordered_json::parse(kSecrets);
  ordered_json b = ordered_json::parse(R"([{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "kserve-controller-s3"}}])");
  auto gathered = kubernetes_manifests::Gather({a, b});
  ASSERT_TRUE(gathered.ok());
  EXPECT_EQ(gathered->size(), 3u);
  auto duplicate = kubernetes_manifests::Gather({a, a});
  EXPECT_EQ(duplicate.status().message(), "Failed to process invalid manifest. See debug logs.");
}

TEST(PrometheusScrapeTest, MlflowServerBagsAndTheConsumersTargets) {
  prometheus_scrape::Topology t{"kubeflow", "1b6f9bb2-5f63-4a60-8cd2-0a59d5c8d3a4", "mlflow-server", "mlflow-server/0",
                                "mlflow-server"};
  ordered_json jobs = ordered_json::parse(
      R"([{"metrics_path": "/metrics", "static_configs": [{"targets": ["*:5000", "*:8000"]}], "not_allowed": 1}])");
  auto app = prometheus_scrape::ProviderAppBag(t, jobs, nullptr);
  EXPECT_EQ(app.at("scrape_jobs"), R"([{"metrics_path": "/metrics", "static_configs": [{"targets": ["*:5000", "*:8000"]}]}])");
  EXPECT_EQ(app.at("scrape_metadata"),
            R"({"model": "kubeflow", "model_uuid": "1b6f9bb2-5f63-4a60-8cd2-0a59d5c8d3a4", "application": "mlflow-server", "unit": "mlflow-server/0", "charm_name": "mlflow-server"})");
  EXPECT_EQ(app.at("alert_rules"), "{}");
  auto unit = prometheus_scrape::ProviderUnitBag("10.1.2.3", "mlflow-server/0");
  EXPECT_EQ(unit.at("prometheus_scrape_unit_address"), "10.1.2.3");
  EXPECT_EQ(unit.at("prometheus_scrape_unit_path"), "");

  auto configs = prometheus_scrape::ConsumerScrapeConfigs(
      app, {{"mlflow-server/0", unit}, {"mlflow-server/1", prometheus_scrape::ProviderUnitBag("10.1.2.4", "mlflow-server/1")}});
  ASSERT_TRUE(configs.ok()) << configs.status();
  ASSERT_EQ(configs->size(), 1u);
  const auto& c = (*configs)[0];
  EXPECT_EQ(c.job_name, "juju_kubeflow_1b6f9bb_mlflow-server_prometheus_scrape");
  ASSERT_EQ(c.targets.size(), 4u);
  EXPECT_EQ(c.targets[0].address, "10.1.2.3:5000");
  EXPECT_EQ(c.targets[1].address, "10.1.2.4:5000");
  EXPECT_EQ(c.targets[2].address, "10.1.2.3:8000");
  EXPECT_EQ(c.job["static_configs"][0]["labels"]["juju_charm"], "mlflow-server");
  EXPECT_FALSE(prometheus_scrape::ConsumerScrapeConfigs({{"scrape_jobs", "x"}, {"scrape_metadata", "{}"}}, {}).ok());
}

}  // namespace
}  // namespace skein::relations::interfaces

namespace skein::relations::interfaces {
namespace {

TEST(MysqlClientTest, BagsUserNameAndMlflowsUri) {
  EXPECT_EQ(mysql_client::RequirerAppBag("mlflow"), (std::map<std::string, std::string>{{"database", "mlflow"}}));
  // relation-<id>_<uuid without dashes>, cut to 26 characters.
  EXPECT_EQ(mysql_client::UserName(7, "1b6f9bb2-5f63-4a60-8cd2-0a59d5c8d3a4"), "relation-7_1b6f9bb25f634a6");
  mysql_client::Credentials c{"mlflow-mysql-primary.kubeflow.svc.cluster.local:3306",
                              "mlflow-mysql-replicas.kubeflow.svc.cluster.local:3306",
                              "relation-7_1b6f9bb25f634a6", "pw", "8.0.36-0ubuntu0.22.04.1", "mlflow"};
  auto bag = mysql_client::ProviderAppBag(c);
  EXPECT_EQ(bag.at("read-only-endpoints"), "mlflow-mysql-replicas.kubeflow.svc.cluster.local:3306");
  EXPECT_EQ(*mysql_client::SqlAlchemyUri(bag, "mlflow"),
            "mysql+pymysql://relation-7_1b6f9bb25f634a6:pw@mlflow-mysql-primary.kubeflow.svc.cluster.local:3306/mlflow");
  bag.erase("password");
  EXPECT_EQ(mysql_client::SqlAlchemyUri(bag, "mlflow").status().message(), "Incorrect data found in relation relational-db");
}

}  // namespace
}  // namespace skein::relations::interfaces
