// agent.conf (lib/base/agent_conf.h), the one reader and writer that `skein bootstrap`, the
// machine agent and the unit agent share: the exact text, the 0600 mode, the model UUID kept,
// and the errors an agent reports at start.

#include "lib/base/agent_conf.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace skein {
namespace {

class ConfDir {
 public:
  ConfDir() {
    char tmpl[] = "/tmp/skein-agent-conf-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~ConfDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name, const std::string& content) const {
    std::ofstream(path_ + "/" + name, std::ios::binary) << content;
    return path_ + "/" + name;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A CA certificate's shape (PEM lines); its content does not matter to the file.
constexpr char kCa[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

TEST(AgentConfTest, MachineAgentConfIsWhatBootstrapWrites) {
  AgentConf conf = MachineAgentConf("127.0.0.1:17070", "secret", "0", kCa);
  EXPECT_EQ(AgentConfYaml(conf),
            "controller: 127.0.0.1:17070\n"
            "entity: machine-0\n"
            "credential: secret\n"
            "machine-id: \"0\"\n"
            "ca-cert: |\n"
            "  -----BEGIN CERTIFICATE-----\n"
            "  MIIB\n"
            "  -----END CERTIFICATE-----\n");
}

TEST(AgentConfTest, UnitAgentConfCarriesItsUnitAndModel) {
  AgentConf conf{"127.0.0.1:17070", "unit-app-0", "s3cret", "app/0", "0", "0b5c3c7e-6f1a-4c1e-9a43-2f7d2e8b9c10",
                 kCa};
  EXPECT_EQ(AgentConfYaml(conf),
            "controller: 127.0.0.1:17070\n"
            "entity: unit-app-0\n"
            "credential: s3cret\n"
            "unit: app/0\n"
            "machine-id: \"0\"\n"
            "model-uuid: 0b5c3c7e-6f1a-4c1e-9a43-2f7d2e8b9c10\n"
            "ca-cert: |\n"
            "  -----BEGIN CERTIFICATE-----\n"
            "  MIIB\n"
            "  -----END CERTIFICATE-----\n");
}

TEST(AgentConfTest, WritesPrivatelyAndReadsBack) {
  ConfDir dir;
  const std::string path = dir.path() + "/agent.conf";
  AgentConf conf{"127.0.0.1:4242", "unit-app-0", "s3cret", "app/0", "0", "7d0e4b8a-1c2f-4e3a-8b5d-6f7a8b9c0d1e", kCa};
  ASSERT_TRUE(WriteAgentConf(path, conf).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  auto back = ReadAgentConf(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->controller, "127.0.0.1:4242");
  EXPECT_EQ(back->entity, "unit-app-0");
  EXPECT_EQ(back->credential, "s3cret");
  EXPECT_EQ(back->unit, "app/0");
  EXPECT_EQ(back->machine_id, "0");
  EXPECT_EQ(back->model_uuid, "7d0e4b8a-1c2f-4e3a-8b5d-6f7a8b9c0d1e");
  EXPECT_EQ(back->ca_cert, kCa);

  // Rewriting replaces the whole file: the machine agent's has no unit or model.
  ASSERT_TRUE(WriteAgentConf(path, MachineAgentConf("127.0.0.1:4243", "other", "0", kCa)).ok());
  EXPECT_EQ(Slurp(path),
            "controller: 127.0.0.1:4243\nentity: machine-0\ncredential: other\nmachine-id: \"0\"\nca-cert: |\n"
            "  -----BEGIN CERTIFICATE-----\n  MIIB\n  -----END CERTIFICATE-----\n");
  back = ReadAgentConf(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->unit, "");
  EXPECT_EQ(back->model_uuid, "");
}

TEST(AgentConfTest, ReportsWhatAnAgentCannotStartWith) {
  ConfDir dir;
  auto missing = ReadAgentConf(dir.path() + "/agent.conf");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "agent config " + dir.path() + "/agent.conf not found");

  std::string list = dir.File("list.conf", "- a\n- b\n");
  EXPECT_EQ(ReadAgentConf(list).status().message(), list + " is not a YAML mapping");

  std::string no_credential = dir.File("partial.conf", "controller: 127.0.0.1:1\nentity: machine-0\n");
  auto partial = ReadAgentConf(no_credential);
  EXPECT_EQ(partial.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(partial.status().message(), no_credential + " has no credential");

  // An agent.conf from before TLS: the agent would have no CA to check the controller with.
  std::string no_ca = dir.File("no-ca.conf", "controller: 127.0.0.1:1\nentity: machine-0\ncredential: s\n");
  EXPECT_EQ(ReadAgentConf(no_ca).status().message(), no_ca + " has no ca-cert");

  std::string broken = dir.File("broken.conf", "controller: [\n");
  EXPECT_EQ(ReadAgentConf(broken).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skein
