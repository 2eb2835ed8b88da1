// The authorisation matrix of the Resources service (proto/skein/v1/resources.proto), over TLS:
// for every RPC (read from the service's descriptor, so that an RPC added later fails here until
// someone writes its row), what each kind of caller gets. Uploads and listings are the admin's;
// a unit fetches only its own application's resources, whatever it asks for. A refused call
// writes nothing.
//
// The model: `owner` and `twin` run the same charm (resourceful, with a `payload` file
// resource), two and one units; only owner's payload is uploaded.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/domain/core/sql.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "skein/v1/resources.grpc.pb.h"
#include "tests/controller/api_fixture.h"

namespace skein::controller {
namespace {

using grpc::StatusCode;

enum class Caller { kOwnUnit, kSameAppUnit, kOtherAppUnit, kMachine, kAdmin };
constexpr Caller kCallers[] = {Caller::kOwnUnit, Caller::kSameAppUnit, Caller::kOtherAppUnit, Caller::kMachine,
                               Caller::kAdmin};

const char* Describe(Caller c) {
  switch (c) {
    case Caller::kOwnUnit: return "a unit of the application";
    case Caller::kSameAppUnit: return "another unit of the application";
    case Caller::kOtherAppUnit: return "a unit of another application of the same charm";
    case Caller::kMachine: return "a machine agent";
    case Caller::kAdmin: return "the admin user";
  }
  return "?";
}

std::vector<std::string> ResourcesMethods() {
  const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName("skein.v1.Resources");
  std::vector<std::string> names;
  for (int i = 0; service != nullptr && i < service->method_count(); ++i) names.push_back(service->method(i)->name());
  return names;
}

class ResourcesRpcMatrixTest : public testing::ApiTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_TRUE(Deploy("owner", testing::TestCharm("resourceful"), 2).ok());
    ASSERT_TRUE(Deploy("twin", testing::TestCharm("resourceful"), 1).ok());
    resources_ = v1::Resources::NewStub(rpc::MakeChannel(server_->address(), skein::testing::TestCaPem()));
    for (const char* unit : {"owner/0", "owner/1", "twin/0"}) ids_[unit] = UnitIdentity(unit);
    v1::UploadResourceRequest req;
    req.set_model("test");
    req.set_application("owner");
    req.set_name("payload");
    req.set_content("owner's payload");
    v1::UploadResourceResponse resp;
    grpc::Status s = Call(resources_.get(), &v1::Resources::Stub::UploadResource, Admin(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  rpc::Identity Who(Caller c) {
    switch (c) {
      case Caller::kOwnUnit: return ids_.at("owner/0");
      case Caller::kSameAppUnit: return ids_.at("owner/1");
      case Caller::kOtherAppUnit: return ids_.at("twin/0");
      case Caller::kMachine: return Machine();
      case Caller::kAdmin: return Admin();
    }
    return Admin();
  }

  int64_t ResourceRows() {
    int64_t n = -1;
    EXPECT_TRUE(server_->db()
                    ->Read([&](domain::Tx& tx) {
                      n = domain::sql::QueryInt(tx.db(), -1, "SELECT COUNT(*) FROM resources");
                      return absl::OkStatus();
                    })
                    .ok());
    return n;
  }

  struct Row {
    std::function<grpc::Status(Caller)> call;
    std::map<Caller, StatusCode> answers;
  };
  std::map<std::string, Row> Rows();

  std::unique_ptr<v1::Resources::Stub> resources_;
  std::map<std::string, rpc::Identity> ids_;
};

constexpr StatusCode kOk = StatusCode::OK;
constexpr StatusCode kDenied = StatusCode::PERMISSION_DENIED;
constexpr StatusCode kNotFound = StatusCode::NOT_FOUND;

std::map<std::string, ResourcesRpcMatrixTest::Row> ResourcesRpcMatrixTest::Rows() {
  std::map<std::string, Row> rows;
  const std::map<Caller, StatusCode> admin_only = {{Caller::kOwnUnit, kDenied},
                                                   {Caller::kSameAppUnit, kDenied},
                                                   {Caller::kOtherAppUnit, kDenied},
                                                   {Caller::kMachine, kDenied},
                                                   {Caller::kAdmin, kOk}};
  rows["UploadResource"] = {[this](Caller c) {
                              v1::UploadResourceRequest req;
                              req.set_model("test");
                              req.set_application("owner");
                              req.set_name("payload");
                              req.set_content(absl::StrCat("from caller ", static_cast<int>(c)));
                              v1::UploadResourceResponse resp;
                              return Call(resources_.get(), &v1::Resources::Stub::UploadResource, Who(c), req, &resp);
                            },
                            admin_only};
  rows["ListResources"] = {[this](Caller c) {
                             v1::ListResourcesRequest req;
                             req.set_model("test");
                             req.set_application("owner");
                             v1::ListResourcesResponse resp;
                             return Call(resources_.get(), &v1::Resources::Stub::ListResources, Who(c), req, &resp);
                           },
                           admin_only};
  // Names only a resource: the caller's own application's. The twin's unit asks for the same
  // name and finds its own application's payload, which was never uploaded.
  rows["FetchResource"] = {[this](Caller c) {
                             v1::FetchResourceRequest req;
                             req.set_name("payload");
                             v1::FetchResourceResponse resp;
                             grpc::Status s =
                                 Call(resources_.get(), &v1::Resources::Stub::FetchResource, Who(c), req, &resp);
                             if (s.ok()) EXPECT_EQ(resp.content(), "owner's payload") << Describe(c);
                             return s;
                           },
                           {{Caller::kOwnUnit, kOk},
                            {Caller::kSameAppUnit, kOk},
                            {Caller::kOtherAppUnit, kNotFound},
                            {Caller::kMachine, kDenied},
                            {Caller::kAdmin, kDenied}}};
  return rows;
}

TEST_P(ResourcesRpcMatrixTest, AnswersEachKindOfCallerAsExpected) {
  const std::string rpc = GetParam();
  std::map<std::string, Row> rows = Rows();
  auto row = rows.find(rpc);
  if (row == rows.end()) {
    FAIL() << "Resources." << rpc
           << " has no row in the authorisation matrix (tests/controller/api_matrix_resources_test.cc): write what "
              "it must answer for each kind of caller";
  }
  for (Caller c : kCallers) {
    auto answer = row->second.answers.find(c);
    ASSERT_NE(answer, row->second.answers.end()) << rpc << ": no answer for " << Describe(c);
    const int64_t before = ResourceRows();
    grpc::Status s = row->second.call(c);
    EXPECT_EQ(s.error_code(), answer->second) << "Resources." << rpc << ", " << Describe(c) << ": " << s.error_message();
    if (!s.ok()) EXPECT_EQ(ResourceRows(), before) << "Resources." << rpc << ", " << Describe(c) << ": refused but wrote";
  }
}

INSTANTIATE_TEST_SUITE_P(EveryResourcesRpc, ResourcesRpcMatrixTest, ::testing::ValuesIn(ResourcesMethods()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace skein::controller
