// Contract tests for secret-add, secret-set, secret-get, secret-info-get, secret-grant,
// secret-revoke, secret-remove and secret-ids: the argv ops sends (ops-compat-notes §2.2), what
// they print, and the errors ops parses (`not found` -> SecretNotFoundError).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "nlohmann/json.hpp"
#include "tests/agents/hook/fake_hook_context.h"

namespace skein::agent::testing {
namespace {

class SecretToolsTest : public ::testing::Test {
 protected:
  SecretToolsTest() : ctx_("db/0", "start") {
    ctx_.AddRelation(4, "db", "app", {"app/0", "app/1"});
    dir_ = std::filesystem::temp_directory_path() / ("secret-tools-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  ~SecretToolsTest() override { std::filesystem::remove_all(dir_); }

  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  // secret-add as ops sends it; the URI it printed.
  std::string Add(std::vector<std::string> args) {
    ToolResult r = ctx_.Run("secret-add", std::move(args));
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_THAT(r.out, ::testing::MatchesRegex("secret:[0-9a-z]+\n"));
    return r.out.substr(0, r.out.size() - 1);
  }

  FakeHookContext ctx_;
  std::filesystem::path dir_;
};

TEST_F(SecretToolsTest, AddTakesValuesBase64AndFilesAndPrintsTheUri) {
  // ops: `secret-add --label L --description D --expire <RFC3339> --rotate P --owner application k#file=...`
  std::string file = WriteFile("password", "from a file\n");
  std::string uri = Add({"--label", "db-pass", "--description", "the password", "--expire", "2026-12-01T00:00:00Z",
                         "--rotate", "daily", "--owner", "application", "password#file=" + file, "user=admin",
                         "blob#base64=aGVsbG8="});
  const auto& s = ctx_.secrets.at(uri);
  EXPECT_EQ(s.owner, "application");
  EXPECT_EQ(s.fields.label, "db-pass");
  EXPECT_EQ(s.fields.description, "the password");
  EXPECT_EQ(s.fields.expire, "2026-12-01T00:00:00Z");
  EXPECT_EQ(s.fields.rotate, "daily");
  EXPECT_EQ(s.revisions.back(),
            (std::map<std::string, std::string>{{"password", "from a file\n"}, {"user", "admin"}, {"blob", "hello"}}));
  // Relative files are read against the tool's cwd; --file takes a YAML mapping.
  std::string yaml = WriteFile("content.yaml", "username: root\ntoken: abc\n");
  ToolResult r = ctx_.Run("secret-add", {"--owner", "unit", "--file", "content.yaml"}, std::nullopt, dir_.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ctx_.secrets.at(r.out.substr(0, r.out.size() - 1)).revisions.back().at("username"), "root");
}

TEST_F(SecretToolsTest, AddUsageAndRuntimeErrors) {
  ToolResult r = ctx_.Run("secret-add", {});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR missing secret value or filename\n");
  r = ctx_.Run("secret-add", {"novalue"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR expected \"key=value\", got \"novalue\"\n");
  r = ctx_.Run("secret-add", {"--owner", "model", "k=v"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR secret owner \"model\" not valid\n");
  r = ctx_.Run("secret-add", {"key#base64=!!!"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR invalid base64 value for key \"key\"\n");
  r = ctx_.Run("secret-add", {"key#file=/nonexistent/file"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, ::testing::HasSubstr("no such file or directory"));
  ctx_.leader = false;
  r = ctx_.Run("secret-add", {"k=v"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR this unit is not the leader\n");
  EXPECT_TRUE(ctx_.secrets.empty());
}

TEST_F(SecretToolsTest, GetPrintsContentAsYamlOrJsonOrOneKey) {
  std::string uri = Add({"--label", "creds", "username=admin", "password=s3cret"});
  ToolResult r = ctx_.Run("secret-get", {uri});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "password: s3cret\nusername: admin\n");
  // ops: `secret-get --format=json <id> --peek` (the flag after the positional).
  r = ctx_.Run("secret-get", {"--format=json", uri, "--peek"});
  EXPECT_EQ(r.out, "{\"password\":\"s3cret\",\"username\":\"admin\"}\n");
  EXPECT_TRUE(ctx_.secrets.at(uri).peeked);
  r = ctx_.Run("secret-get", {"--format=json", uri, "--refresh"});
  EXPECT_TRUE(ctx_.secrets.at(uri).refreshed);
  EXPECT_EQ(ctx_.Run("secret-get", {uri, "username"}).out, "admin\n");
  EXPECT_EQ(ctx_.Run("secret-get", {uri, "username#base64"}).out, "YWRtaW4=\n");
  EXPECT_EQ(ctx_.Run("secret-get", {"--label", "creds", "--format", "json"}).out,
            "{\"password\":\"s3cret\",\"username\":\"admin\"}\n");
}

TEST_F(SecretToolsTest, GetErrorsAreThoseOpsMaps) {
  ToolResult r = ctx_.Run("secret-get", {"--format=json", "secret:cnotthere0000000000"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR secret \"secret:cnotthere0000000000\" not found\n");
  r = ctx_.Run("secret-get", {"--label", "missing"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, ::testing::HasSubstr("not found"));
  r = ctx_.Run("secret-get", {});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR require either a secret URI or label\n");
  r = ctx_.Run("secret-get", {"secret:x", "--peek", "--refresh"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR specify one of --peek or --refresh but not both\n");
}

TEST_F(SecretToolsTest, SetChangesWhatItNamesAndAddsARevisionForNewContent) {
  std::string uri = Add({"--label", "one", "k=v1"});
  std::string file = WriteFile("k", "v2");
  // ops: `secret-set [--label …] … --owner application <ID> k#file=…`
  ToolResult r = ctx_.Run("secret-set", {"--description", "changed", "--owner", "application", uri, "k#file=" + file});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto& s = ctx_.secrets.at(uri);
  EXPECT_EQ(s.revisions.size(), 2u);
  EXPECT_EQ(s.fields.description, "changed");
  EXPECT_EQ(s.fields.label, "one");  // not named: unchanged
  EXPECT_EQ(ctx_.Run("secret-set", {"--label", "two", uri}).code, 0);
  EXPECT_EQ(ctx_.secrets.at(uri).fields.label, "two");
  EXPECT_EQ(ctx_.secrets.at(uri).revisions.size(), 2u);
  r = ctx_.Run("secret-set", {});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR missing secret URI\n");
  r = ctx_.Run("secret-set", {"secret:cnotthere0000000000", "k=v"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, ::testing::HasSubstr("not found"));
}

TEST_F(SecretToolsTest, InfoGetPrintsTheMetadataKeyedByTheBareId) {
  std::string uri = Add({"--label", "creds", "--description", "d", "--rotate", "weekly", "k=v"});
  ToolResult r = ctx_.Run("secret-info-get", {"--format=json", uri});
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json doc = nlohmann::json::parse(r.out);
  const std::string id = uri.substr(7);
  ASSERT_TRUE(doc.contains(id)) << r.out;
  EXPECT_EQ(doc[id]["revision"], 1);
  EXPECT_EQ(doc[id]["label"], "creds");
  EXPECT_EQ(doc[id]["owner"], "application");
  EXPECT_EQ(doc[id]["description"], "d");
  EXPECT_EQ(doc[id]["rotation"], "weekly");
  EXPECT_EQ(ctx_.Run("secret-info-get", {"--label", "creds", "--format=json"}).out, r.out);
  r = ctx_.Run("secret-info-get", {uri, "--label", "creds"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR specify either a secret URI or label but not both\n");
  r = ctx_.Run("secret-info-get", {"--label", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR secret \"nope\" not found\n");
}

TEST_F(SecretToolsTest, GrantAndRevokeNameARelationAndOptionallyAUnit) {
  std::string uri = Add({"k=v"});
  // ops: `secret-grant --relation N [--unit u] <ID>`; `-r db:4` as relation tools take it.
  ASSERT_EQ(ctx_.Run("secret-grant", {"--relation", "4", uri}).code, 0);
  EXPECT_EQ(ctx_.secrets.at(uri).grants.at(4), "");
  ASSERT_EQ(ctx_.Run("secret-grant", {"-r", "db:4", "--unit", "app/1", uri}).code, 0);
  EXPECT_EQ(ctx_.secrets.at(uri).grants.at(4), "app/1");
  ASSERT_EQ(ctx_.Run("secret-revoke", {"--relation", "4", uri}).code, 0);
  EXPECT_TRUE(ctx_.secrets.at(uri).grants.empty());
  ToolResult r = ctx_.Run("secret-grant", {uri});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR missing relation\n");
  r = ctx_.Run("secret-grant", {"-r", "9", uri});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("relation not found"));
  r = ctx_.Run("secret-revoke", {"-r", "4"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR missing secret URI\n");
}

TEST_F(SecretToolsTest, RemoveTakesTheSecretOrOneRevisionAndIdsListsWhatIsOwned) {
  std::string first = Add({"k=v1"});
  std::string second = Add({"k=v"});
  ASSERT_EQ(ctx_.Run("secret-set", {first, "k=v2"}).code, 0);
  ToolResult ids = ctx_.Run("secret-ids", {"--format=json"});
  EXPECT_EQ(ids.out, nlohmann::json({first, second}).dump() + "\n");
  EXPECT_EQ(ctx_.Run("secret-ids", {}).out, first + "\n" + second + "\n");
  ASSERT_EQ(ctx_.Run("secret-remove", {first, "--revision", "1"}).code, 0);
  EXPECT_EQ(ctx_.secrets.at(first).revisions.size(), 1u);
  ToolResult r = ctx_.Run("secret-remove", {first, "--revision", "0"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR invalid value \"0\" for option --revision: revision must be a positive integer\n");
  ASSERT_EQ(ctx_.Run("secret-remove", {first}).code, 0);
  EXPECT_FALSE(ctx_.secrets.contains(first));
  r = ctx_.Run("secret-remove", {first});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR secret \"" + first + "\" not found\n");
}

TEST_F(SecretToolsTest, EveryToolHasHelp) {
  for (const char* tool : {"secret-add", "secret-set", "secret-get", "secret-info-get", "secret-grant",
                           "secret-revoke", "secret-remove", "secret-ids"}) {
    ToolResult r = ctx_.Run(tool, {"--help"});
    EXPECT_EQ(r.code, 0) << tool;
    EXPECT_THAT(r.out, ::testing::HasSubstr(std::string("Usage: ") + tool)) << tool;
  }
}

}  // namespace
}  // namespace skein::agent::testing
