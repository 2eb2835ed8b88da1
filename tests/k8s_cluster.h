#pragma once

// The Kubernetes test cluster, for tests labelled `k8s` (ctest -L k8s). tools/k8s/with-cluster
// starts one cluster per run inside a loopback-only network namespace and names its admin
// kubeconfig in SKEIN_TEST_KUBECONFIG (and puts kubectl first on PATH). Without it a test fails
// with how to run it: a Kubernetes test that cannot have its cluster is a failure, not a pass.
//
// Tests share the cluster, so each works in names of its own: UniqueK8sName gives a DNS-1123
// label unique to the test and the run, for a namespace or a model.

#include <stdlib.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "lib/base/file_read.h"
#include "lib/base/limits.h"
#include "lib/kube/kubeconfig.h"
#include "lib/process/subprocess.h"

namespace skein::testing {

inline constexpr char kK8sHowToRun[] =
    "SKEIN_TEST_KUBECONFIG is not set: this test needs the Kubernetes test cluster. Run it as "
    "`tools/k8s/build && tools/k8s/netns tools/k8s/with-cluster ctest --test-dir build -L k8s` "
    "(tools/k8s/build needs the Go module proxy once; the cluster runs in a network namespace with only loopback)";

// The admin kubeconfig's path, or empty after failing the test with how to run it.
inline std::string TestKubeconfigPath() {
  const char* path = ::getenv("SKEIN_TEST_KUBECONFIG");
  if (path == nullptr || *path == '\0') {
    ADD_FAILURE() << kK8sHowToRun;
    return "";
  }
  return path;
}

// A lowercase DNS-1123 label, at most 40 characters: `prefix-<the test's name>-<6 random hex>`,
// so that names from different tests and runs never meet in the shared cluster.
inline std::string UniqueK8sName(const std::string& prefix) {
  std::string test;
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) test = info->name();
  std::string name = prefix;
  std::string part;
  for (char c : test) {
    if (std::isalnum(static_cast<unsigned char>(c))) part.push_back(static_cast<char>(std::tolower(c)));
  }
  // Room for the prefix, two dashes and the random part.
  size_t room = prefix.size() + 8 < 40 ? 40 - 8 - prefix.size() : 0;
  if (!part.empty() && room > 1) absl::StrAppend(&name, "-", part.substr(0, room - 1));
  static thread_local std::mt19937 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  name.push_back('-');
  for (int i = 0; i < 6; ++i) name.push_back(kHex[random() % 16]);
  return name;
}

// `kubectl ARGS...` against the test cluster, for checking what the code under test did (never
// used by production code). Its stdout, or the error with its stderr.
inline absl::StatusOr<std::string> Kubectl(const std::vector<std::string>& args) {
  std::string kubeconfig = TestKubeconfigPath();
  if (kubeconfig.empty()) return absl::FailedPreconditionError(kK8sHowToRun);
  std::string kubectl;
  const char* path = ::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "", ':')) {
    std::string candidate = absl::StrCat(dir, "/kubectl");
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) {
      kubectl = candidate;
      break;
    }
  }
  if (kubectl.empty()) return absl::FailedPreconditionError("kubectl is not on PATH (tools/k8s/with-cluster puts it there)");
  process::SpawnOptions spawn;
  spawn.argv = {kubectl, "--kubeconfig", kubeconfig};
  spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
  auto result = process::Run(spawn, std::chrono::milliseconds(60000));
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    return absl::InternalError(absl::StrCat("kubectl ", absl::StrJoin(args, " "), ": ", result->stderr_text));
  }
  return result->stdout_text;
}

// The test cluster as a client configuration. Fails the test (fatally, from SetUp) without it.
class K8sTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kubeconfig_path_ = TestKubeconfigPath();
    if (kubeconfig_path_.empty()) GTEST_FAIL() << "no test cluster";
    auto text = ReadFileCapped(kubeconfig_path_, limits::Cap{1 << 20, "a kubeconfig"});
    ASSERT_TRUE(text.ok()) << text.status();
    auto config = kube::ParseKubeconfig(*text);
    ASSERT_TRUE(config.ok()) << config.status();
    cluster_ = *config;
  }

  const std::string& kubeconfig_path() const { return kubeconfig_path_; }
  const kube::ClusterConfig& cluster() const { return cluster_; }

 private:
  std::string kubeconfig_path_;
  kube::ClusterConfig cluster_;
};

}  // namespace skein::testing
