#pragma once

// A kube::Client that keeps objects in memory, for tests of the cloud store and the provisioner
// that need no cluster: applies merge nothing (the object sent is the object stored), lists
// filter by namespace only, and `fail_with` makes every call fail (an unreachable cluster).

#include <map>
#include <string>
#include <tuple>

#include "absl/status/status.h"
#include "lib/base/mutex.h"
#include "lib/kube/client.h"

namespace skein::controller::testing {

class FakeKubeClient : public kube::Client {
 public:
  absl::StatusOr<kube::Json> Apply(const kube::Json& object, const kube::ApplyOptions& options) override {
    MutexLock lock(mu);
    if (!fail_with.ok()) return fail_with;
    const kube::ObjectRef ref = kube::RefOf(object);
    objects[KeyOf(ref)] = object;
    managers[KeyOf(ref)] = options.field_manager;
    return object;
  }
  absl::StatusOr<kube::Json> Get(const kube::ObjectRef& ref) override {
    MutexLock lock(mu);
    if (!fail_with.ok()) return fail_with;
    auto it = objects.find(KeyOf(ref));
    if (it == objects.end()) return absl::NotFoundError("get " + ref.kind + " \"" + ref.name + "\": not found");
    return it->second;
  }
  absl::StatusOr<kube::Json> List(const std::string& api_version, const std::string& kind, const std::string& ns,
                                  const kube::ListOptions&) override {
    MutexLock lock(mu);
    if (!fail_with.ok()) return fail_with;
    ++lists;
    kube::Json items = kube::Json::array();
    for (const auto& [key, object] : objects) {
      if (std::get<1>(key) == kind && (ns.empty() || std::get<2>(key) == ns)) items.push_back(object);
    }
    return kube::Json{{"items", items}, {"metadata", {{"resourceVersion", "1"}}}};
  }
  absl::Status Delete(const kube::ObjectRef& ref, const kube::DeleteOptions&) override {
    MutexLock lock(mu);
    if (!fail_with.ok()) return fail_with;
    if (objects.erase(KeyOf(ref)) == 0) return absl::NotFoundError("not found");
    return absl::OkStatus();
  }
  absl::StatusOr<kube::Json> CreateSubresource(const kube::ObjectRef&, const std::string&, const kube::Json&) override {
    return absl::UnimplementedError("fake");
  }
  absl::Status Watch(const std::string&, const std::string&, const std::string&, const kube::WatchOptions&,
                     const std::function<bool(const kube::WatchEvent&)>&, const std::atomic<bool>*) override {
    return absl::UnimplementedError("fake");
  }
  absl::StatusOr<bool> IsNamespaced(const std::string&, const std::string& kind) override {
    return kind != "Namespace";
  }
  const std::string& server() const override { return server_; }

  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  static Key KeyOf(const kube::ObjectRef& ref) { return {ref.api_version, ref.kind, ref.ns, ref.name}; }

  Mutex mu;
  absl::Status fail_with;
  std::map<Key, kube::Json> objects;
  std::map<Key, std::string> managers;
  int lists = 0;
  std::string server_ = "https://127.0.0.1:6443";
};

}  // namespace skein::controller::testing
