// Reading kubeconfigs as `skein add-k8s` and the test cluster's users meet them: inline data,
// files relative to the kubeconfig's folder, several contexts, credentials skein refuses, and the
// kubeconfig skein writes for charms read back unchanged. No cluster is needed.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kube/kubeconfig.h"

namespace skein::kube {
namespace {

using ::testing::HasSubstr;

constexpr char kCa[] = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";
constexpr char kCert[] = "-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n";
constexpr char kKey[] = "-----BEGIN EC PRIVATE KEY-----\nMHckey\n-----END EC PRIVATE KEY-----\n";

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/skein-kubeconfig-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  void Write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ + "/" + name, std::ios::binary) << content;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(KubeconfigTest, InlineDataGivesServerCaClientCertificateAndNamespace) {
  std::string yaml = absl::StrCat(R"(apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: )", absl::Base64Escape(kCa), R"(
users:
- name: admin
  user:
    client-certificate-data: )", absl::Base64Escape(kCert), R"(
    client-key-data: )", absl::Base64Escape(kKey), R"(
contexts:
- name: ctx
  context: {cluster: c1, user: admin, namespace: team-a}
current-context: ctx
)");
  auto config = ParseKubeconfig(yaml);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
  EXPECT_EQ(config->ca_pem, kCa);
  EXPECT_EQ(config->client_cert_pem, kCert);
  EXPECT_EQ(config->client_key_pem, kKey);
  EXPECT_EQ(config->token, "");
  EXPECT_EQ(config->ns, "team-a");
  EXPECT_FALSE(config->insecure_skip_tls_verify);
}

TEST(KubeconfigTest, RelativeFilesAreReadFromTheBaseDir) {
  TempDir dir;
  dir.Write("ca.crt", kCa);
  dir.Write("token", "  sa-token-123\n");
  std::string yaml = R"(clusters:
- name: c1
  cluster: {server: "https://127.0.0.2:6443", certificate-authority: ca.crt}
users:
- name: u
  user: {tokenFile: token}
contexts:
- name: ctx
  context: {cluster: c1, user: u}
current-context: ctx
)";
  auto config = ParseKubeconfig(yaml, "", dir.path());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->ca_pem, kCa);
  EXPECT_EQ(config->token, "sa-token-123");
  EXPECT_EQ(config->ns, "");

  // The same files named by absolute path need no base dir.
  std::string absolute = R"(clusters:
- name: c1
  cluster: {server: "https://127.0.0.2:6443", certificate-authority: )" + dir.path() + R"(/ca.crt}
users:
- name: u
  user: {token: abc}
contexts:
- name: ctx
  context: {cluster: c1, user: u}
current-context: ctx
)";
  config = ParseKubeconfig(absolute);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->ca_pem, kCa);
  EXPECT_EQ(config->token, "abc");
}

TEST(KubeconfigTest, MissingFileNamesTheUserAndThePath) {
  TempDir dir;
  std::string yaml = R"(clusters:
- name: c1
  cluster: {server: "https://127.0.0.2:6443"}
users:
- name: u
  user: {client-certificate: missing.crt, client-key: missing.key}
contexts:
- name: ctx
  context: {cluster: c1, user: u}
current-context: ctx
)";
  auto config = ParseKubeconfig(yaml, "", dir.path());
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("user \"u\""));
  EXPECT_THAT(config.status().message(), HasSubstr(dir.path() + "/missing.crt"));
}

constexpr char kTwoContexts[] = R"(clusters:
- name: prod
  cluster: {server: "https://prod.example:6443", insecure-skip-tls-verify: true}
- name: dev
  cluster: {server: "https://dev.example:6443"}
users:
- name: p
  user: {token: prod-token}
- name: d
  user: {token: dev-token}
- name: eks
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws}
- name: basic
  user: {username: admin, password: secret}
- name: nothing
  user: {}
contexts:
- name: prod
  context: {cluster: prod, user: p}
- name: dev
  context: {cluster: dev, user: d, namespace: sandbox}
- name: eks
  context: {cluster: prod, user: eks}
- name: basic
  context: {cluster: prod, user: basic}
- name: nothing
  context: {cluster: prod, user: nothing}
- name: orphan
  context: {cluster: gone, user: p}
current-context: prod
)";

TEST(KubeconfigTest, CurrentContextUnlessOneIsNamed) {
  auto current = ParseKubeconfig(kTwoContexts);
  ASSERT_TRUE(current.ok()) << current.status();
  EXPECT_EQ(current->server, "https://prod.example:6443");
  EXPECT_EQ(current->token, "prod-token");
  EXPECT_TRUE(current->insecure_skip_tls_verify);

  auto dev = ParseKubeconfig(kTwoContexts, "dev");
  ASSERT_TRUE(dev.ok()) << dev.status();
  EXPECT_EQ(dev->server, "https://dev.example:6443");
  EXPECT_EQ(dev->token, "dev-token");
  EXPECT_EQ(dev->ns, "sandbox");
  EXPECT_FALSE(dev->insecure_skip_tls_verify);
}

TEST(KubeconfigTest, UnknownContextOrClusterIsInvalidArgumentNamingIt) {
  auto missing = ParseKubeconfig(kTwoContexts, "staging");
  ASSERT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(), "context \"staging\" not found in the kubeconfig");

  auto orphan = ParseKubeconfig(kTwoContexts, "orphan");
  ASSERT_EQ(orphan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(orphan.status().message(), HasSubstr("cluster \"gone\""));

  auto none = ParseKubeconfig("clusters: []\n");
  ASSERT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(none.status().message(), HasSubstr("no current-context"));

  auto garbage = ParseKubeconfig("clusters: [\n");
  EXPECT_EQ(garbage.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(KubeconfigTest, PluginsAndPasswordsAreRefusedWithTheFix) {
  auto exec = ParseKubeconfig(kTwoContexts, "eks");
  ASSERT_EQ(exec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(exec.status().message(),
            "user \"eks\" uses an exec plugin, which skein does not run: give it a token or client certificate");

  auto basic = ParseKubeconfig(kTwoContexts, "basic");
  ASSERT_EQ(basic.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(basic.status().message(), HasSubstr("give it a token or client certificate"));

  auto nothing = ParseKubeconfig(kTwoContexts, "nothing");
  ASSERT_EQ(nothing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(nothing.status().message(), "user \"nothing\" has no credential: give it a token or client certificate");
}

TEST(KubeconfigTest, RenderedKubeconfigReadsBackTheSame) {
  ClusterConfig token_config{"https://127.0.0.1:40123", kCa, "tok-en.123", "", "", false, "model-a"};
  auto back = ParseKubeconfig(RenderKubeconfig(token_config, "skein"));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->server, token_config.server);
  EXPECT_EQ(back->ca_pem, token_config.ca_pem);
  EXPECT_EQ(back->token, token_config.token);
  EXPECT_EQ(back->ns, "model-a");

  ClusterConfig cert_config{"https://[::1]:6443", "", "", kCert, kKey, true, ""};
  std::string yaml = RenderKubeconfig(cert_config, "test");
  back = ParseKubeconfig(yaml, "test");
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << yaml;
  EXPECT_EQ(back->server, cert_config.server);
  EXPECT_EQ(back->ca_pem, "");
  EXPECT_EQ(back->client_cert_pem, kCert);
  EXPECT_EQ(back->client_key_pem, kKey);
  EXPECT_TRUE(back->insecure_skip_tls_verify);
  EXPECT_EQ(back->ns, "");
}

TEST(KubeconfigTest, InClusterConfigReadsTheServiceAccountFolder) {
  TempDir dir;
  dir.Write("token", "pod-token\n");
  dir.Write("ca.crt", kCa);
  dir.Write("namespace", "kubeflow");
  auto config = InClusterConfig(dir.path(), "127.16.0.1", "443");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server, "https://127.16.0.1:443");
  EXPECT_EQ(config->token, "pod-token");
  EXPECT_EQ(config->ca_pem, kCa);
  EXPECT_EQ(config->ns, "kubeflow");

  auto v6 = InClusterConfig(dir.path(), "fd00::1", "443");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->server, "https://[fd00::1]:443");

  EXPECT_EQ(InClusterConfig(dir.path(), "", "").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(InClusterConfig(dir.path() + "/nowhere", "127.16.0.1", "443").ok());
}

}  // namespace
}  // namespace skein::kube
