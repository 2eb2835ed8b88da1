// The authorisation matrix of the Secrets service (proto/skein/v1/secrets.proto), over TLS: for
// every RPC (read from the service's descriptor, so that an RPC added later fails here until
// someone writes its row), what each kind of caller gets when it names one application-owned
// secret of `provider`. A refused call must leave the database as it was.
//
// The model: `provider` related to `requirer`, and `unrelated`; provider/0 leads provider.

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "skein/v1/secrets.grpc.pb.h"
#include "tests/controller/api_fixture.h"

namespace skein::controller {
namespace {

using grpc::StatusCode;

enum class Caller { kLeader, kFollower, kRelated, kUnrelated, kMachine, kAdmin };
constexpr Caller kCallers[] = {Caller::kLeader,    Caller::kFollower, Caller::kRelated,
                               Caller::kUnrelated, Caller::kMachine,  Caller::kAdmin};

const char* Describe(Caller c) {
  switch (c) {
    case Caller::kLeader: return "the owner application's leader";
    case Caller::kFollower: return "another unit of the owner application";
    case Caller::kRelated: return "a unit of a related application without a grant";
    case Caller::kUnrelated: return "a unit of an unrelated application";
    case Caller::kMachine: return "a machine agent";
    case Caller::kAdmin: return "the admin user";
  }
  return "?";
}

std::vector<std::string> SecretsMethods() {
  const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName("skein.v1.Secrets");
  std::vector<std::string> names;
  for (int i = 0; service != nullptr && i < service->method_count(); ++i) names.push_back(service->method(i)->name());
  return names;
}

class SecretsRpcMatrixTest : public testing::ApiTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_TRUE(Deploy("provider", testing::TestCharm("kv-provider"), 2).ok());
    ASSERT_TRUE(Deploy("requirer", testing::TestCharm("kv-requirer"), 1).ok());
    v1::CharmArchive unrelated = testing::TestCharm("kv-requirer");
    ASSERT_TRUE(Deploy("unrelated", unrelated, 1).ok());
    ASSERT_TRUE(Integrate("provider", "requirer").ok());
    secrets_ = v1::Secrets::NewStub(rpc::MakeChannel(server_->address(), skein::testing::TestCaPem()));
    for (const char* unit : {"provider/0", "provider/1", "requirer/0", "unrelated/0"}) ids_[unit] = UnitIdentity(unit);
    v1::ShowUnitRequest show;
    show.set_model("test");
    show.set_unit("provider/0");
    v1::UnitInfo info;
    ASSERT_TRUE(Call(controller_.get(), &v1::Controller::Stub::ShowUnit, Admin(), show, &info).ok());
    for (const v1::RelationInfo& r : info.relation_info()) {
      if (r.endpoint() == "kv") relation_ = r.relation_id();
    }
    ASSERT_GE(relation_, 0);
  }

  rpc::Identity Who(Caller c) {
    switch (c) {
      case Caller::kLeader: return ids_.at("provider/0");
      case Caller::kFollower: return ids_.at("provider/1");
      case Caller::kRelated: return ids_.at("requirer/0");
      case Caller::kUnrelated: return ids_.at("unrelated/0");
      case Caller::kMachine: return Machine();
      case Caller::kAdmin: return Admin();
    }
    return Admin();
  }

  // A fresh application-owned secret of provider, added by its leader: `secret:<id>`.
  std::string NewSecret() {
    v1::AddSecretRequest req;
    req.set_owner("application");
    (*req.mutable_fields()->mutable_content())["password"] = "matrix";
    v1::AddSecretResponse resp;
    grpc::Status s = Call(secrets_.get(), &v1::Secrets::Stub::AddSecret, ids_.at("provider/0"), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return "secret:" + resp.id();
  }
  // A fresh user secret: its name.
  std::string NewUserSecret() {
    static int n = 0;
    v1::AddUserSecretRequest req;
    req.set_model("test");
    req.set_name(absl::StrCat("user-", ++n));
    req.mutable_content()->insert({"token", "matrix"});
    v1::AddSecretResponse resp;
    grpc::Status s = Call(secrets_.get(), &v1::Secrets::Stub::AddUserSecret, Admin(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return req.name();
  }

  template <typename Req, typename Resp>
  grpc::Status Unary(grpc::Status (v1::Secrets::Stub::*method)(grpc::ClientContext*, const Req&, Resp*), Caller c,
                     const Req& req) {
    Resp resp;
    return Call(secrets_.get(), method, Who(c), req, &resp);
  }

  std::set<std::string> DatabaseRows() {
    std::set<std::string> lines;
    absl::Status read = server_->db()->Read([&](domain::Tx& tx) -> absl::Status {
      for (const char* table : {"secrets", "secret_revisions", "secret_consumers", "secret_grants"}) {
        SQLite::Statement rows(tx.db(), std::string("SELECT * FROM ") + table);
        while (rows.executeStep()) {
          std::string line = std::string(table) + ":";
          for (int i = 0; i < rows.getColumnCount(); ++i) absl::StrAppend(&line, " ", rows.getColumn(i).getString());
          lines.insert(std::move(line));
        }
      }
      return absl::OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read;
    return lines;
  }

  struct Row {
    // Makes the request for one caller (preparing what it names first).
    std::function<grpc::Status(Caller)> call;
    std::map<Caller, StatusCode> answers;
  };
  std::map<std::string, Row> Rows();

  std::unique_ptr<v1::Secrets::Stub> secrets_;
  std::map<std::string, rpc::Identity> ids_;
  int64_t relation_ = -1;
};

constexpr StatusCode kOk = StatusCode::OK;
constexpr StatusCode kDenied = StatusCode::PERMISSION_DENIED;
constexpr StatusCode kNotFound = StatusCode::NOT_FOUND;

// Answers in the order of kCallers: leader, follower, related, unrelated, machine, admin.
std::map<Caller, StatusCode> Answers(StatusCode leader, StatusCode follower, StatusCode related, StatusCode unrelated,
                                     StatusCode machine, StatusCode admin) {
  return {{Caller::kLeader, leader},       {Caller::kFollower, follower}, {Caller::kRelated, related},
          {Caller::kUnrelated, unrelated}, {Caller::kMachine, machine},   {Caller::kAdmin, admin}};
}

std::map<std::string, SecretsRpcMatrixTest::Row> SecretsRpcMatrixTest::Rows() {
  std::map<std::string, Row> rows;
  // Managing a charm's secret: the owner application's leader only (a follower is told it is
  // not the leader); units of other applications do not own it; agents of machines and users
  // are not units.
  const auto manage = Answers(kOk, kDenied, kDenied, kDenied, kDenied, kDenied);
  // Every unit may add a secret of its own; followers only unit-owned ones.
  rows["AddSecret"] = {[this](Caller c) {
                         v1::AddSecretRequest req;
                         req.set_owner("application");
                         (*req.mutable_fields()->mutable_content())["password"] = "x";
                         return Unary(&v1::Secrets::Stub::AddSecret, c, req);
                       },
                       Answers(kOk, kDenied, kOk, kOk, kDenied, kDenied)};
  rows["UpdateSecret"] = {[this](Caller c) {
                            v1::UpdateSecretRequest req;
                            req.set_uri(NewSecret());
                            (*req.mutable_fields()->mutable_content())["password"] = "changed";
                            return Unary(&v1::Secrets::Stub::UpdateSecret, c, req);
                          },
                          manage};
  // Reading: every unit of the owner application; others need a grant.
  rows["GetSecretContent"] = {[this](Caller c) {
                                v1::GetSecretContentRequest req;
                                req.set_uri(NewSecret());
                                return Unary(&v1::Secrets::Stub::GetSecretContent, c, req);
                              },
                              Answers(kOk, kOk, kDenied, kDenied, kDenied, kDenied)};
  // Metadata is the owner's: to others the secret does not exist.
  rows["GetSecretInfo"] = {[this](Caller c) {
                             v1::GetSecretInfoRequest req;
                             req.set_uri(NewSecret());
                             return Unary(&v1::Secrets::Stub::GetSecretInfo, c, req);
                           },
                           Answers(kOk, kOk, kNotFound, kNotFound, kDenied, kDenied)};
  for (const char* rpc : {"GrantSecret", "RevokeSecret"}) {
    const bool grant = std::string(rpc) == "GrantSecret";
    rows[rpc] = {[this, grant](Caller c) {
                   v1::GrantSecretRequest req;
                   req.set_uri(NewSecret());
                   req.set_relation_id(relation_);
                   return Unary(grant ? &v1::Secrets::Stub::GrantSecret : &v1::Secrets::Stub::RevokeSecret, c, req);
                 },
                 manage};
  }
  rows["RemoveSecret"] = {[this](Caller c) {
                            v1::RemoveSecretRequest req;
                            req.set_uri(NewSecret());
                            return Unary(&v1::Secrets::Stub::RemoveSecret, c, req);
                          },
                          manage};
  // Names nothing: the caller's own secrets.
  rows["ListOwnedSecrets"] = {
      [this](Caller c) { return Unary(&v1::Secrets::Stub::ListOwnedSecrets, c, v1::ListOwnedSecretsRequest()); },
      Answers(kOk, kOk, kOk, kOk, kDenied, kDenied)};

  // User secrets: the admin only.
  const auto admin_only = Answers(kDenied, kDenied, kDenied, kDenied, kDenied, kOk);
  rows["AddUserSecret"] = {[this](Caller c) {
                             v1::AddUserSecretRequest req;
                             req.set_model("test");
                             req.set_name(absl::StrCat("added-by-", static_cast<int>(c)));
                             req.mutable_content()->insert({"token", "x"});
                             return Unary(&v1::Secrets::Stub::AddUserSecret, c, req);
                           },
                           admin_only};
  rows["UpdateUserSecret"] = {[this](Caller c) {
                                v1::UpdateUserSecretRequest req;
                                req.set_model("test");
                                req.set_identifier(NewUserSecret());
                                req.mutable_content()->insert({"token", "changed"});
                                return Unary(&v1::Secrets::Stub::UpdateUserSecret, c, req);
                              },
                              admin_only};
  rows["RemoveUserSecret"] = {[this](Caller c) {
                                v1::RemoveUserSecretRequest req;
                                req.set_model("test");
                                req.set_identifier(NewUserSecret());
                                return Unary(&v1::Secrets::Stub::RemoveUserSecret, c, req);
                              },
                              admin_only};
  for (const char* rpc : {"GrantUserSecret", "RevokeUserSecret"}) {
    const bool grant = std::string(rpc) == "GrantUserSecret";
    rows[rpc] = {[this, grant](Caller c) {
                   v1::GrantUserSecretRequest req;
                   req.set_model("test");
                   req.set_identifier(NewUserSecret());
                   req.add_applications("requirer");
                   return Unary(grant ? &v1::Secrets::Stub::GrantUserSecret : &v1::Secrets::Stub::RevokeUserSecret,
                                c, req);
                 },
                 admin_only};
  }
  rows["ListSecrets"] = {[this](Caller c) {
                           v1::ListSecretsRequest req;
                           req.set_model("test");
                           return Unary(&v1::Secrets::Stub::ListSecrets, c, req);
                         },
                         admin_only};
  rows["ShowSecret"] = {[this](Caller c) {
                          v1::ShowSecretRequest req;
                          req.set_model("test");
                          req.set_identifier(NewUserSecret());
                          req.set_reveal(true);
                          return Unary(&v1::Secrets::Stub::ShowSecret, c, req);
                        },
                        admin_only};
  return rows;
}

TEST_P(SecretsRpcMatrixTest, AnswersEachKindOfCallerAsExpected) {
  const std::string rpc = GetParam();
  std::map<std::string, Row> rows = Rows();
  auto row = rows.find(rpc);
  if (row == rows.end()) {
    FAIL() << "Secrets." << rpc
           << " has no row in the authorisation matrix (tests/controller/api_matrix_secrets_test.cc): write what it "
              "must answer for each kind of caller";
  }
  for (Caller c : kCallers) {
    auto answer = row->second.answers.find(c);
    ASSERT_NE(answer, row->second.answers.end()) << rpc << ": no answer for " << Describe(c);
    const std::set<std::string> before = DatabaseRows();
    grpc::Status s = row->second.call(c);
    EXPECT_EQ(s.error_code(), answer->second) << "Secrets." << rpc << ", " << Describe(c) << ": " << s.error_message();
    if (!s.ok()) {
      // What changed may only be the secret the request was prepared with (one secret row and
      // its revision); a refused call adds no consumer, grant or further revision.
      std::set<std::string> after = DatabaseRows();
      int added = 0;
      for (const std::string& line : after) {
        if (before.contains(line)) continue;
        ++added;
        EXPECT_TRUE(line.rfind("secrets:", 0) == 0 || line.rfind("secret_revisions:", 0) == 0)
            << "Secrets." << rpc << ", " << Describe(c) << ": refused but wrote " << line;
      }
      EXPECT_LE(added, 2) << "Secrets." << rpc << ", " << Describe(c);
      for (const std::string& line : before) {
        EXPECT_TRUE(after.contains(line)) << "Secrets." << rpc << ", " << Describe(c) << ": refused but removed " << line;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EverySecretsRpc, SecretsRpcMatrixTest, ::testing::ValuesIn(SecretsMethods()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace skein::controller
