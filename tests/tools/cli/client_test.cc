// client.yaml, --model references and reading local charm directories.

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
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
  c.controllers["local"] = ControllerEntry{"127.0.0.1:41234", "uuid-1", "s3cr-et/+", "dev"};
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

TEST(CharmDirTest, KeepsModesAndLinksAndSkipsGitAndState) {
  TempDir dir;
  const std::string root = dir.path() + "/charm";
  WriteFile(root + "/metadata.yaml", "name: demo\n");
  WriteFile(root + "/dispatch", "#!/bin/sh\n", 0755);
  WriteFile(root + "/hooks/install", "#!/bin/sh\necho hi\n", 0750);
  WriteFile(root + "/src/charm.py", "print(1)\n", 0644);
  WriteFile(root + "/.git/HEAD", "ref: refs/heads/main\n");
  WriteFile(root + "/.unit-state.db", "state");
  WriteFile(root + "/.jujuignore", "/venv\n");
  ASSERT_EQ(::symlink("src/charm.py", (root + "/link.py").c_str()), 0);
  auto archive = ReadCharmDir(root);
  ASSERT_TRUE(archive.ok()) << archive.status();
  std::map<std::string, const skein::v1::CharmFile*> files;
  for (const auto& f : archive->files()) files[f.path()] = &f;
  std::vector<std::string> paths;
  for (const auto& [p, f] : files) paths.push_back(p);
  EXPECT_EQ(paths, (std::vector<std::string>{".jujuignore", "dispatch", "hooks/install", "link.py", "metadata.yaml",
                                             "src/charm.py"}));
  EXPECT_EQ(files["dispatch"]->mode(), 0755u);
  EXPECT_EQ(files["hooks/install"]->mode(), 0750u);
  EXPECT_EQ(files["src/charm.py"]->mode(), 0644u);
  EXPECT_EQ(files["hooks/install"]->content(), "#!/bin/sh\necho hi\n");
  EXPECT_TRUE(files["link.py"]->is_symlink());
  EXPECT_EQ(files["link.py"]->content(), "src/charm.py");
  EXPECT_FALSE(files["dispatch"]->is_symlink());
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
  EXPECT_EQ(charm->archive.files_size(), 2);
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
