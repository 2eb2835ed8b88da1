// SubstrateService (controller/domain/substrate) and its API: the local substrate's objects,
// set replacement by owner, decorations expanded into labelled namespaces at read time, the
// user's objects, ownership conflicts, and who may apply through the agent API.

#include "controller/domain/substrate/substrate_service.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/controller/api_fixture.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using domain::substrate::ListedManifest;
using domain::substrate::Manifest;
using domain::substrate::SubstrateService;
using ::testing::ElementsAre;
using testing::DomainEnv;
using testing::MakeCharm;
using Json = nlohmann::ordered_json;

// An object whose fields agree with its content. `labels` go into metadata.labels; `data` is
// the object's payload, so that tests can tell two versions apart.
Manifest Obj(const std::string& kind, const std::string& name, const std::string& ns = "",
             const std::string& data = "", Json labels = nullptr) {
  Json o = Json::object();
  o["apiVersion"] = kind == "PodDefault" ? "kubeflow.org/v1alpha1" : "v1";
  o["kind"] = kind;
  o["metadata"] = Json::object();
  o["metadata"]["name"] = name;
  if (!labels.is_null()) o["metadata"]["labels"] = labels;
  if (!data.empty()) o["data"] = {{"value", data}};
  return {ns, o["apiVersion"].get<std::string>(), kind, name, o.dump(), ""};
}

Manifest Namespace(const std::string& name, Json labels = nullptr) { return Obj("Namespace", name, "", "", labels); }

// A decoration: attached to every namespace whose `label` is "true".
Manifest Decoration(const std::string& kind, const std::string& name, const std::string& label,
                    const std::string& data = "") {
  Manifest m = Obj(kind, name, "", data);
  m.target_namespace_label = label;
  return m;
}

constexpr char kUserLabel[] = "user.kubeflow.org/enabled";

Json Enabled(const std::string& value = "true") { return Json{{kUserLabel, value}}; }

// `<namespace>/<kind>/<name>@<owner>` per listed object, in listing order.
std::vector<std::string> Ids(const std::vector<ListedManifest>& listed) {
  std::vector<std::string> out;
  for (const ListedManifest& l : listed) {
    out.push_back(l.manifest.ns + "/" + l.manifest.kind + "/" + l.manifest.name + "@" + l.owner);
  }
  return out;
}

class SubstrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Deploy("dispatcher", MakeCharm("name: dispatcher\n"), 0);
    env_.Deploy("mlflow", MakeCharm("name: mlflow\n"), 0);
  }
  std::vector<std::string> List(const std::string& ns = "") {
    auto listed = substrate_.ListManifests("test", ns);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? Ids(*listed) : std::vector<std::string>{};
  }
  std::vector<ListedManifest> Listed(const std::string& ns = "") {
    auto listed = substrate_.ListManifests("test", ns);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? *listed : std::vector<ListedManifest>{};
  }
  void Apply(const std::string& app, const std::string& set, const std::vector<Manifest>& manifests) {
    absl::Status s = substrate_.ApplyManifests("test", app, set, manifests);
    ASSERT_TRUE(s.ok()) << s;
  }
  void UserApply(const std::vector<Manifest>& manifests) {
    absl::Status s = substrate_.ApplyUserManifests("test", manifests);
    ASSERT_TRUE(s.ok()) << s;
  }

  DomainEnv env_;
  SubstrateService substrate_{env_.db.get()};
};

TEST_F(SubstrateTest, ReplacingASetPrunesWhatItNoLongerListsAndLeavesOtherSetsAlone) {
  Apply("mlflow", "secrets", {Obj("Secret", "a", "kf", "1"), Obj("Secret", "b", "kf", "1")});
  Apply("mlflow", "config", {Obj("ConfigMap", "c", "kf")});
  Apply("mlflow", "secrets", {Obj("Secret", "b", "kf", "2"), Obj("Secret", "d", "kf")});
  EXPECT_THAT(List(), ElementsAre("kf/ConfigMap/c@mlflow", "kf/Secret/b@mlflow", "kf/Secret/d@mlflow"));
  auto listed = Listed();
  EXPECT_EQ(Json::parse(listed[1].manifest.content_json)["data"]["value"], "2");
  EXPECT_EQ(listed[1].set, "secrets");
  EXPECT_EQ(listed[0].set, "config");

  // Re-applying the same set (what a reconciling charm does on every hook) writes nothing.
  const int64_t changes = env_.Count("change_log");
  Apply("mlflow", "secrets", {Obj("Secret", "b", "kf", "2"), Obj("Secret", "d", "kf")});
  EXPECT_EQ(env_.Count("change_log"), changes);
  Apply("mlflow", "secrets", {Obj("Secret", "b", "kf", "3"), Obj("Secret", "d", "kf")});
  EXPECT_EQ(env_.Count("change_log"), changes + 1);

  Apply("mlflow", "secrets", {});
  EXPECT_THAT(List(), ElementsAre("kf/ConfigMap/c@mlflow"));
}

TEST_F(SubstrateTest, AnObjectListedInAnotherSetOfTheSameOwnerMovesThere) {
  Apply("mlflow", "old", {Obj("Secret", "s", "kf")});
  Apply("mlflow", "new", {Obj("Secret", "s", "kf", "2")});
  auto listed = Listed();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].set, "new");
  Apply("mlflow", "old", {});
  EXPECT_THAT(List(), ElementsAre("kf/Secret/s@mlflow")) << "pruning the old set no longer deletes it";
}

TEST_F(SubstrateTest, NamespacedContentGetsItsNamespaceRightAfterTheNameAndKeepsKeyOrder) {
  Manifest m = Obj("ConfigMap", "c", "kf");
  m.content_json = R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","labels":{"z":"1","a":"2"}},"data":{"k":"v"}})";
  Apply("mlflow", "s", {m});
  EXPECT_EQ(Listed()[0].manifest.content_json,
            R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","namespace":"kf","labels":{"z":"1","a":"2"}},"data":{"k":"v"}})");
  Manifest cluster = Namespace("kf");
  UserApply({cluster});
  EXPECT_EQ(Listed()[0].manifest.content_json, cluster.content_json) << "cluster-scoped objects are kept as given";
}

TEST_F(SubstrateTest, DecorationsExpandIntoNamespacesLabelledTrueOnly) {
  UserApply({Namespace("alice", Enabled()), Namespace("bob"), Namespace("carol", Enabled("false")),
             Namespace("dave", Json{{"other", "true"}})});
  Apply("dispatcher", "poddefaults", {Decoration("PodDefault", "access-minio", kUserLabel, "x")});
  EXPECT_THAT(List(), ElementsAre("/Namespace/alice@", "/Namespace/bob@", "/Namespace/carol@", "/Namespace/dave@",
                                  "alice/PodDefault/access-minio@dispatcher"));
  ListedManifest copy = Listed().back();
  EXPECT_EQ(copy.manifest.ns, "alice");
  EXPECT_EQ(copy.manifest.target_namespace_label, "") << "an expanded copy is an ordinary object";
  EXPECT_EQ(copy.set, "poddefaults");
  Json content = Json::parse(copy.manifest.content_json);
  EXPECT_EQ(content["metadata"].dump(), R"({"name":"access-minio","namespace":"alice"})");
  EXPECT_EQ(content["data"]["value"], "x");
}

TEST_F(SubstrateTest, ANamespaceLabelledLaterGetsTheDecorationsAndLosesThemWhenUnlabelled) {
  Apply("dispatcher", "secrets", {Decoration("Secret", "mlpipeline-minio-artifact", kUserLabel)});
  EXPECT_THAT(List(), ::testing::IsEmpty()) << "a decoration is never listed by itself";
  UserApply({Namespace("alice")});
  EXPECT_THAT(List(), ElementsAre("/Namespace/alice@"));
  UserApply({Namespace("alice", Enabled())});
  EXPECT_THAT(List(), ElementsAre("/Namespace/alice@", "alice/Secret/mlpipeline-minio-artifact@dispatcher"));
  UserApply({Namespace("alice", Enabled("false"))});
  EXPECT_THAT(List(), ElementsAre("/Namespace/alice@"));
}

TEST_F(SubstrateTest, RemovingDecorationsRemovesThemFromEveryNamespace) {
  UserApply({Namespace("alice", Enabled()), Namespace("bob", Enabled())});
  Apply("dispatcher", "secrets", {Decoration("Secret", "s", kUserLabel), Obj("Secret", "own", "kubeflow")});
  EXPECT_THAT(List(), ElementsAre("/Namespace/alice@", "/Namespace/bob@", "alice/Secret/s@dispatcher",
                                  "bob/Secret/s@dispatcher", "kubeflow/Secret/own@dispatcher"));
  Apply("dispatcher", "secrets", {Obj("Secret", "own", "kubeflow")});
  EXPECT_THAT(List(), ElementsAre("/Namespace/alice@", "/Namespace/bob@", "kubeflow/Secret/own@dispatcher"));
}

TEST_F(SubstrateTest, NamespaceFilterKeepsOneNamespaceWithItsDecorations) {
  UserApply({Namespace("alice", Enabled()), Namespace("bob", Enabled()), Obj("ConfigMap", "c", "alice")});
  Apply("dispatcher", "secrets", {Decoration("Secret", "s", kUserLabel)});
  EXPECT_THAT(List("alice"), ElementsAre("alice/ConfigMap/c@", "alice/Secret/s@dispatcher"));
  EXPECT_THAT(List("nobody"), ::testing::IsEmpty());
}

TEST_F(SubstrateTest, AnotherOwnersObjectIsRefusedAndNothingChanges) {
  Apply("mlflow", "secrets", {Obj("Secret", "minio", "kubeflow", "mlflow")});
  Apply("dispatcher", "mine", {Obj("Secret", "d", "kubeflow")});
  absl::Status s = substrate_.ApplyManifests("test", "dispatcher", "mine",
                                             {Obj("Secret", "e", "kubeflow"), Obj("Secret", "minio", "kubeflow")});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "Secret \"kubeflow/minio\" is already applied by application \"mlflow\"");
  EXPECT_THAT(List(), ElementsAre("kubeflow/Secret/d@dispatcher", "kubeflow/Secret/minio@mlflow"))
      << "the set was neither pruned nor extended";
  EXPECT_EQ(Json::parse(Listed()[1].manifest.content_json)["data"]["value"], "mlflow");

  UserApply({Namespace("alice")});
  s = substrate_.ApplyManifests("test", "mlflow", "ns", {Namespace("alice")});
  EXPECT_EQ(s.message(), "Namespace \"alice\" is already applied by the user");
  s = substrate_.ApplyUserManifests("test", {Obj("Secret", "minio", "kubeflow")});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "Secret \"kubeflow/minio\" is already applied by application \"mlflow\"");
  Apply("mlflow", "d", {Decoration("Secret", "s", kUserLabel)});
  s = substrate_.ApplyManifests("test", "dispatcher", "d", {Decoration("Secret", "s", kUserLabel)});
  EXPECT_EQ(s.message(), "Secret \"s\" for namespaces labelled \"user.kubeflow.org/enabled\" is already applied by "
                         "application \"mlflow\"");
}

TEST_F(SubstrateTest, UserObjectsAreUpsertedOneByOneWithoutPruning) {
  UserApply({Namespace("alice"), Namespace("bob")});
  UserApply({Namespace("alice", Enabled())});
  auto listed = Listed();
  EXPECT_THAT(Ids(listed), ElementsAre("/Namespace/alice@", "/Namespace/bob@"));
  EXPECT_EQ(listed[0].set, "user");
  EXPECT_EQ(Json::parse(listed[0].manifest.content_json)["metadata"]["labels"][kUserLabel], "true");
}

TEST_F(SubstrateTest, InvalidManifestsAreRefusedWithNothingApplied) {
  auto refused = [&](Manifest m) {
    absl::Status s = substrate_.ApplyManifests("test", "mlflow", "s", {Obj("Secret", "fine", "kf"), m});
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    absl::Status user = substrate_.ApplyUserManifests("test", {Obj("Secret", "fine", "kf"), m});
    EXPECT_EQ(user.message(), s.message()) << "the user's objects are checked the same way";
    return std::string(s.message());
  };
  Manifest m = Obj("Secret", "x", "kf");
  m.content_json = "[1]";
  EXPECT_EQ(refused(m), "manifest 2: content_json is not a JSON object");
  m.content_json = "{not json";
  EXPECT_EQ(refused(m), "manifest 2: content_json is not a JSON object");
  m.content_json = R"({"kind":"Secret","metadata":{"name":"x"}})";
  EXPECT_EQ(refused(m), "manifest 2: missing apiVersion");
  m.content_json = R"({"apiVersion":"v1","metadata":{"name":"x"}})";
  EXPECT_EQ(refused(m), "manifest 2: missing kind");
  m.content_json = R"({"apiVersion":"v1","kind":"Secret","metadata":{}})";
  EXPECT_EQ(refused(m), "manifest 2: missing metadata.name");
  m.content_json = R"({"apiVersion":"v1","kind":"Secret"})";
  EXPECT_EQ(refused(m), "manifest 2: missing metadata.name");

  m = Obj("Secret", "x", "kf");
  m.kind = "ConfigMap";
  EXPECT_EQ(refused(m), "ConfigMap \"kf/x\": kind \"Secret\" differs from the manifest's kind \"ConfigMap\"");
  m = Obj("Secret", "x", "kf");
  m.name = "y";
  EXPECT_EQ(refused(m), "Secret \"kf/y\": metadata.name \"x\" differs from the manifest's name \"y\"");
  m = Obj("Secret", "x", "kf");
  m.api_version = "v2";
  EXPECT_EQ(refused(m), "Secret \"kf/x\": apiVersion \"v1\" differs from the manifest's api_version \"v2\"");
  m = Obj("Secret", "x", "kf");
  m.target_namespace_label = kUserLabel;
  EXPECT_EQ(refused(m),
            "Secret \"x\": both a namespace (\"kf\") and a target namespace label (\"user.kubeflow.org/enabled\") are set");
  m = Obj("Secret", "x", "kf");
  m.content_json = R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"x","namespace":"other"}})";
  EXPECT_EQ(refused(m), "Secret \"kf/x\": metadata.namespace \"other\" differs from the manifest's namespace \"kf\"");
  EXPECT_EQ(refused(Obj("Secret", "fine", "kf")), "Secret \"kf/fine\" is listed twice");
  EXPECT_EQ(substrate_.ApplyManifests("test", "mlflow", "", {}).message(), "set name is empty");

  EXPECT_THAT(List(), ::testing::IsEmpty());
  // A matching metadata.namespace is fine.
  m.content_json = R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"x","namespace":"kf"}})";
  EXPECT_TRUE(substrate_.ApplyManifests("test", "mlflow", "s", {m}).ok());
}

TEST_F(SubstrateTest, RemovingAnApplicationDeletesItsObjectsOnly) {
  Apply("mlflow", "secrets", {Obj("Secret", "a", "kf")});
  Apply("dispatcher", "secrets", {Obj("Secret", "b", "kf")});
  UserApply({Namespace("kf")});
  ASSERT_TRUE(env_.apps->RemoveApplications("test", {"mlflow"}).ok());
  ASSERT_EQ(env_.Count("applications", "name = 'mlflow'"), 0);
  EXPECT_THAT(List(), ElementsAre("/Namespace/kf@", "kf/Secret/b@dispatcher"));
  // A new application with the same name starts with nothing.
  env_.Deploy("mlflow", MakeCharm("name: mlflow\n"), 0);
  EXPECT_EQ(env_.Count("manifests", "owner = 'mlflow'"), 0);
}

TEST_F(SubstrateTest, ObjectsOfADyingApplicationGoWhenItsLastUnitDies) {
  env_.Deploy("profiles", MakeCharm("name: profiles\n"), 1);
  ASSERT_TRUE(substrate_.ApplyManifestsForUnit(env_.UnitId("profiles/0"), "p", {Namespace("alice")}).ok());
  ASSERT_TRUE(env_.apps->RemoveApplications("test", {"profiles"}).ok());
  EXPECT_THAT(List(), ElementsAre("/Namespace/alice@profiles")) << "a dying application keeps its objects";
  ASSERT_TRUE(env_.units->MarkUnitDead(env_.UnitId("profiles/0")).ok());
  EXPECT_THAT(List(), ::testing::IsEmpty());
}

TEST_F(SubstrateTest, UnknownModelOrApplicationIsNotFound) {
  auto listed = substrate_.ListManifests("nope");
  EXPECT_EQ(listed.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(listed.status().message(), "model \"nope\" not found");
  EXPECT_EQ(substrate_.ApplyUserManifests("nope", {Namespace("a")}).message(), "model \"nope\" not found");
  EXPECT_EQ(substrate_.ApplyManifests("nope", "mlflow", "s", {}).message(), "model \"nope\" not found");
  EXPECT_EQ(substrate_.ApplyManifests("test", "ghost", "s", {}).message(), "application \"ghost\" not found");
  EXPECT_EQ(substrate_.ApplyManifestsForUnit(12345, "s", {}).code(), absl::StatusCode::kNotFound);
}

// The gRPC edge: conversions, the caller's identity deciding the owner, admin-only listing.
class SubstrateApiTest : public testing::ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_TRUE(Deploy("provider", testing::TestCharm("kv-provider"), 1).ok());
    ASSERT_TRUE(Deploy("requirer", testing::TestCharm("kv-requirer"), 1).ok());
    provider_ = UnitIdentity("provider/0");
    requirer_ = UnitIdentity("requirer/0");
  }
  static void Add(const Manifest& m, v1::Manifest* out) {
    out->set_namespace_(m.ns);
    out->set_api_version(m.api_version);
    out->set_kind(m.kind);
    out->set_name(m.name);
    out->set_content_json(m.content_json);
    out->set_target_namespace_label(m.target_namespace_label);
  }
  grpc::Status AgentApply(const rpc::Identity& who, const std::string& set, const std::vector<Manifest>& manifests) {
    v1::ApplyManifestsRequest req;
    req.set_set(set);
    for (const Manifest& m : manifests) Add(m, req.add_manifests());
    v1::ApplyManifestsResponse resp;
    return Call(agent_.get(), &v1::Agent::Stub::ApplyManifests, who, req, &resp);
  }
  grpc::Status UserApply(const rpc::Identity& who, const std::string& model, const std::vector<Manifest>& manifests) {
    v1::ApplyUserManifestsRequest req;
    req.set_model(model);
    for (const Manifest& m : manifests) Add(m, req.add_manifests());
    v1::ApplyUserManifestsResponse resp;
    return Call(controller_.get(), &v1::Controller::Stub::ApplyUserManifests, who, req, &resp);
  }
  grpc::Status List(const rpc::Identity& who, const std::string& model, const std::string& ns,
                    v1::ListManifestsResponse* resp) {
    v1::ListManifestsRequest req;
    req.set_model(model);
    req.set_namespace_(ns);
    return Call(controller_.get(), &v1::Controller::Stub::ListManifests, who, req, resp);
  }
  rpc::Identity provider_, requirer_;
};

TEST_F(SubstrateApiTest, AUnitAppliesForItsOwnApplicationOnly) {
  ASSERT_TRUE(AgentApply(provider_, "secrets", {Decoration("Secret", "s", kUserLabel)}).ok());
  ASSERT_TRUE(UserApply(Admin(), "test", {Namespace("alice", Enabled())}).ok());
  v1::ListManifestsResponse resp;
  ASSERT_TRUE(List(Admin(), "test", "", &resp).ok());
  ASSERT_EQ(resp.manifests_size(), 2);
  const v1::ListedManifest& copy = resp.manifests(1);
  EXPECT_EQ(copy.owner(), "provider");
  EXPECT_EQ(copy.set(), "secrets");
  EXPECT_EQ(copy.manifest().namespace_(), "alice");
  EXPECT_EQ(copy.manifest().kind(), "Secret");
  EXPECT_EQ(copy.manifest().target_namespace_label(), "");
  EXPECT_EQ(Json::parse(copy.manifest().content_json())["metadata"]["namespace"], "alice");
  EXPECT_EQ(resp.manifests(0).owner(), "");
  EXPECT_EQ(resp.manifests(0).set(), "user");

  // Another application's unit cannot take the object over, nor prune it through its own set.
  grpc::Status s = AgentApply(requirer_, "secrets", {Decoration("Secret", "s", kUserLabel)});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(),
            "Secret \"s\" for namespaces labelled \"user.kubeflow.org/enabled\" is already applied by application "
            "\"provider\"");
  ASSERT_TRUE(AgentApply(requirer_, "secrets", {}).ok());
  resp.Clear();
  ASSERT_TRUE(List(Admin(), "test", "alice", &resp).ok());
  ASSERT_EQ(resp.manifests_size(), 1);
  EXPECT_EQ(resp.manifests(0).owner(), "provider");

  s = AgentApply(provider_, "secrets", {Obj("Secret", "x", "kf", "", nullptr)});
  EXPECT_TRUE(s.ok()) << s.error_message();
  Manifest bad = Obj("Secret", "y", "kf");
  bad.kind = "";
  EXPECT_EQ(AgentApply(provider_, "secrets", {bad}).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(SubstrateApiTest, EachCallerStaysInItsLane) {
  EXPECT_EQ(AgentApply(Admin(), "s", {}).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(AgentApply(Machine(), "s", {}).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(AgentApply({provider_.entity, "wrong"}, "s", {}).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(AgentApply({provider_.entity, requirer_.credential}, "s", {}).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::ListManifestsResponse resp;
  EXPECT_EQ(List(provider_, "test", "", &resp).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(UserApply(provider_, "test", {Namespace("a")}).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status s = List(Admin(), "nope", "", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "model \"nope\" not found");
  EXPECT_EQ(UserApply(Admin(), "nope", {Namespace("a")}).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace skein::controller
