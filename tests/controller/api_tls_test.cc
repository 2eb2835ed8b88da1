// The controller speaks TLS only (lib/rpc/tls.h): a plaintext client, a client that trusts
// another CA and a certificate past its end are all refused, and a caller without a valid
// credential is refused before the controller reads its message (controller/api/authn.h).

#include <chrono>

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "lib/base/limits.h"
#include "lib/rpc/tls.h"
#include "tests/controller/api_fixture.h"

namespace skein::controller {
namespace {

class TlsApiTest : public testing::ApiTest {
 protected:
  // Login as machine-0 on `channel`.
  static grpc::Status LoginOn(const std::shared_ptr<grpc::Channel>& channel) {
    auto stub = v1::Agent::NewStub(channel);
    v1::LoginRequest req;
    v1::LoginResponse resp;
    grpc::ClientContext ctx;
    rpc::PrepareContext(&ctx, Machine(), std::chrono::seconds(10));
    return stub->Login(&ctx, req, &resp);
  }
};

TEST_F(TlsApiTest, APlaintextClientIsRefused) {
  ASSERT_TRUE(LoginOn(rpc::MakeChannel(server_->address(), skein::testing::TestCaPem())).ok());
  // The same call with the same valid credential, without TLS: the credential never gets a
  // hearing, the connection fails at the handshake.
  grpc::Status plain = LoginOn(grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  EXPECT_EQ(plain.error_code(), grpc::StatusCode::UNAVAILABLE) << plain.error_message();
}

TEST_F(TlsApiTest, AClientThatTrustsAnotherCaIsRefused) {
  auto other_ca = rpc::CreateCertificateAuthority(RealClock());
  ASSERT_TRUE(other_ca.ok()) << other_ca.status();
  grpc::Status s = LoginOn(rpc::MakeChannel(server_->address(), other_ca->cert_pem));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(rpc::IsCertificateVerifyFailure(s.error_message())) << s.error_message();
}

TEST_F(TlsApiTest, ACertificateForAnotherHostOrPastItsEndIsRefused) {
  const absl::Time now = absl::Now();
  struct Case {
    const char* what;
    std::vector<std::string> hosts;
    absl::Time not_before, not_after;
  } cases[] = {
      {"expired", {"127.0.0.1", "localhost"}, now - absl::Hours(48), now - absl::Hours(24)},
      {"not yet valid", {"127.0.0.1", "localhost"}, now + absl::Hours(24), now + absl::Hours(48)},
      {"for another host", {"127.0.0.9", "ctl.example"}, now - absl::Hours(1), now + absl::Hours(24)},
  };
  for (const Case& c : cases) {
    auto cert = rpc::IssueServerCertificate(skein::testing::TestCertificates().ca, c.hosts, c.not_before, c.not_after);
    ASSERT_TRUE(cert.ok()) << cert.status();
    api::ServerOptions options;
    options.db_path = dir_.path() + "/" + c.what + ".db";
    options.bootstrap = testing::TestBootstrap();
    options.tls = *cert;
    auto server = api::ControllerServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    grpc::Status s = LoginOn(rpc::MakeChannel((*server)->address(), skein::testing::TestCaPem()));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << c.what;
    (*server)->Shutdown();
  }
}

TEST_F(TlsApiTest, TheControllerDoesNotStartWithoutACertificate) {
  api::ServerOptions options;
  options.db_path = dir_.path() + "/plain.db";
  options.bootstrap = testing::TestBootstrap();
  auto server = api::ControllerServer::Start(options);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(server.status().message(), "the controller serves TLS only and has no certificate");
}

// A Deploy request of about `bytes` bytes whose charm is not valid (a request that is read and
// handled fails harmlessly).
v1::DeployRequest LargeDeploy(size_t bytes) {
  v1::DeployRequest req;
  req.set_model("test");
  req.set_application("big");
  v1::CharmFile* file = req.mutable_charm()->add_files();
  file->set_path("blob");
  file->set_content(std::string(bytes, 'x'));
  return req;
}

TEST_F(TlsApiTest, ACallerWithoutCredentialsIsRefusedBeforeItsMessageIsRead) {
  const rpc::Identity wrong{"user-admin", "wrong"};
  v1::DeployResponse resp;
  // Under the largest request the controller accepts: only the credential stops it.
  const v1::DeployRequest legal = LargeDeploy(limits::kMaxRequestBytes - 2 * limits::kMiB);
  // Over it. gRPC refuses a message over the limit as soon as it reads the message's length
  // prefix, so the answer tells which check came first: `UNAUTHENTICATED` means the credential
  // was checked before a byte of the message was looked at.
  const v1::DeployRequest oversized = LargeDeploy(limits::kMaxRequestBytes + limits::kMiB);
  for (const v1::DeployRequest* req : {&legal, &oversized}) {
    grpc::ClientContext no_credential;
    no_credential.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::Status anonymous = controller_->Deploy(&no_credential, *req, &resp);
    EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED) << anonymous.error_message();
    EXPECT_EQ(anonymous.error_message(), "invalid entity name or password (unauthorized access)");
    grpc::Status wrong_secret = Call(controller_.get(), &v1::Controller::Stub::Deploy, wrong, *req, &resp);
    EXPECT_EQ(wrong_secret.error_code(), grpc::StatusCode::UNAUTHENTICATED) << wrong_secret.error_message();
  }
  // The controls: the admin's oversized request is refused for its size, its legal one is read
  // whole and answered by the handler.
  grpc::Status too_big = Call(controller_.get(), &v1::Controller::Stub::Deploy, Admin(), oversized, &resp);
  EXPECT_EQ(too_big.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << too_big.error_message();
  grpc::Status handled = Call(controller_.get(), &v1::Controller::Stub::Deploy, Admin(), legal, &resp);
  // (The handler refuses the charm, which has no metadata.yaml.)
  EXPECT_EQ(handled.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << handled.error_message();
}

}  // namespace
}  // namespace skein::controller
