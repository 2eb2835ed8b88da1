// The authorisation matrix over every RPC of the services, over TLS: the methods are read from
// the services' descriptors, so an RPC added later is in the matrix without anyone listing it.
// Each row is a kind of caller that must be turned away whatever it asks: no credential, a wrong
// one, a removed unit's old one, an agent on an admin RPC, the admin on an agent RPC. What each
// caller may do with its own and other units' data is in api_matrix_units_test.cc (every Agent
// RPC per kind of target) and api_security_test.cc (the bag rules and Juju's error texts).

#include <chrono>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "tests/controller/api_fixture.h"

namespace skein::controller {
namespace {

// Every method of `service` ("skein.v1.Agent") as a gRPC path ("/skein.v1.Agent/Login").
std::vector<std::string> MethodPaths(const std::string& service) {
  const google::protobuf::ServiceDescriptor* s =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
  std::vector<std::string> paths;
  for (int i = 0; s != nullptr && i < s->method_count(); ++i) {
    paths.push_back("/" + service + "/" + s->method(i)->name());
  }
  return paths;
}

class MatrixTest : public testing::ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_TRUE(Deploy("provider", testing::TestCharm("kv-provider"), 2).ok());
    channel_ = rpc::MakeChannel(server_->address(), skein::testing::TestCaPem());
    unit_ = UnitIdentity("provider/0");
  }

  // Calls `path` with an empty request as `who` (no credential when null) and returns how it
  // ended. Works for unary and streaming methods alike: one message, then half-close.
  grpc::Status CallEmpty(const std::string& path, const rpc::Identity* who) {
    grpc::GenericStub stub(channel_);
    grpc::CompletionQueue cq;
    grpc::ClientContext ctx;
    if (who != nullptr) rpc::PrepareContext(&ctx, *who, std::chrono::milliseconds(0));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auto call = stub.PrepareCall(&ctx, path, &cq);
    auto wait = [&cq] {
      void* tag = nullptr;
      bool ok = false;
      return cq.Next(&tag, &ok) && ok;
    };
    int tag = 0;
    call->StartCall(&tag);
    if (wait()) {
      grpc::Slice empty;
      grpc::ByteBuffer request(&empty, 1);
      call->WriteLast(request, grpc::WriteOptions(), &tag);
      if (wait()) {
        grpc::ByteBuffer reply;
        call->Read(&reply, &tag);
        wait();
      }
    }
    grpc::Status status;
    call->Finish(&status, &tag);
    wait();
    cq.Shutdown();
    void* drained = nullptr;
    bool ok = false;
    while (cq.Next(&drained, &ok)) {
    }
    return status;
  }

  // Every method of `service` called as `who` ends with `expected`; a retired method (still in
  // the proto so that its number is never reused) answers UNIMPLEMENTED to anyone past the
  // credential check.
  void ExpectEvery(const std::string& service, const rpc::Identity* who, grpc::StatusCode expected,
                   const std::string& row) {
    const std::vector<std::string> paths = MethodPaths(service);
    ASSERT_FALSE(paths.empty()) << "no service " << service;
    for (const std::string& path : paths) {
      grpc::Status s = CallEmpty(path, who);
      const bool retired = path == "/skein.v1.Agent/GetCharm" && expected != grpc::StatusCode::UNAUTHENTICATED;
      EXPECT_EQ(s.error_code(), retired ? grpc::StatusCode::UNIMPLEMENTED : expected)
          << row << " on " << path << ": " << s.error_message();
    }
  }

  std::shared_ptr<grpc::Channel> channel_;
  rpc::Identity unit_;
};

TEST_F(MatrixTest, CallersWithoutAValidCredentialGetNothing) {
  const rpc::Identity wrong{unit_.entity, "wrong"};
  const rpc::Identity unknown{"unit-nope-0", unit_.credential};
  for (const char* service : {"skein.v1.Agent", "skein.v1.Controller", "skein.v1.ModelManager", "skein.v1.Storage",
                              "skein.v1.MachineManager", "skein.v1.Resources"}) {
    ExpectEvery(service, nullptr, grpc::StatusCode::UNAUTHENTICATED, "no credential");
    ExpectEvery(service, &wrong, grpc::StatusCode::UNAUTHENTICATED, "a wrong credential");
    ExpectEvery(service, &unknown, grpc::StatusCode::UNAUTHENTICATED, "another unit's name");
  }
}

TEST_F(MatrixTest, AgentsCannotUseAdminRpcsNorTheAdminAgentRpcs) {
  const rpc::Identity machine = Machine();
  const rpc::Identity admin = Admin();
  ExpectEvery("skein.v1.Controller", &unit_, grpc::StatusCode::PERMISSION_DENIED, "a unit agent");
  ExpectEvery("skein.v1.Controller", &machine, grpc::StatusCode::PERMISSION_DENIED, "the machine agent");
  ExpectEvery("skein.v1.ModelManager", &unit_, grpc::StatusCode::PERMISSION_DENIED, "a unit agent");
  ExpectEvery("skein.v1.ModelManager", &machine, grpc::StatusCode::PERMISSION_DENIED, "the machine agent");
  ExpectEvery("skein.v1.Storage", &unit_, grpc::StatusCode::PERMISSION_DENIED, "a unit agent");
  ExpectEvery("skein.v1.Storage", &machine, grpc::StatusCode::PERMISSION_DENIED, "the machine agent");
  ExpectEvery("skein.v1.MachineManager", &unit_, grpc::StatusCode::PERMISSION_DENIED, "a unit agent");
  ExpectEvery("skein.v1.MachineManager", &machine, grpc::StatusCode::PERMISSION_DENIED, "the machine agent");
  ExpectEvery("skein.v1.Agent", &admin, grpc::StatusCode::PERMISSION_DENIED, "the admin");
}

TEST_F(MatrixTest, ARemovedUnitsOldCredentialOpensNothing) {
  const rpc::Identity removed = UnitIdentity("provider/1");
  v1::RemoveUnitRequest remove;
  remove.set_model("test");
  remove.add_units("provider/1");
  v1::RemoveUnitResponse removed_resp;
  ASSERT_TRUE(Call(controller_.get(), &v1::Controller::Stub::RemoveUnit, Admin(), remove, &removed_resp).ok());
  // The unit's agent finishes it off, as it does after its stop hook.
  v1::MarkUnitDeadResponse dead;
  ASSERT_TRUE(Call(agent_.get(), &v1::Agent::Stub::MarkUnitDead, removed, v1::MarkUnitDeadRequest(), &dead).ok());
  for (const char* service : {"skein.v1.Agent", "skein.v1.Controller", "skein.v1.ModelManager", "skein.v1.Storage",
                              "skein.v1.MachineManager", "skein.v1.Resources"}) {
    ExpectEvery(service, &removed, grpc::StatusCode::UNAUTHENTICATED, "a removed unit");
  }
  // The unit that remains is still served.
  v1::LoginResponse login;
  EXPECT_TRUE(Call(agent_.get(), &v1::Agent::Stub::Login, unit_, v1::LoginRequest(), &login).ok());
}

}  // namespace
}  // namespace skein::controller
