// User secrets from the CLI against a real controller in this process: add-secret prints
// exactly `secret:<id>`, secrets and show-secret print the documents jubilant parses (§7), and
// update-secret, grant-secret, revoke-secret and remove-secret change what they show.

#include <filesystem>
#include <fstream>
#include <regex>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/tools/cli/controller_fixture.h"

namespace skein::cli {
namespace {

namespace fs = std::filesystem;
using testing::CliRun;

class SecretsCliTest : public testing::ControllerCliTest {
 protected:
  std::string File(const std::string& name, const std::string& text) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  // A charm directory with nothing but its metadata, deployed as `app`.
  void DeployApp(const std::string& app) {
    std::string charm = dir_.path() + "/charm-" + app;
    fs::create_directories(charm);
    std::ofstream(charm + "/metadata.yaml") << "name: " << app << "\nsummary: s\ndescription: d\n";
    CliRun r = Skein({"deploy", charm, app});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  nlohmann::json Json(const CliRun& r) {
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
};

TEST_F(SecretsCliTest, AddPrintsTheUriAndSecretsAndShowSecretPrintTheDocuments) {
  CliRun empty = Skein({"secrets", "--format", "json"});
  EXPECT_EQ(empty.code, 0) << empty.err;
  EXPECT_EQ(empty.out, "{}\n");
  // jubilant: `add-secret NAME --info TEXT --file PATH`.
  CliRun added = Skein({"add-secret", "db-login", "--info", "the db login", "--file",
                        File("content.yaml", "username: admin\npassword: s3cret\n")});
  ASSERT_EQ(added.code, 0) << added.err;
  EXPECT_TRUE(std::regex_match(added.out, std::regex("secret:[0-9a-v]{20}\n"))) << added.out;
  const std::string uri = added.out.substr(0, added.out.size() - 1);
  const std::string id = uri.substr(7);

  nlohmann::json list = Json(Skein({"secrets", "--format", "json"}));
  ASSERT_TRUE(list.contains(id)) << list.dump();
  EXPECT_EQ(list[id]["revision"], 1);
  EXPECT_EQ(list[id]["owner"], "<model>");
  EXPECT_EQ(list[id]["name"], "db-login");
  EXPECT_EQ(list[id]["description"], "the db login");
  const std::regex timestamp("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
  EXPECT_TRUE(std::regex_match(list[id]["created"].get<std::string>(), timestamp)) << list.dump();
  EXPECT_TRUE(std::regex_match(list[id]["updated"].get<std::string>(), timestamp));
  EXPECT_FALSE(list[id].contains("content"));  // never without --reveal
  EXPECT_EQ(Json(Skein({"secrets", "--owner", "mysql", "--format", "json"})), nlohmann::json::object());

  // By name, bare id, secret:<id> and secret://<model-uuid>/<id>.
  nlohmann::json shown = Json(Skein({"show-secret", "db-login", "--format", "json"}));
  EXPECT_FALSE(shown[id].contains("content"));
  EXPECT_EQ(Json(Skein({"show-secret", id, "--format", "json"})), shown);
  EXPECT_EQ(Json(Skein({"show-secret", uri, "--format", "json"})), shown);
  nlohmann::json revealed = Json(Skein({"show-secret", uri, "--format", "json", "--reveal"}));
  EXPECT_EQ(revealed[id]["content"]["Data"], (nlohmann::json{{"password", "s3cret"}, {"username", "admin"}}));

  // update-secret adds a revision; --revision reads an older one back.
  ASSERT_EQ(Skein({"update-secret", "db-login", "--name", "login", "--file",
                   File("new.yaml", "username: admin\npassword: n3w\n")})
                .code,
            0);
  nlohmann::json updated = Json(Skein({"show-secret", "login", "--reveal", "--revisions", "--format", "json"}));
  EXPECT_EQ(updated[id]["revision"], 2);
  EXPECT_EQ(updated[id]["name"], "login");
  EXPECT_EQ(updated[id]["content"]["Data"]["password"], "n3w");
  ASSERT_EQ(updated[id]["revisions"].size(), 2u);
  EXPECT_EQ(updated[id]["revisions"][0]["revision"], 1);
  nlohmann::json old = Json(Skein({"show-secret", id, "--reveal", "--revision", "1", "--format", "json"}));
  EXPECT_EQ(old[id]["content"]["Data"]["password"], "s3cret");
  // YAML is the default format.
  CliRun yaml = Skein({"show-secret", "login"});
  EXPECT_THAT(yaml.out, ::testing::HasSubstr("owner: <model>"));
}

TEST_F(SecretsCliTest, GrantRevokeAndRemove) {
  DeployApp("reader");
  CliRun added = Skein({"add-secret", "token", "value=abc"});
  ASSERT_EQ(added.code, 0) << added.err;
  const std::string id = added.out.substr(7, 20);
  ASSERT_EQ(Skein({"grant-secret", "token", "reader"}).code, 0);
  nlohmann::json shown = Json(Skein({"show-secret", "token", "--format", "json"}));
  ASSERT_EQ(shown[id]["access"].size(), 1u) << shown.dump();
  EXPECT_EQ(shown[id]["access"][0]["target"], "application-reader");
  EXPECT_EQ(shown[id]["access"][0]["role"], "view");
  CliRun missing_app = Skein({"grant-secret", "token", "reader,nope"});
  EXPECT_EQ(missing_app.code, 1);
  EXPECT_EQ(missing_app.err, "ERROR application \"nope\" not found\n");
  ASSERT_EQ(Skein({"revoke-secret", "token", "reader"}).code, 0);
  EXPECT_FALSE(Json(Skein({"show-secret", "token", "--format", "json"}))[id].contains("access"));

  ASSERT_EQ(Skein({"update-secret", id, "value=def"}).code, 0);
  ASSERT_EQ(Skein({"remove-secret", id, "--revision", "1"}).code, 0);
  CliRun gone_revision = Skein({"show-secret", id, "--reveal", "--revision", "1", "--format", "json"});
  EXPECT_EQ(gone_revision.code, 1);
  EXPECT_THAT(gone_revision.err, ::testing::HasSubstr("not found"));
  ASSERT_EQ(Skein({"remove-secret", "token"}).code, 0);
  CliRun gone = Skein({"show-secret", "token"});
  EXPECT_EQ(gone.code, 1);
  EXPECT_EQ(gone.err, "ERROR secret \"token\" not found\n");
  EXPECT_EQ(Skein({"secrets", "--format", "json"}).out, "{}\n");
}

TEST_F(SecretsCliTest, UsageErrorsExitTwoAndWriteNothing) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  } cases[] = {
      {{"add-secret"}, "ERROR missing secret name\n"},
      {{"add-secret", "x"}, "ERROR missing secret value or filename\n"},
      {{"add-secret", "x", "novalue"}, "ERROR expected \"key=value\", got \"novalue\"\n"},
      {{"remove-secret"}, "ERROR missing secret URI or name\n"},
      {{"remove-secret", "x", "--revision", "0"},
       "ERROR invalid value \"0\" for option --revision: expected a positive integer\n"},
      {{"grant-secret", "x"}, "ERROR missing application names\n"},
      {{"show-secret", "x", "--format", "xml"}, "ERROR invalid value \"xml\" for option --format: unknown format \"xml\"\n"},
  };
  for (const Case& c : cases) {
    CliRun r = Skein(c.args);
    EXPECT_EQ(r.code, 2) << c.args[0];
    EXPECT_EQ(r.err, c.err) << c.args[0];
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(Skein({"secrets", "--format", "json"}).out, "{}\n");
  CliRun dup = Skein({"add-secret", "one", "key=v"});
  ASSERT_EQ(dup.code, 0);
  dup = Skein({"add-secret", "one", "key=v"});
  EXPECT_EQ(dup.code, 1);
  EXPECT_EQ(dup.err, "ERROR secret with name \"one\" already exists\n");
  CliRun bad_key = Skein({"add-secret", "two", "k=v"});
  EXPECT_EQ(bad_key.code, 1);
  EXPECT_THAT(bad_key.err, ::testing::HasSubstr("invalid secret key \"k\""));
  for (const char* cmd : {"add-secret", "update-secret", "remove-secret", "secrets", "show-secret", "grant-secret",
                          "revoke-secret"}) {
    CliRun help = Skein({cmd, "--help"});
    EXPECT_EQ(help.code, 0) << cmd;
    EXPECT_THAT(help.out, ::testing::HasSubstr("Usage: skein " + std::string(cmd))) << cmd;
  }
}

}  // namespace
}  // namespace skein::cli
