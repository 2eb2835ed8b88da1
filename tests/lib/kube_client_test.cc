// lib/kube's client against the real test cluster (label k8s, tools/k8s/with-cluster): what the
// provider and the manifests code rely on, as the API server really answers it. Each test works
// in a namespace of its own.

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/mutex.h"
#include "lib/kube/client.h"
#include "tests/k8s_cluster.h"

namespace skein::kube {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

Json ConfigMap(const std::string& ns, const std::string& name, const Json& data, const Json& labels = Json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"namespace", ns}, {"name", name}, {"labels", labels}}},
          {"data", data}};
}

std::string ResourceVersion(const Json& object) { return object["metadata"]["resourceVersion"].get<std::string>(); }

class KubeClientTest : public testing::K8sTest {
 protected:
  void SetUp() override {
    K8sTest::SetUp();
    if (HasFatalFailure()) return;
    auto client = Client::Create(cluster());
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
    ns_ = testing::UniqueK8sName("kc");
    auto created = client_->Apply({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}});
    ASSERT_TRUE(created.ok()) << created.status();
  }
  void TearDown() override {
    // Namespaces take seconds to go; the test does not wait for it.
    if (client_ != nullptr) (void)client_->Delete({"v1", "Namespace", "", ns_});
  }

  // Polls `done` until it holds or 30 s pass (the cluster's controllers work asynchronously).
  template <typename F>
  bool Eventually(F done) {
    auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  }

  std::unique_ptr<Client> client_;
  std::string ns_;
};

TEST_F(KubeClientTest, ApplyCreatesAndANoOpApplyKeepsTheResourceVersion) {
  auto first = client_->Apply(ConfigMap(ns_, "settings", {{"a", "1"}}));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ((*first)["data"]["a"], "1");
  auto again = client_->Apply(ConfigMap(ns_, "settings", {{"a", "1"}}));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(ResourceVersion(*again), ResourceVersion(*first));

  auto changed = client_->Apply(ConfigMap(ns_, "settings", {{"a", "2"}}));
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_NE(ResourceVersion(*changed), ResourceVersion(*first));
  auto got = client_->Get({"v1", "ConfigMap", ns_, "settings"});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)["data"]["a"], "2");
}

TEST_F(KubeClientTest, DryRunValidatesAndStoresNothing) {
  ApplyOptions dry;
  dry.dry_run = true;
  auto answer = client_->Apply(ConfigMap(ns_, "dry", {{"k", "v"}}), dry);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ((*answer)["data"]["k"], "v");
  EXPECT_EQ(client_->Get({"v1", "ConfigMap", ns_, "dry"}).status().code(), absl::StatusCode::kNotFound);

  // Invalid objects are refused in a dry run too.
  Json bad = ConfigMap(ns_, "Not_A_Name", {{"k", "v"}});
  EXPECT_EQ(client_->Apply(bad, dry).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(KubeClientTest, AnotherManagersFieldIsAConflictUnlessForced) {
  ApplyOptions provider;
  provider.field_manager = "skein";
  ASSERT_TRUE(client_->Apply(ConfigMap(ns_, "shared", {{"owner", "skein"}}), provider).ok());

  ApplyOptions charm;
  charm.field_manager = "skein-mlflow";
  charm.force = false;
  auto conflict = client_->Apply(ConfigMap(ns_, "shared", {{"owner", "charm"}}), charm);
  ASSERT_EQ(conflict.status().code(), absl::StatusCode::kAborted) << conflict.status();
  EXPECT_THAT(conflict.status().message(), HasSubstr("apply ConfigMap \"" + ns_ + "/shared\": "));
  EXPECT_THAT(conflict.status().message(), HasSubstr("conflict"));

  charm.force = true;
  auto forced = client_->Apply(ConfigMap(ns_, "shared", {{"owner", "charm"}}), charm);
  ASSERT_TRUE(forced.ok()) << forced.status();
  EXPECT_EQ((*forced)["data"]["owner"], "charm");
}

TEST_F(KubeClientTest, ErrorsCarryTheirCodeAndTheServersMessage) {
  auto missing = client_->Get({"v1", "ConfigMap", ns_, "nothing-here"});
  ASSERT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            absl::StrCat("get ConfigMap \"", ns_, "/nothing-here\": configmaps \"nothing-here\" not found"));

  // An invalid name: 422 from the server.
  auto invalid = client_->Apply(ConfigMap(ns_, "Not_A_Name", {{"k", "v"}}));
  ASSERT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument) << invalid.status();
  EXPECT_THAT(invalid.status().message(), HasSubstr("Not_A_Name"));

  // A value of the wrong type: the server answers this apply with 500, still an invalid object.
  Json wrong_type = ConfigMap(ns_, "typed", Json::object());
  wrong_type["data"]["n"] = 5;
  auto typed = client_->Apply(wrong_type);
  ASSERT_EQ(typed.status().code(), absl::StatusCode::kInvalidArgument) << typed.status();

  // A kind the server does not serve.
  auto unknown = client_->Get({"v1", "Gizmo", ns_, "x"});
  ASSERT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("the server does not serve kind Gizmo of apiVersion v1"));

  // Nobody listening: Unavailable.
  ClusterConfig nowhere = cluster();
  nowhere.server = "https://127.0.0.1:1";
  auto offline = Client::Create(nowhere);
  ASSERT_TRUE(offline.ok());
  EXPECT_EQ((*offline)->Get({"v1", "ConfigMap", ns_, "x"}).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(KubeClientTest, ServiceAccountTokenAuthenticatesAsTheAccountAndRbacForbids) {
  ASSERT_TRUE(client_->Apply({{"apiVersion", "v1"},
                              {"kind", "ServiceAccount"},
                              {"metadata", {{"namespace", ns_}, {"name", "mlflow"}}}})
                  .ok());
  Json request = {{"apiVersion", "authentication.k8s.io/v1"},
                  {"kind", "TokenRequest"},
                  {"spec", {{"expirationSeconds", 600}}}};
  auto answer = client_->CreateSubresource({"v1", "ServiceAccount", ns_, "mlflow"}, "token", request);
  ASSERT_TRUE(answer.ok()) << answer.status();
  std::string token = (*answer)["status"]["token"].get<std::string>();
  ASSERT_FALSE(token.empty());
  EXPECT_TRUE((*answer)["status"].contains("expirationTimestamp"));

  ClusterConfig as_account = cluster();
  as_account.client_cert_pem.clear();
  as_account.client_key_pem.clear();
  as_account.token = token;
  auto account = Client::Create(as_account);
  ASSERT_TRUE(account.ok());
  // Authenticated (not 401) as the account, which no Role lets read ConfigMaps.
  auto denied = (*account)->List("v1", "ConfigMap", ns_);
  ASSERT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied) << denied.status();
  EXPECT_THAT(denied.status().message(), HasSubstr("system:serviceaccount:" + ns_ + ":mlflow"));

  as_account.token = "not-a-token";
  auto stranger = Client::Create(as_account);
  ASSERT_TRUE(stranger.ok());
  EXPECT_EQ((*stranger)->List("v1", "ConfigMap", ns_).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(KubeClientTest, ListFiltersByLabelAndDeleteRemoves) {
  for (const char* name : {"a", "b", "c"}) {
    Json labels = {{"app.kubernetes.io/name", std::string(name) == "c" ? "other" : "mlflow"}};
    ASSERT_TRUE(client_->Apply(ConfigMap(ns_, name, {{"k", name}}, labels)).ok());
  }
  ListOptions selected;
  selected.label_selector = "app.kubernetes.io/name=mlflow";
  auto list = client_->List("v1", "ConfigMap", ns_, selected);
  ASSERT_TRUE(list.ok()) << list.status();
  std::vector<std::string> names;
  for (const Json& item : (*list)["items"]) names.push_back(item["metadata"]["name"]);
  EXPECT_THAT(names, ElementsAre("a", "b"));
  EXPECT_FALSE((*list)["metadata"]["resourceVersion"].get<std::string>().empty());

  ASSERT_TRUE(client_->Delete({"v1", "ConfigMap", ns_, "a"}).ok());
  EXPECT_EQ(client_->Get({"v1", "ConfigMap", ns_, "a"}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(client_->Delete({"v1", "ConfigMap", ns_, "a"}).code(), absl::StatusCode::kNotFound);
  list = client_->List("v1", "ConfigMap", ns_, selected);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)["items"].size(), 1u);
}

// Events of a watch as "TYPE name data.k".
std::string Describe(const WatchEvent& event) {
  static const char* kNames[] = {"ADDED", "MODIFIED", "DELETED", "BOOKMARK"};
  std::string data = event.object.contains("data") ? event.object["data"].value("k", "") : "";
  return absl::StrCat(kNames[static_cast<int>(event.type)], " ", event.object["metadata"].value("name", ""), " ",
                      data);
}

TEST_F(KubeClientTest, WatchSeesChangesLiveAndResumesFromAVersion) {
  auto list = client_->List("v1", "ConfigMap", ns_);
  ASSERT_TRUE(list.ok());
  std::string start = (*list)["metadata"]["resourceVersion"];

  Mutex mu;
  std::vector<std::string> seen;
  std::vector<std::string> versions;
  std::atomic<bool> stop{false};
  WatchOptions options;
  options.resource_version = start;
  auto watching = std::async(std::launch::async, [&] {
    return client_->Watch("v1", "ConfigMap", ns_, options, [&](const WatchEvent& event) {
      // The namespace's kube-root-ca.crt ConfigMap may arrive meanwhile.
      if (event.type == WatchEvent::Type::kBookmark || event.object["metadata"]["name"] != "w") return true;
      MutexLock lock(mu);
      seen.push_back(Describe(event));
      versions.push_back(ResourceVersion(event.object));
      return true;
    }, &stop);
  });
  ASSERT_TRUE(client_->Apply(ConfigMap(ns_, "w", {{"k", "1"}})).ok());
  ASSERT_TRUE(client_->Apply(ConfigMap(ns_, "w", {{"k", "2"}})).ok());
  ASSERT_TRUE(client_->Delete({"v1", "ConfigMap", ns_, "w"}).ok());
  EXPECT_TRUE(Eventually([&] {
    MutexLock lock(mu);
    return seen.size() >= 3;
  }));
  // The stop flag ends a watch on a quiet collection within about a second (libcurl's progress
  // callback, which reads it, runs about once a second while no byte arrives).
  auto stopped_at = Clock::now();
  stop = true;
  ASSERT_EQ(watching.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_LT(Clock::now() - stopped_at, std::chrono::milliseconds(2500));
  EXPECT_TRUE(watching.get().ok());
  std::vector<std::string> modified_version;
  {
    MutexLock lock(mu);
    EXPECT_THAT(seen, ElementsAre("ADDED w 1", "MODIFIED w 2", "DELETED w 2"));
    modified_version = versions;
  }
  ASSERT_EQ(modified_version.size(), 3u);

  // Resumed from the MODIFIED event's version, only what came after is sent; on_event returning
  // false ends the watch with OK.
  std::vector<std::string> resumed;
  options.resource_version = modified_version[1];
  auto status = client_->Watch("v1", "ConfigMap", ns_, options, [&](const WatchEvent& event) {
    if (event.type == WatchEvent::Type::kBookmark || event.object["metadata"]["name"] != "w") return true;
    resumed.push_back(Describe(event));
    return false;
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_THAT(resumed, ElementsAre("DELETED w 2"));
}

TEST_F(KubeClientTest, WatchFromACompactedVersionIsOutOfRange) {
  // The test cluster compacts etcd every 5 s and watches PodTemplates from etcd
  // (tools/k8s/cluster), so version 1 is compacted away within seconds of its start.
  WatchOptions options;
  options.resource_version = "1";
  options.timeout = std::chrono::seconds(1);
  absl::Status status;
  EXPECT_TRUE(Eventually([&] {
    status = client_->Watch("v1", "PodTemplate", ns_, options, [](const WatchEvent&) { return true; });
    return status.code() == absl::StatusCode::kOutOfRange;
  })) << status;
  EXPECT_THAT(status.message(), HasSubstr("watch PodTemplate \"" + ns_ + "\": "));
}

TEST_F(KubeClientTest, ServerEndsTheWatchAfterItsTimeoutWithOk) {
  WatchOptions options;
  options.timeout = std::chrono::seconds(1);
  int events = 0;
  auto status = client_->Watch("v1", "ConfigMap", ns_, options, [&](const WatchEvent&) {
    ++events;
    return true;
  });
  EXPECT_TRUE(status.ok()) << status;
}

Json Crd(const std::string& group, const std::string& kind, const std::string& plural) {
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", plural + "." + group}}},
          {"spec",
           {{"group", group},
            {"scope", "Namespaced"},
            {"names", {{"kind", kind}, {"plural", plural}, {"singular", absl::AsciiStrToLower(kind)}}},
            {"versions",
             {{{"name", "v1"},
               {"served", true},
               {"storage", true},
               {"schema",
                {{"openAPIV3Schema",
                  {{"type", "object"},
                   {"properties",
                    {{"spec", {{"type", "object"}, {"properties", {{"size", {{"type", "integer"}}}}}}}}}}}}}}}}}}};
}

TEST_F(KubeClientTest, ACrdsKindWorksOnceEstablishedAfterItsGroupWasDiscovered) {
  std::string group = ns_ + ".skein.test";
  std::string api_version = group + "/v1";
  auto established = [&](const std::string& name) {
    return Eventually([&] {
      auto crd = client_->Get({"apiextensions.k8s.io/v1", "CustomResourceDefinition", "", name});
      if (!crd.ok()) return false;
      for (const Json& c : (*crd)["status"].value("conditions", Json::array())) {
        if (c["type"] == "Established" && c["status"] == "True") return true;
      }
      return false;
    });
  };
  ASSERT_TRUE(client_->Apply(Crd(group, "Gadget", "gadgets")).ok());
  ASSERT_TRUE(established("gadgets." + group));
  // The group/version is discovered now, with Gadget alone.
  ASSERT_TRUE(Eventually([&] { return client_->IsNamespaced(api_version, "Gadget").ok(); }));
  EXPECT_EQ(client_->IsNamespaced(api_version, "Widget").status().code(), absl::StatusCode::kNotFound);

  ASSERT_TRUE(client_->Apply(Crd(group, "Widget", "widgets")).ok());
  ASSERT_TRUE(established("widgets." + group));
  Json widget = {{"apiVersion", api_version},
                 {"kind", "Widget"},
                 {"metadata", {{"namespace", ns_}, {"name", "w1"}}},
                 {"spec", {{"size", 3}}}};
  absl::StatusOr<Json> applied;
  // Established is reported a moment before discovery serves the kind.
  EXPECT_TRUE(Eventually([&] { return (applied = client_->Apply(widget)).ok(); })) << applied.status();
  EXPECT_EQ((*applied)["spec"]["size"], 3);
  EXPECT_EQ(client_->IsNamespaced(api_version, "Widget").value_or(false), true);

  for (const char* plural : {"gadgets", "widgets"}) {
    EXPECT_TRUE(client_->Delete({"apiextensions.k8s.io/v1", "CustomResourceDefinition", "", plural + ("." + group)}).ok());
  }
}

TEST_F(KubeClientTest, ConcurrentCallsFromManyThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        std::string name = absl::StrCat("c-", t, "-", i);
        if (client_->Apply(ConfigMap(ns_, name, {{"k", name}})).ok() &&
            client_->Get({"v1", "ConfigMap", ns_, name}).ok()) {
          ++ok;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 40);
  auto list = client_->List("v1", "ConfigMap", ns_);
  ASSERT_TRUE(list.ok());
  // Besides the 40, the namespace has its kube-root-ca.crt ConfigMap.
  EXPECT_GE((*list)["items"].size(), 40u);
}

}  // namespace
}  // namespace skein::kube
