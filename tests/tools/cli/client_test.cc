// client.yaml, --model references and local charms (directories and archives).

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "lib/charm/charm_zip.h"
#include "tests/tools/cli/test_util.h"
#include "tools/cli/client/charm_dir.h"
#include "tools/cli/client/client_store.h"
#include "tools/cli/client/model_ref.h"

namespace skein::cli::client {
namespace {

using testing::TempDir;
using testing::WriteFile;

TEST(ClientStoreTest, RoundTripWithPrivateMode) {
  TempDir dir;
  ClientConfig c;
  c.current_controller = "local";
  const std::string ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  c.controllers["local"] = ControllerEntry{"127.0.0.1:41234", "uuid-1", "s3cr-et/+", "dev", ca};
  ASSERT_TRUE(SaveClientConfig(dir.path(), c).ok());
  struct stat st {};
  ASSERT_EQ(::stat(ClientConfigPath(dir.path()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = LoadClientConfig(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->current_controller, "local");
  ASSERT_EQ(loaded->controllers.count("local"), 1u);
  const ControllerEntry& e = loaded->controllers["local"];
  EXPECT_EQ(e.address, "127.0.0.1:41234");
  EXPECT_EQ(e.uuid, "uuid-1");
  EXPECT_EQ(e.admin_credential, "s3cr-et/+");
  EXPECT_EQ(e.current_model, "dev");
  EXPECT_EQ(e.ca_cert, ca);
  std::ifstream f(ClientConfigPath(dir.path()));
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.rfind("current-controller: local\ncontrollers:\n  local:\n    address: 127.0.0.1:41234\n", 0), 0u)
      << text;
}

TEST(ClientStoreTest, MissingFileMeansNoControllers) {
  TempDir dir;
  auto loaded = LoadClientConfig(dir.path() + "/nope");
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded->controllers.empty());
  auto current = CurrentController(*loaded);
  ASSERT_FALSE(current.ok());
  EXPECT_EQ(current.status().message().substr(0, 26), "No controllers registered.");
}

TEST(ClientStoreTest, GarbageIsAnError) {
  TempDir dir;
  WriteFile(dir.path() + "/client.yaml", "controllers: [unclosed\n");
  EXPECT_FALSE(LoadClientConfig(dir.path()).ok());
}

TEST(ModelRefTest, AllFourForms) {
  struct Case {
    std::string text, controller, user, model;
  };
  for (const Case& c : {Case{"m", "", "", "m"}, Case{"admin/m", "", "admin", "m"}, Case{"local:m", "local", "", "m"},
                        Case{"local:admin/m", "local", "admin", "m"}}) {
    auto ref = ParseModelRef(c.text);
    ASSERT_TRUE(ref.ok()) << c.text;
    EXPECT_EQ(ref->controller, c.controller) << c.text;
    EXPECT_EQ(ref->user, c.user) << c.text;
    EXPECT_EQ(ref->model, c.model) << c.text;
  }
  for (const char* bad : {"", ":m", "c:", "/m", "u/", "a/b/c", "c:u/m:x"}) EXPECT_FALSE(ParseModelRef(bad).ok()) << bad;
}

TEST(ModelRefTest, ResolvesAgainstClientConfig) {
  ClientConfig c;
  c.current_controller = "local";
  c.controllers["local"] = ControllerEntry{"127.0.0.1:1", "u", "s", "dev"};
  auto t = ResolveTarget(c, "");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->model, "dev");
  t = ResolveTarget(c, "local:admin/prod");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->model, "prod");
  EXPECT_EQ(t->controller_name, "local");
  t = ResolveTarget(c, "other:prod");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "controller \"other\" not found");
  c.controllers["local"].current_model.clear();
  EXPECT_FALSE(ResolveTarget(c, "").ok());
}

TEST(CharmDirTest, DirectoryIsPackedIntoATemporaryArchiveWithModesAndLinks) {
  TempDir dir;
  const std::string root = dir.path() + "/charm";
  WriteFile(root + "/metadata.yaml", "name: demo\n");
  WriteFile(root + "/dispatch", "#!/bin/sh\n", 0755);
  WriteFile(root + "/hooks/install", "#!/bin/sh\necho hi\n", 0750);
  WriteFile(root + "/src/charm.py", "print(1)\n", 0644);
  WriteFile(root + "/.git/HEAD", "ref: refs/heads/main\n");
  WriteFile(root + "/.unit-state.db", "state");
  ASSERT_EQ(::symlink("src/charm.py", (root + "/link.py").c_str()), 0);
  std::string packed;
  {
    auto charm = LoadLocalCharm(root);
    ASSERT_TRUE(charm.ok()) << charm.status();
    packed = charm->archive.path();
    EXPECT_NE(packed, root);
    auto zip = charm::CharmZip::Open(packed);
    ASSERT_TRUE(zip.ok()) << zip.status();
    std::vector<std::string> paths;
    for (const auto& e : (*zip)->entries()) paths.push_back(e.path);
    EXPECT_EQ(paths, (std::vector<std::string>{"dispatch", "hooks", "hooks/install", "link.py", "metadata.yaml", "src",
                                               "src/charm.py"}));
    EXPECT_EQ((*zip)->Find("dispatch")->mode, 0755u);
    EXPECT_EQ((*zip)->Find("hooks/install")->mode, 0750u);
    EXPECT_EQ((*zip)->Find("link.py")->link_target, "src/charm.py");
  }
  EXPECT_FALSE(std::filesystem::exists(packed)) << "the temporary archive outlived the charm";
}

TEST(CharmDirTest, ArchiveIsCheckedAndUsedAsItIs) {
  TempDir dir;
  WriteFile(dir.path() + "/c/metadata.yaml", "name: demo\n");
  auto from_dir = LoadLocalCharm(dir.path() + "/c");
  ASSERT_TRUE(from_dir.ok());
  const std::string archive = dir.path() + "/demo_ubuntu-22.04-amd64.charm";
  std::filesystem::copy_file(from_dir->archive.path(), archive);
  EXPECT_TRUE(IsCharmArchive(archive));
  {
    auto charm = LoadLocalCharm(archive);
    ASSERT_TRUE(charm.ok()) << charm.status();
    EXPECT_EQ(charm->archive.path(), archive);
    EXPECT_EQ(charm->name, "demo");
  }
  EXPECT_TRUE(std::filesystem::exists(archive)) << "the user's archive was removed";

  WriteFile(dir.path() + "/bundle.yaml", "applications: {}\n");
  EXPECT_FALSE(IsCharmArchive(dir.path() + "/bundle.yaml"));
  WriteFile(dir.path() + "/broken.charm", "not a zip");
  EXPECT_TRUE(IsCharmArchive(dir.path() + "/broken.charm")) << "a .charm is a charm, even a damaged one";
  auto broken = LoadLocalCharm(dir.path() + "/broken.charm");
  EXPECT_EQ(broken.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(broken.status().message()).rfind("invalid charm \"" + dir.path() + "/broken.charm\": ", 0), 0u)
      << broken.status();
}

TEST(CharmDirTest, CharmcraftYamlAloneIsACharm) {
  TempDir dir;
  WriteFile(dir.path() + "/c/charmcraft.yaml", "type: charm\nname: crafted\nbase: ubuntu@24.04\n"
                                               "config:\n  options:\n    port: {type: int, default: 1}\n");
  auto charm = LoadLocalCharm(dir.path() + "/c");
  ASSERT_TRUE(charm.ok()) << charm.status();
  EXPECT_EQ(charm->name, "crafted");
  EXPECT_EQ(charm->base, "ubuntu@24.04");
  EXPECT_EQ(charm->config.count("port"), 1u);
}

TEST(CharmDirTest, EscapingSymlinkInADirectoryIsRefused) {
  TempDir dir;
  WriteFile(dir.path() + "/c/metadata.yaml", "name: demo\n");
  ASSERT_EQ(::symlink("../../outside", (dir.path() + "/c/up").c_str()), 0);
  auto charm = LoadLocalCharm(dir.path() + "/c");
  ASSERT_FALSE(charm.ok());
  EXPECT_EQ(charm.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(charm.status().message()).find("symlink \"up\" -> \"../../outside\" points outside the charm"),
            std::string::npos)
      << charm.status();
}

TEST(CharmDirTest, LoadNeedsMetadata) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/empty");
  auto charm = LoadLocalCharm(dir.path() + "/empty");
  ASSERT_FALSE(charm.ok());
  EXPECT_EQ(charm.status().message(), "no charm found at \"" + dir.path() + "/empty\"");
  charm = LoadLocalCharm(dir.path() + "/missing");
  ASSERT_FALSE(charm.ok());
  EXPECT_EQ(charm.status().code(), absl::StatusCode::kNotFound);
}

TEST(CharmDirTest, LoadReadsNameAndBase) {
  TempDir dir;
  WriteFile(dir.path() + "/c/metadata.yaml", "name: demo\nsummary: s\ndescription: d\n");
  WriteFile(dir.path() + "/c/manifest.yaml", "bases:\n- name: ubuntu\n  channel: \"24.04\"\n");
  auto charm = LoadLocalCharm(dir.path() + "/c");
  ASSERT_TRUE(charm.ok()) << charm.status();
  EXPECT_EQ(charm->name, "demo");
  EXPECT_EQ(charm->base, "ubuntu@24.04");
}

TEST(CharmDirTest, LocalPathDetection) {
  EXPECT_TRUE(IsLocalPath("./x"));
  EXPECT_TRUE(IsLocalPath("/abs/x"));
  EXPECT_TRUE(IsLocalPath("../x"));
  EXPECT_FALSE(IsLocalPath("kubeflow"));
  EXPECT_FALSE(IsLocalPath(""));
}

}  // namespace
}  // namespace skein::cli::client
