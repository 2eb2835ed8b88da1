#include "tests/tools/cli/controller_fixture.h"

#include "lib/base/credential.h"
#include "tests/test_tls.h"
#include "tests/tools/cli/test_util.h"

namespace skein::cli::testing {

absl::StatusOr<std::unique_ptr<controller::api::ControllerServer>> StartControllerForCli(const std::string& dir,
                                                                                         const std::string& data_dir) {
  controller::api::ServerOptions options;
  options.db_path = dir + "/controller.db";
  controller::domain::model::BootstrapConfig boot;
  boot.controller_uuid = "c0ffee00-0000-4000-8000-000000000000";
  boot.admin_credential_hash = TestAdminHash();
  boot.machine0_credential_hash = HashCredential("machine-secret-for-tests");
  boot.machine0_hostname = "testhost";
  options.bootstrap = boot;
  options.executor_threads = 2;
  options.tls = skein::testing::TestCertificates().server;
  auto server = controller::api::ControllerServer::Start(options);
  if (!server.ok()) return server.status();
  RegisterController(data_dir, (*server)->address());
  return server;
}

void ControllerCliTest::SetUp() {
  auto server = StartControllerForCli(dir_.path(), data_);
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = std::move(*server);
  CliRun r = Skein({"add-model", "dev"});
  ASSERT_EQ(r.code, 0) << r.err;
}

void ControllerCliTest::TearDown() {
  if (server_) server_->Shutdown();
}

CliRun ControllerCliTest::Skein(const std::vector<std::string>& args, const RunOptions& options) const {
  return RunSkein(data_, args, options);
}

}  // namespace skein::cli::testing
