#pragma once

// A real controller on 127.0.0.1:0 and real gRPC channels to it, as the agents and the CLI use.

#include <chrono>
#include <memory>
#include <string>

#include "controller/api/server.h"
#include "gtest/gtest.h"
#include "lib/base/credential.h"
#include "lib/rpc/auth.h"
#include "skein/v1/agent.grpc.pb.h"
#include "skein/v1/controller.grpc.pb.h"
#include "tests/controller/test_util.h"
#include "tests/test_tls.h"

namespace skein::controller::testing {

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api::ServerOptions options;
    options.db_path = dir_.path() + "/controller.db";
    options.bootstrap = TestBootstrap();
    options.tls = skein::testing::TestCertificates().server;
    auto server = api::ControllerServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    auto channel = rpc::MakeChannel(server_->address(), skein::testing::TestCaPem());
    controller_ = v1::Controller::NewStub(channel);
    agent_ = v1::Agent::NewStub(channel);
    ASSERT_TRUE(AddModel("test").ok());
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  static rpc::Identity Admin() { return {"user-admin", kAdminSecret}; }
  static rpc::Identity Machine() { return {"machine-0", kMachineSecret}; }

  template <typename Stub, typename Req, typename Resp>
  static grpc::Status Call(Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                           const rpc::Identity& who, const Req& req, Resp* resp) {
    grpc::ClientContext ctx;
    rpc::PrepareContext(&ctx, who, std::chrono::seconds(10));
    return (stub->*method)(&ctx, req, resp);
  }

  grpc::Status AddModel(const std::string& name) {
    v1::AddModelRequest req;
    req.set_name(name);
    v1::AddModelResponse resp;
    return Call(controller_.get(), &v1::Controller::Stub::AddModel, Admin(), req, &resp);
  }

  grpc::Status Deploy(const std::string& app, const v1::CharmArchive& charm, int units,
                      const std::string& model = "test") {
    v1::DeployRequest req;
    req.set_model(model);
    req.set_application(app);
    *req.mutable_charm() = charm;
    req.set_num_units(units);
    req.set_charm_origin("local");
    v1::DeployResponse resp;
    return Call(controller_.get(), &v1::Controller::Stub::Deploy, Admin(), req, &resp);
  }

  grpc::Status Integrate(const std::string& a, const std::string& b) {
    v1::IntegrateRequest req;
    req.set_model("test");
    req.add_endpoints(a);
    req.add_endpoints(b);
    v1::IntegrateResponse resp;
    return Call(controller_.get(), &v1::Controller::Stub::Integrate, Admin(), req, &resp);
  }

  // Gives the unit (of the model with `model_uuid`; "" when the name is unique) a fresh
  // credential through its machine agent and returns its identity.
  rpc::Identity UnitIdentity(const std::string& unit, const std::string& model_uuid = "") {
    std::string secret = NewCredential();
    v1::SetUnitCredentialRequest req;
    req.set_unit(unit);
    req.set_model_uuid(model_uuid);
    req.set_credential(secret);
    v1::SetUnitCredentialResponse resp;
    grpc::Status s = Call(agent_.get(), &v1::Agent::Stub::SetUnitCredential, Machine(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::string tag = "unit-" + unit;
    tag[tag.rfind('/')] = '-';
    return {tag, secret};
  }

  grpc::Status Commit(const rpc::Identity& who, int64_t seq, int64_t relation_id, bool app_bag,
                      const std::map<std::string, std::string>& set) {
    v1::CommitHookRequest req;
    req.set_commit_seq(seq);
    req.set_hook("test-hook");
    v1::RelationSettingsChange* change = req.add_relation_changes();
    change->set_relation_id(relation_id);
    change->set_application(app_bag);
    change->mutable_set()->insert(set.begin(), set.end());
    v1::CommitHookResponse resp;
    return Call(agent_.get(), &v1::Agent::Stub::CommitHook, who, req, &resp);
  }

  grpc::Status Read(const rpc::Identity& who, int64_t relation_id, const std::string& owner, bool app,
                    v1::RelationSettings* out) {
    v1::ReadRelationSettingsRequest req;
    req.set_relation_id(relation_id);
    req.set_owner(owner);
    req.set_application(app);
    return Call(agent_.get(), &v1::Agent::Stub::ReadRelationSettings, who, req, out);
  }

  // A stream call with its own context; the deadline bounds every wait in the test.
  template <typename Msg>
  struct Stream {
    std::unique_ptr<grpc::ClientContext> ctx;
    std::unique_ptr<grpc::ClientReader<Msg>> reader;
  };

  static std::unique_ptr<grpc::ClientContext> StreamContext(const rpc::Identity& who) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    rpc::PrepareContext(ctx.get(), who, std::chrono::milliseconds(0));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  // Opens a server stream of `stub` as `who`.
  template <typename Stub, typename Req, typename Msg>
  static Stream<Msg> OpenStream(Stub* stub,
                                std::unique_ptr<grpc::ClientReader<Msg>> (Stub::*method)(grpc::ClientContext*,
                                                                                         const Req&),
                                const rpc::Identity& who, const Req& req) {
    Stream<Msg> s;
    s.ctx = StreamContext(who);
    s.reader = (stub->*method)(s.ctx.get(), req);
    return s;
  }

  Stream<v1::UnitSnapshot> WatchUnit(const rpc::Identity& who, const std::string& unit) {
    v1::WatchUnitRequest req;
    req.set_unit(unit);
    return OpenStream(agent_.get(), &v1::Agent::Stub::WatchUnit, who, req);
  }

  Stream<v1::MachineSnapshot> WatchMachine(const rpc::Identity& who, const std::string& machine) {
    v1::WatchMachineRequest req;
    req.set_machine_id(machine);
    return OpenStream(agent_.get(), &v1::Agent::Stub::WatchMachine, who, req);
  }

  // Reads the whole GetCharmContent stream of `url` into `bytes`; `first` gets the first chunk's
  // digest and size.
  grpc::Status Download(const rpc::Identity& who, const std::string& url, std::string* bytes,
                        v1::CharmChunk* first = nullptr) {
    auto ctx = StreamContext(who);
    v1::GetCharmRequest req;
    req.set_url(url);
    auto reader = agent_->GetCharmContent(ctx.get(), req);
    v1::CharmChunk chunk;
    bool got_first = false;
    while (reader->Read(&chunk)) {
      if (!got_first && first != nullptr) *first = chunk;
      got_first = true;
      bytes->append(chunk.data());
    }
    return reader->Finish();
  }

  TempDir dir_;
  std::unique_ptr<api::ControllerServer> server_;
  std::unique_ptr<v1::Controller::Stub> controller_;
  std::unique_ptr<v1::Agent::Stub> agent_;
};

}  // namespace skein::controller::testing
