// add-k8s, clouds, remove-cloud and scale-application against a real controller in this
// process (issue 16), without a cluster: help, usage errors (exit 2), and failures that change
// nothing (exit 1). The commands against the test cluster are tests/controller/k8s_provider_test.cc.

#include <filesystem>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/tools/cli/controller_fixture.h"

namespace skein::cli::testing {
namespace {

using nlohmann::json;

// A cluster address nothing listens at (port 1 on loopback refuses at once).
constexpr char kUnreachable[] =
    "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
    "clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n    insecure-skip-tls-verify: true\n"
    "users:\n- name: u\n  user:\n    token: secret-token-xyz\n"
    "contexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n";

using CloudsCliTest = ControllerCliTest;

TEST_F(CloudsCliTest, EveryCommandHasHelp) {
  for (const char* command : {"add-k8s", "clouds", "list-clouds", "remove-cloud", "scale-application"}) {
    CliRun r = Skein({command, "--help"});
    EXPECT_EQ(r.code, 0) << command << ": " << r.err;
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << command << ": " << r.out;
  }
}

TEST_F(CloudsCliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Skein({"add-k8s"}).code, 2);
  EXPECT_EQ(Skein({"add-k8s", "Bad_Name"}).code, 2);
  EXPECT_EQ(Skein({"add-k8s", "localhost"}).code, 2);
  EXPECT_EQ(Skein({"scale-application", "app"}).code, 2);
  EXPECT_EQ(Skein({"scale-application", "app", "-1"}).code, 2);
  EXPECT_EQ(Skein({"clouds", "--format", "xml"}).code, 2);
}

TEST_F(CloudsCliTest, AnUnreachableClusterIsRefusedAndNothingIsStored) {
  CliRun missing = Skein({"add-k8s", "k8s", "--kubeconfig", dir_.path() + "/nope"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("ERROR cannot read kubeconfig"), std::string::npos) << missing.err;

  WriteFile(dir_.path() + "/kubeconfig", kUnreachable);
  CliRun r = Skein({"add-k8s", "k8s", "--kubeconfig", dir_.path() + "/kubeconfig"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("ERROR cannot reach cluster at https://127.0.0.1:1"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("secret-token-xyz"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/clouds/k8s.kubeconfig"));

  CliRun clouds = Skein({"clouds", "--format", "json"});
  ASSERT_EQ(clouds.code, 0) << clouds.err;
  json doc = json::parse(clouds.out, nullptr, false);
  EXPECT_EQ(doc, json::parse(R"([{"name":"localhost","type":"local","endpoint":""}])")) << clouds.out;

  CliRun model = Skein({"add-model", "kf", "k8s"});
  EXPECT_EQ(model.code, 1);
  EXPECT_NE(model.err.find("ERROR cloud \"k8s\" not found"), std::string::npos) << model.err;
}

TEST_F(CloudsCliTest, ScaleApplicationIsForKubernetesModels) {
  CliRun r = Skein({"scale-application", "--model", "dev", "app", "2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("is not on a Kubernetes cloud: use add-unit and remove-unit"), std::string::npos) << r.err;
  CliRun removed = Skein({"remove-cloud", "nope"});
  EXPECT_EQ(removed.code, 1);
  EXPECT_NE(removed.err.find("ERROR cloud \"nope\" not found"), std::string::npos) << removed.err;
}

}  // namespace
}  // namespace skein::cli::testing
