// The CRDs the built-in charms send (agents/charms/crds.h): each owner charm sends its own as
// the set `crds`; every schema is structural with no top-level x-kubernetes-preserve-unknown-
// fields; and every field the charms set in objects of those kinds is named by the schema, so
// a real kube-apiserver neither prunes it nor refuses it under strict field validation. (The
// cluster itself checks the same objects in tests/k8s/manifests_accepted_test.cc.)

#include "agents/charms/crds.h"

#include <set>
#include <string>
#include <vector>

#include "agents/charms/charms.h"
#include "agents/sdk/builtin_runner.h"
#include "fake_substrate.h"
#include "gtest/gtest.h"
#include "lib/charm/metadata.h"
#include "tests/agents/hook/fake_hook_context.h"

namespace skein::charms {
namespace {

using agent::testing::FakeHookContext;
using json = nlohmann::ordered_json;

// Problems that make a schema node non-structural (Kubernetes' rules, the ones our files could
// break): a node without a type unless it is int-or-string or preserves unknown fields, and
// preserve-unknown at the root.
void CheckStructural(const json& node, const std::string& path, std::vector<std::string>& errors) {
  const bool int_or_string = node.value("x-kubernetes-int-or-string", false);
  const bool preserve = node.value("x-kubernetes-preserve-unknown-fields", false);
  if (!node.contains("type") && !int_or_string && !preserve) errors.push_back(path + ": no type");
  if (node.contains("properties")) {
    for (const auto& [key, child] : node["properties"].items()) CheckStructural(child, path + "." + key, errors);
  }
  if (node.contains("items")) CheckStructural(node["items"], path + "[]", errors);
  if (node.contains("additionalProperties") && node["additionalProperties"].is_object()) {
    CheckStructural(node["additionalProperties"], path + ".*", errors);
  }
}

// Fields of `value` the schema does not name (they would be pruned, or refused by a strict
// apply), and scalars of the wrong type.
void CheckCovered(const json& value, const json& schema, const std::string& path, std::vector<std::string>& errors) {
  const bool preserve = schema.value("x-kubernetes-preserve-unknown-fields", false);
  if (schema.value("x-kubernetes-int-or-string", false)) {
    if (!value.is_number_integer() && !value.is_string()) errors.push_back(path + ": not an integer or string");
    return;
  }
  const std::string type = schema.value("type", "");
  if (value.is_object()) {
    if (!type.empty() && type != "object") errors.push_back(path + ": an object where the schema has " + type);
    for (const auto& [key, child] : value.items()) {
      if (schema.contains("properties") && schema["properties"].contains(key)) {
        CheckCovered(child, schema["properties"][key], path + "." + key, errors);
      } else if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
        CheckCovered(child, schema["additionalProperties"], path + "." + key, errors);
      } else if (!preserve) {
        errors.push_back(path + "." + key + ": not in the schema");
      }
    }
  } else if (value.is_array()) {
    if (type != "array") errors.push_back(path + ": an array where the schema has " + type);
    for (size_t i = 0; i < value.size(); ++i) {
      if (schema.contains("items")) CheckCovered(value[i], schema["items"], path + "[" + std::to_string(i) + "]", errors);
    }
  } else if (value.is_string() && type != "string") {
    errors.push_back(path + ": a string where the schema has " + type);
  } else if (value.is_boolean() && type != "boolean") {
    errors.push_back(path + ": a boolean where the schema has " + type);
  } else if (value.is_number_integer() && type != "integer" && type != "number") {
    errors.push_back(path + ": an integer where the schema has " + type);
  }
}

// The schema of `object`'s apiVersion and kind among the embedded CRDs.
const json* SchemaFor(const std::vector<json>& crds, const json& object) {
  const std::string api_version = object.value("apiVersion", "");
  const std::string group = api_version.substr(0, api_version.find('/'));
  const std::string version = api_version.substr(api_version.find('/') + 1);
  for (const json& crd : crds) {
    if (crd["spec"]["group"] != group || crd["spec"]["names"]["kind"] != object.value("kind", "")) continue;
    for (const json& v : crd["spec"]["versions"]) {
      if (v["name"] == version && v.value("served", false)) return &v["schema"]["openAPIV3Schema"];
    }
  }
  return nullptr;
}

std::vector<json> AllCrds() {
  std::vector<json> out;
  for (const std::string& name : CrdNames()) {
    auto crd = Crd(name);
    EXPECT_TRUE(crd.ok()) << crd.status();
    if (crd.ok()) out.push_back(*crd);
  }
  return out;
}

charm::Metadata Meta(const std::string& yaml) {
  auto m = charm::ParseMetadata(yaml);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : charm::Metadata{};
}

absl::Status RunHook(sdk::Charm& charm, FakeHookContext& ctx, testing::FakeSubstrate& substrate, const std::string& meta,
                     const std::string& hook = "config-changed") {
  sdk::Model model(&ctx, &substrate, Meta(meta), "kubeflow");
  return sdk::RunCharmEvent(charm, sdk::EventFor(hook, {}), model);
}

// The CRD names in a set the charm applied.
std::set<std::string> Names(const std::vector<sdk::K8sObject>& objects) {
  std::set<std::string> out;
  for (const auto& o : objects) {
    EXPECT_EQ(o.object["kind"], "CustomResourceDefinition");
    EXPECT_EQ(o.object["apiVersion"], "apiextensions.k8s.io/v1");
    EXPECT_FALSE(o.object["metadata"].contains("namespace"));
    out.insert(o.object["metadata"]["name"].get<std::string>());
  }
  return out;
}

TEST(CrdsTest, EveryEmbeddedCrdIsStructuralWithoutTopLevelPreserveUnknownFields) {
  std::vector<json> crds = AllCrds();
  ASSERT_EQ(crds.size(), 5u);
  for (const json& crd : crds) {
    const std::string name = crd["metadata"]["name"];
    EXPECT_EQ(name, crd["spec"]["names"]["plural"].get<std::string>() + "." + crd["spec"]["group"].get<std::string>());
    int storage = 0;
    for (const json& v : crd["spec"]["versions"]) {
      storage += v.value("storage", false) ? 1 : 0;
      const json& root = v["schema"]["openAPIV3Schema"];
      EXPECT_EQ(root.value("type", ""), "object") << name;
      EXPECT_FALSE(root.contains("x-kubernetes-preserve-unknown-fields")) << name;
      EXPECT_FALSE(root["properties"]["spec"].contains("x-kubernetes-preserve-unknown-fields")) << name;
      std::vector<std::string> errors;
      CheckStructural(root, name + "/" + v["name"].get<std::string>(), errors);
      EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
    }
    EXPECT_EQ(storage, 1) << name << " needs exactly one storage version";
  }
}

TEST(CrdsTest, EachOwnerCharmSendsItsCrdsAsTheLeaderOnly) {
  struct Owner {
    std::string charm;
    std::unique_ptr<sdk::Charm> (*make)();
    std::set<std::string> crds;
  };
  const std::vector<Owner> owners = {
      {"istio-pilot", NewIstioPilot,
       {"envoyfilters.networking.istio.io", "gateways.networking.istio.io", "virtualservices.networking.istio.io"}},
      {"kubeflow-profiles", NewKubeflowProfiles, {"profiles.kubeflow.org"}},
  };
  for (const Owner& owner : owners) {
    FakeHookContext ctx(owner.charm + "/0", "install");
    testing::FakeSubstrate substrate;
    auto charm = owner.make();
    ASSERT_TRUE(RunHook(*charm, ctx, substrate, "name: " + owner.charm + "\n", "install").ok());
    EXPECT_EQ(Names(substrate.sets["crds"]), owner.crds) << owner.charm;

    FakeHookContext minion(owner.charm + "/1", "install");
    minion.leader = false;
    testing::FakeSubstrate minion_substrate;
    ASSERT_TRUE(RunHook(*charm, minion, minion_substrate, "name: " + owner.charm + "\n", "install").ok());
    EXPECT_EQ(minion_substrate.sets.count("crds"), 0u) << owner.charm;
  }
}

// admission-webhook runs the common charm with its profile (it has no class of its own).
TEST(CrdsTest, AdmissionWebhookSendsThePodDefaultCrd) {
  sdk::CharmRegistry registry;
  RegisterBuiltinCharms(registry);
  auto charm = registry.Create("admission-webhook");
  ASSERT_NE(charm, nullptr);
  FakeHookContext ctx("admission-webhook/0", "install");
  testing::FakeSubstrate substrate;
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, "name: admission-webhook\n", "install").ok());
  EXPECT_EQ(Names(substrate.sets["crds"]), std::set<std::string>{"poddefaults.kubeflow.org"});
}

// Every custom object the charms render, with every optional field they can set.
std::vector<json> RenderedCustomObjects() {
  std::vector<json> out;
  for (const json& o : MlflowPodDefaults("mlflow-server", "http://minio.kubeflow:9000", "http://mlflow:5000")) {
    out.push_back(o);
  }
  {
    FakeHookContext ctx("istio-pilot/0", "config-changed");
    testing::FakeSubstrate substrate;
    auto& route = ctx.AddRelation(1, "ingress", "mlflow-server", {"mlflow-server/0"});
    route.bags["mlflow-server"] = {
        {"_supported_versions", "- v1\n"},
        {"data", "namespace: kubeflow\nport: 5000\nprefix: /mlflow/\nrewrite: /\nservice: mlflow-server\n"}};
    auto& auth = ctx.AddRelation(2, "ingress-auth", "oidc-gatekeeper", {"oidc-gatekeeper/0"});
    auth.bags["oidc-gatekeeper"] = {
        {"_supported_versions", "- v1\n"},
        {"data",
         "allowed-request-headers:\n- cookie\nallowed-response-headers:\n- kubeflow-userid\nport: 8080\n"
         "service: oidc-gatekeeper\n"}};
    const std::string meta =
        "name: istio-pilot\nprovides:\n  ingress: {interface: ingress}\n  ingress-auth: {interface: ingress-auth}\n";
    auto charm = NewIstioPilot();
    EXPECT_TRUE(RunHook(*charm, ctx, substrate, meta).ok());
    for (const auto& o : substrate.sets["ingress"]) out.push_back(o.object);
  }
  {
    class Action : public FakeHookContext {
     public:
      using FakeHookContext::FakeHookContext;
      std::string ActionName() const override { return "create-profile"; }
      absl::StatusOr<nlohmann::json> ActionParams() override {
        return nlohmann::json{{"username", "alice@example.com"},
                              {"profilename", "alice"},
                              {"resourcequota", "hard:\n  cpu: \"2\"\n  memory: 2Gi\n  pods: 10\n"}};
      }
      absl::Status SetActionResults(const nlohmann::json&) override { return absl::OkStatus(); }
      absl::Status ActionLog(const std::string&) override { return absl::OkStatus(); }
      absl::Status ActionFail(const std::string& m) override {
        ADD_FAILURE() << m;
        return absl::OkStatus();
      }
    };
    Action ctx("kubeflow-profiles/0", "");
    testing::FakeSubstrate substrate;
    auto charm = NewKubeflowProfiles();
    EXPECT_TRUE(RunHook(*charm, ctx, substrate, "name: kubeflow-profiles\n", "actions/create-profile").ok());
    for (const auto& o : substrate.sets["profile:alice"]) out.push_back(o.object);
    for (const auto& o : substrate.sets["profile-config:alice"]) out.push_back(o.object);
  }
  return out;
}

TEST(CrdsTest, EveryFieldTheCharmsSetInCustomObjectsIsInTheSchema) {
  std::vector<json> crds = AllCrds();
  std::set<std::string> kinds;
  for (const json& object : RenderedCustomObjects()) {
    const std::string api_version = object["apiVersion"];
    if (api_version.find('.') == std::string::npos) continue;  // a core kind (v1, apps/v1)
    const std::string kind = object["kind"];
    kinds.insert(kind);
    const json* schema = SchemaFor(crds, object);
    ASSERT_NE(schema, nullptr) << "no served CRD version for " << api_version << " " << kind;
    std::vector<std::string> errors;
    json body = object;
    body.erase("metadata");  // the API server's own schema
    CheckCovered(body, *schema, kind, errors);
    EXPECT_TRUE(errors.empty()) << object.dump(1) << "\n" << ::testing::PrintToString(errors);
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"EnvoyFilter", "Gateway", "PodDefault", "Profile", "VirtualService"}));
}

}  // namespace
}  // namespace skein::charms
