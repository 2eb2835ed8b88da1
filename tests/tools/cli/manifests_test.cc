// skein manifests and skein apply against a real controller in this process (127.0.0.1:0): the
// YAML and JSON renderings, --output-dir files, and the errors and exit codes of both commands.
// The output helpers (tools/cli/output/manifests_output.h) are checked on their own first.

#include <filesystem>
#include <fstream>
#include <sstream>

#include "controller/api/server.h"
#include "tests/tools/cli/controller_fixture.h"
#include "controller/domain/application/application_service.h"
#include "controller/domain/substrate/substrate_service.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/sha256.h"
#include "lib/charm/documents.h"
#include "tests/tools/cli/test_util.h"
#include "tools/cli/output/manifests_output.h"

namespace skein::cli {
namespace {

namespace fs = std::filesystem;
using output::OrderedJson;
using testing::CliRun;
using testing::RunOptions;

std::string ReadFile(const fs::path& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(ManifestsOutputTest, YamlKeepsKeyOrderAndQuotesWhatWouldChangeType) {
  OrderedJson o = OrderedJson::parse(
      R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","labels":{"enabled":"true","n":"1"}},)"
      R"("data":{"script":"echo hi\n","empty":"","date":"2024-01-01","list":[1,2.5,false,null],"obj":{}}})");
  EXPECT_EQ(output::ObjectToYaml(o),
            "kind: ConfigMap\n"
            "apiVersion: v1\n"
            "metadata:\n"
            "  name: c\n"
            "  labels:\n"
            "    enabled: 'true'\n"
            "    'n': '1'\n"
            "data:\n"
            "  script: |\n"
            "    echo hi\n"
            "  empty: ''\n"
            "  date: '2024-01-01'\n"
            "  list:\n"
            "    - 1\n"
            "    - 2.5\n"
            "    - false\n"
            "    - ~\n"
            "  obj: {}\n");
  auto back = output::ParseYamlDocuments(output::ObjectToYaml(o));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].dump(), o.dump()) << "what is printed reads back as the same object";
}

TEST(ManifestsOutputTest, StringsReadBackUnchanged) {
  for (const std::string text : {"a\nb\n", "a\nb", "a\n\n", " lead\nx\n", "yes", "no", "on", "y", "1e3", "0x1F", "0755",
                                 "~", "null", "- x", "a: b", "a #b", "#x", "x:", "@x", "'q'", "\"q\"", "1_000", ".inf",
                                 "2024-01-01T00:00:00Z", "plain text", "key=value", "tab\tin"}) {
    OrderedJson o = OrderedJson{{"v", text}};
    auto back = output::ParseYamlDocuments(output::ObjectToYaml(o));
    ASSERT_TRUE(back.ok()) << text << ": " << back.status();
    EXPECT_EQ((*back)[0]["v"], text) << output::ObjectToYaml(o);
  }
}

TEST(ManifestsOutputTest, StreamsListsAndPaths) {
  std::vector<OrderedJson> two = {OrderedJson{{"a", 1}}, OrderedJson{{"b", 2}}};
  EXPECT_EQ(output::YamlStream(two), "a: 1\n---\nb: 2\n");
  EXPECT_EQ(output::YamlStream({}), "");
  EXPECT_EQ(output::JsonList({}), "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[]}\n");
  EXPECT_EQ(output::ManifestRelativePath("", "Namespace", "alice"), "_cluster/namespace-alice.yaml");
  EXPECT_EQ(output::ManifestRelativePath("kf", "PodDefault", "access-minio"), "kf/poddefault-access-minio.yaml");
  EXPECT_EQ(output::ManifestRelativePath("..", "Secret", "a/../b"), "_../secret-a_.._b.yaml");
  auto docs = output::ParseYamlDocuments("---\na: 1\n---\n---\nb: [x]\n");
  ASSERT_TRUE(docs.ok());
  ASSERT_EQ(docs->size(), 3u);
  EXPECT_TRUE((*docs)[1].is_null());
  EXPECT_EQ(output::ParseYamlDocuments("a: [1\n").status().message(),
            "yaml: line 2, column 1: end of sequence flow not found");
}

// A real controller with model `dev`, an application `dispatcher` and the CLI registered with it.
class ManifestsCliTest : public testing::ControllerCliTest {
 protected:
  void SetUp() override {
    testing::ControllerCliTest::SetUp();
    if (HasFatalFailure()) return;
    controller::domain::application::ApplicationService apps(server_->db());
    controller::domain::application::DeployArgs args;
    args.model = "dev";
    args.application = "dispatcher";
    charm::CharmDocuments documents;
    documents.metadata_source = "metadata.yaml";
    documents.metadata_yaml = "name: dispatcher\n";
    auto charm = controller::domain::application::ParseUploadedCharm(documents, Sha256Hex(documents.metadata_yaml),
                                                                     0);
    ASSERT_TRUE(charm.ok()) << charm.status();
    args.charm = std::move(*charm);
    args.num_units = 0;
    ASSERT_TRUE(apps.Deploy(args).ok());
  }
  // The dispatcher's decoration for every namespace labelled user.kubeflow.org/enabled=true.
  // Plus a ConfigMap of its own in namespace kubeflow.
  void ApplyDecoration() {
    controller::domain::substrate::SubstrateService substrate(server_->db());
    controller::domain::substrate::Manifest m{
        "", "v1", "Secret", "minio", R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"minio"},"data":{"k":"eA=="}})",
        "user.kubeflow.org/enabled"};
    controller::domain::substrate::Manifest own{
        "kubeflow", "v1", "ConfigMap", "cfg", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"}})", ""};
    absl::Status s = substrate.ApplyManifests("dev", "dispatcher", "secrets", {m, own});
    ASSERT_TRUE(s.ok()) << s;
  }
  std::string File(const std::string& name, const std::string& text) {
    std::string path = dir_.path() + "/" + name;
    testing::WriteFile(path, text);
    return path;
  }
};

constexpr char kObjects[] =
    "# a namespace for alice and her settings\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: Namespace\n"
    "metadata:\n"
    "  name: alice\n"
    "  labels:\n"
    "    user.kubeflow.org/enabled: \"true\"\n"
    "---\n"
    "kind: ConfigMap\n"
    "apiVersion: v1\n"
    "metadata:\n"
    "  name: settings\n"
    "  namespace: alice\n"
    "data:\n"
    "  replicas: \"3\"\n"
    "  debug: false\n";

TEST_F(ManifestsCliTest, AppliedObjectsAreListedAsYamlJsonAndFiles) {
  ApplyDecoration();
  CliRun r = Skein({"apply", "-f", File("objects.yaml", kObjects)});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "namespace/alice applied\nconfigmap/settings applied\n");
  EXPECT_EQ(r.err, "");

  const std::string ns_doc =
      "apiVersion: v1\n"
      "kind: Namespace\n"
      "metadata:\n"
      "  name: alice\n"
      "  labels:\n"
      "    user.kubeflow.org/enabled: 'true'\n";
  const std::string settings_doc =
      "kind: ConfigMap\n"
      "apiVersion: v1\n"
      "metadata:\n"
      "  name: settings\n"
      "  namespace: alice\n"
      "data:\n"
      "  replicas: '3'\n"
      "  debug: false\n";
  const std::string secret_doc =
      "apiVersion: v1\n"
      "kind: Secret\n"
      "metadata:\n"
      "  name: minio\n"
      "  namespace: alice\n"
      "data:\n"
      "  k: eA==\n";
  const std::string cfg_doc =
      "apiVersion: v1\n"
      "kind: ConfigMap\n"
      "metadata:\n"
      "  name: cfg\n"
      "  namespace: kubeflow\n";
  const std::string yaml = ns_doc + "---\n" + settings_doc + "---\n" + secret_doc + "---\n" + cfg_doc;
  r = Skein({"manifests"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, yaml);
  EXPECT_EQ(r.err, "");

  r = Skein({"manifests", "-m", "dev", "--namespace", "alice", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            R"({"apiVersion":"v1","kind":"List","items":[)"
            R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"settings","namespace":"alice"},)"
            R"("data":{"replicas":"3","debug":false}},)"
            R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"minio","namespace":"alice"},"data":{"k":"eA=="}}]})"
            "\n");

  const std::string out_dir = dir_.path() + "/out";
  r = Skein({"manifests", "--output-dir", out_dir});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Wrote 4 manifests to " + out_dir + "\n");
  EXPECT_EQ(ReadFile(out_dir + "/_cluster/namespace-alice.yaml"), ns_doc);
  EXPECT_EQ(ReadFile(out_dir + "/alice/configmap-settings.yaml"), settings_doc);
  EXPECT_EQ(ReadFile(out_dir + "/alice/secret-minio.yaml"), secret_doc);
  EXPECT_EQ(ReadFile(out_dir + "/kubeflow/configmap-cfg.yaml"), cfg_doc);

  // Applying again replaces: alice loses her label, and with it the decoration.
  r = Skein({"apply", "-f", "-"}, {.stdin_text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: alice\n"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "namespace/alice applied\n");
  r = Skein({"manifests", "--namespace", "alice"});
  EXPECT_EQ(r.out.find("kind: Secret"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("kind: ConfigMap"), std::string::npos) << r.out;
}

TEST_F(ManifestsCliTest, NothingAppliedPrintsNothingOrAnEmptyList) {
  CliRun r = Skein({"manifests"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  r = Skein({"manifests", "--format", "json"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[]}\n");
  r = Skein({"manifests", "--output-dir", dir_.path() + "/none"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Wrote 0 manifests to " + dir_.path() + "/none\n");
}

TEST_F(ManifestsCliTest, ABadDocumentAppliesNothing) {
  struct Case {
    std::string text;
    std::string error;
  };
  const std::string path = dir_.path() + "/bad.yaml";
  for (const Case& c : std::vector<Case>{
           {"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\nkind: ConfigMap\nmetadata: {}\n",
            "document 2 of \"" + path + "\": missing apiVersion, metadata.name"},
           {"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n- a list\n",
            "document 2 of \"" + path + "\": not a mapping"},
           {"apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: [x]\n",
            "document 1 of \"" + path + "\": metadata.namespace is not a string"},
           {"# only a comment\n---\n", "no objects in \"" + path + "\""},
           {"a: [1\n", "cannot parse \"" + path + "\": yaml: line 2, column 1: end of sequence flow not found"},
       }) {
    testing::WriteFile(path, c.text);
    CliRun r = Skein({"apply", "-f", path});
    EXPECT_EQ(r.code, 1) << c.text;
    EXPECT_EQ(r.err, "ERROR " + c.error + "\n");
    EXPECT_EQ(r.out, "");
  }
  CliRun r = Skein({"apply", "-f", dir_.path() + "/missing.yaml"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR cannot read \"" + dir_.path() + "/missing.yaml\": No such file or directory\n");
  EXPECT_EQ(Skein({"manifests"}).out, "") << "nothing was applied";
}

TEST_F(ManifestsCliTest, ControllerRefusalsAreRuntimeErrors) {
  ApplyDecoration();
  const std::string path =
      File("taken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n  namespace: kubeflow\n---\n"
                         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: kubeflow\n");
  CliRun r = Skein({"apply", "-f", path});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR ConfigMap \"kubeflow/cfg\" is already applied by application \"dispatcher\"\n");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(Skein({"manifests", "--namespace", "kubeflow"}).out.find("name: mine"), std::string::npos)
      << "nothing of the file was applied";
  r = Skein({"apply", "-f", path, "-m", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR model \"nope\" not found\n");
  r = Skein({"manifests", "-m", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR model \"nope\" not found\n");
}

TEST_F(ManifestsCliTest, UsageErrorsExitTwoAndHelpExitsZero) {
  for (const auto& [args, error] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"apply"}, "no file specified: use -f <file>"},
           {{"apply", "-f", "x.yaml", "extra"}, "unrecognized args: [\"extra\"]"},
           {{"manifests", "extra"}, "unrecognized args: [\"extra\"]"},
           {{"manifests", "--format", "xml"}, "invalid value \"xml\" for option --format: unknown format \"xml\""},
           {{"manifests", "--format", "json", "--output-dir", "d"},
            "--output-dir writes YAML files and cannot be combined with --format json"},
       }) {
    CliRun r = Skein(args);
    EXPECT_EQ(r.code, 2) << args[0];
    EXPECT_EQ(r.err, "ERROR " + error + "\n");
    EXPECT_EQ(r.out, "");
  }
  for (const char* command : {"manifests", "apply"}) {
    CliRun r = Skein({command, "--help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out.rfind(std::string("Usage: skein ") + command + " [options]", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("\n\nDetails:\n"), std::string::npos) << r.out;
  }
  EXPECT_NE(Skein({"apply", "--help"}).out.find("-f, --filename"), std::string::npos);
  EXPECT_NE(Skein({"manifests", "--help"}).out.find("--output-dir"), std::string::npos);
  EXPECT_NE(Skein({"--help"}).out.find("    manifests "), std::string::npos);
}

}  // namespace
}  // namespace skein::cli
