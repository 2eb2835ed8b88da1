// The controller speaks TLS only (lib/rpc/tls.h): a plaintext client, a client that trusts
// another CA and a certificate past its end are all refused, and a caller without a valid
// credential is refused before the controller reads its message (controller/api/authn.h).

#include <chrono>

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "lib/base/limits.h"
#include "lib/rpc/tls.h"
#include "tests/controller/api_fixture.h"

namespace skein::controller {
namespace {

using ::testing::HasSubstr;

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
  auto other_ca = rpc::CreateCertificateAuthority();
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
      {"for another host", {"192.0.2.1", "ctl.example"}, now - absl::Hours(1), now + absl::Hours(24)},
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

// One Deploy request of `bytes` bytes, sent as `who` (no credential when null) through the
// generic API, which reports whether the message itself was taken: a write completes only when
// the controller has accepted every byte of it (HTTP/2 flow control), and fails when the call
// was refused first.
struct RawCall {
  bool write_taken = false;
  grpc::Status status;
};

RawCall SendLargeDeploy(const std::shared_ptr<grpc::Channel>& channel, const rpc::Identity* who, size_t bytes) {
  v1::DeployRequest req;
  req.set_model("no-such-model");  // a request that is read in full fails here, harmlessly
  req.set_application("big");
  v1::CharmFile* file = req.mutable_charm()->add_files();
  file->set_path("blob");
  file->set_content(std::string(bytes, 'x'));
  grpc::ByteBuffer buffer;
  bool own = false;
  EXPECT_TRUE(grpc::SerializationTraits<v1::DeployRequest>::Serialize(req, &buffer, &own).ok());

  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  if (who != nullptr) rpc::PrepareContext(&ctx, *who, std::chrono::milliseconds(0));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  RawCall result;
  auto call = stub.PrepareCall(&ctx, "/skein.v1.Controller/Deploy", &cq);
  auto next = [&cq](void* expected) {
    void* tag = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(tag, expected);
    return ok;
  };
  int start_tag = 0, write_tag = 0, finish_tag = 0;
  call->StartCall(&start_tag);
  if (next(&start_tag)) {
    call->WriteLast(buffer, grpc::WriteOptions(), &write_tag);
    result.write_taken = next(&write_tag);
  }
  call->Finish(&result.status, &finish_tag);
  next(&finish_tag);
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }
  return result;
}

TEST_F(TlsApiTest, ACallerWithoutCredentialsIsRefusedBeforeItsMessageIsRead) {
  auto channel = rpc::MakeChannel(server_->address(), skein::testing::TestCaPem());
  // Just under the largest request the controller accepts, so only the credential stops it.
  const size_t bytes = limits::kMaxRequestBytes - 2 * limits::kMiB;
  const rpc::Identity wrong{"user-admin", "wrong"};
  for (const rpc::Identity* who : {static_cast<const rpc::Identity*>(nullptr), &wrong}) {
    RawCall refused = SendLargeDeploy(channel, who, bytes);
    EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << refused.status.error_message();
    EXPECT_EQ(refused.status.error_message(), "invalid entity name or password (unauthorized access)");
    EXPECT_FALSE(refused.write_taken) << "the controller read the whole message of a caller "
                                      << (who == nullptr ? "without a credential" : "with a wrong credential");
  }
  // The control: the admin's request is read whole and answered by the handler.
  const rpc::Identity admin = Admin();
  RawCall read = SendLargeDeploy(channel, &admin, bytes);
  EXPECT_TRUE(read.write_taken);
  EXPECT_EQ(read.status.error_code(), grpc::StatusCode::NOT_FOUND) << read.status.error_message();
  EXPECT_THAT(read.status.error_message(), HasSubstr("no-such-model"));
}

}  // namespace
}  // namespace skein::controller
