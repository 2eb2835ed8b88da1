// Secrets end to end with real agents and the `secretive` test charm: the owner's leader adds a
// secret, grants it over the relation and the reader reads it; an application without a grant is
// refused; a new revision is seen with --peek and --refresh while the reader keeps tracking the
// old one; a user secret is readable by the units of an application it was granted to. The secret
// hooks run with JUJU_SECRET_*: secret-changed for the reader, secret-remove for the owner once a
// revision is no longer read, secret-expired when an expiry falls due.

#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

using nlohmann::json;

class SecretsE2eTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  // The text after `<unit> <hook> ` of the log lines starting so, in order.
  std::vector<std::string> Lines(const std::string& unit, const std::string& hook) {
    return HookLogLines(log_, unit, hook);
  }
  // Waits for a log line of `unit` in `hook` equal to `line`, or starting with it when `prefix`.
  bool Logged(const std::string& unit, const std::string& hook, const std::string& line, bool prefix = false) {
    return WaitFor([&] {
      auto lines = Lines(unit, hook);
      return std::any_of(lines.begin(), lines.end(),
                         [&](const std::string& l) { return prefix ? l.rfind(line, 0) == 0 : l == line; });
    });
  }

  Cluster cluster_;
  std::string log_ = cluster_.scratch_dir() + "/secretive.log";
};

TEST_F(SecretsE2eTest, GrantedReadersReadOthersAreRefusedRevisionsAndUserSecrets) {
  Ok({"bootstrap"});
  Ok({"add-model", "sec"});
  for (const char* app : {"owner", "reader", "outsider"}) {
    Ok({"deploy", TestCharm("secretive"), app, "--config", "log-path=" + log_});
  }
  Ok({"integrate", "owner:share", "reader:fetch"});
  ASSERT_TRUE(Logged("owner/0", "share-relation-joined", "granted secret:", true)) << ReadFile(log_);
  const std::string uri = Lines("owner/0", "share-relation-joined")[0].substr(std::string("granted ").size());
  ASSERT_TRUE(Logged("reader/0", "fetch-relation-changed", "read one")) << ReadFile(log_);

  // Without a grant the secret cannot be read.
  Ok({"config", "outsider", "probe-uri=" + uri});
  ASSERT_TRUE(Logged("outsider/0", "config-changed", "probe=ERROR permission denied")) << ReadFile(log_);

  // A new revision: the reader keeps its tracked revision until it refreshes.
  Ok({"config", "owner", "content=two"});
  ASSERT_TRUE(Logged("owner/0", "config-changed", "set revision=2")) << ReadFile(log_);
  // secret-changed tells the reader, with the secret and its new revision (it set no label).
  ASSERT_TRUE(Logged("reader/0", "secret-changed", uri + " label= revision=2")) << ReadFile(log_);
  Ok({"config", "reader", "tick=1"});
  ASSERT_TRUE(Logged("reader/0", "config-changed", "tracked=one latest=two")) << ReadFile(log_);
  Ok({"config", "reader", "refresh=true"});
  ASSERT_TRUE(Logged("reader/0", "config-changed", "refreshed=two")) << ReadFile(log_);
  // Nobody reads revision 1 any more: the owner's leader runs secret-remove for it, once, and
  // removes it; secret-changed ran once for revision 2.
  ASSERT_TRUE(Logged("owner/0", "secret-remove", uri + " label=shared revision=1 removed")) << ReadFile(log_);
  EXPECT_EQ(Lines("owner/0", "secret-remove").size(), 1u) << ReadFile(log_);
  EXPECT_EQ(Lines("reader/0", "secret-changed").size(), 1u) << ReadFile(log_);
  EXPECT_TRUE(Lines("owner/0", "secret-changed").empty()) << "the owner reads the latest; no secret-changed";

  // An expiry on the latest revision: secret-expired runs for it when it falls due.
  Ok({"config", "owner", "expire=2s"});
  ASSERT_TRUE(Logged("owner/0", "config-changed", "expire=2s")) << ReadFile(log_);
  ASSERT_TRUE(Logged("owner/0", "secret-expired", uri + " label=shared revision=2")) << ReadFile(log_);

  // The controller shows the charm's secret and its grant, without its content.
  CliResult listed = cluster_.Skein({"secrets", "--format", "json"});
  ASSERT_EQ(listed.code, 0) << listed.err;
  json secrets = json::parse(listed.out);
  const std::string id = uri.substr(std::string("secret:").size());
  ASSERT_TRUE(secrets.contains(id)) << listed.out;
  EXPECT_EQ(secrets[id]["owner"], "owner");
  EXPECT_EQ(secrets[id]["revision"], 2);
  EXPECT_EQ(secrets[id]["label"], "shared");
  EXPECT_EQ(secrets[id]["access"][0]["target"], "application-reader");
  EXPECT_EQ(listed.out.find("two"), std::string::npos) << "secret content in `secrets`";
  EXPECT_EQ(cluster_.Status().dump().find("\"two\""), std::string::npos) << "secret content in status";

  // A user secret: refused before the grant, read after it.
  CliResult added = cluster_.Skein({"add-secret", "login", "username=admin"});
  ASSERT_EQ(added.code, 0) << added.err;
  const std::string user_uri = added.out.substr(0, added.out.size() - 1);
  Ok({"config", "reader", "user-secret=" + user_uri});
  ASSERT_TRUE(Logged("reader/0", "config-changed", "user=ERROR permission denied")) << ReadFile(log_);
  Ok({"grant-secret", "login", "reader"});
  Ok({"config", "reader", "tick=2"});
  ASSERT_TRUE(Logged("reader/0", "config-changed", "user=admin")) << ReadFile(log_);
  // The key the content is sealed with was made at bootstrap beside the controller's TLS key.
  struct stat key {};
  ASSERT_EQ(::stat((cluster_.data_dir() + "/controller/secrets.key").c_str(), &key), 0);
  EXPECT_EQ(key.st_mode & 0777, 0600u);
  EXPECT_EQ(key.st_size, 32);
  Ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::e2e
