#include "agents/unit/substrate/agent_substrate.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_split.h"
#include "lib/rpc/retry.h"

namespace skein::agent {
namespace {

std::string StringAt(const nlohmann::ordered_json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

v1::Manifest AgentSubstrate::ToManifest(const sdk::K8sObject& object) {
  v1::Manifest m;
  m.set_api_version(StringAt(object.object, "apiVersion"));
  m.set_kind(StringAt(object.object, "kind"));
  if (auto meta = object.object.find("metadata"); meta != object.object.end() && meta->is_object()) {
    m.set_name(StringAt(*meta, "name"));
    m.set_namespace_(StringAt(*meta, "namespace"));
  }
  m.set_content_json(object.object.dump());
  m.set_target_namespace_label(object.target_namespace_label);
  return m;
}

absl::Status AgentSubstrate::ApplyManifests(const std::string& set, const std::vector<sdk::K8sObject>& objects) {
  std::vector<v1::Manifest> manifests;
  for (const auto& o : objects) manifests.push_back(ToManifest(o));
  // A built-in charm's call for its hook: a controller that is away is retried within the hook
  // budget, as the hook tools' calls are (unit_hook_context.h).
  return rpc::RetryTransient(
      clock_, rpc::kHookCallBudget, [&] { return client_->ApplyManifests(set, manifests); },
      [this](Clock::Duration delay) {
        clock_.SleepFor(delay);
        return false;
      });
}

absl::Status AgentSubstrate::ReplanWorkload(const std::vector<sdk::WorkloadService>& services) {
  if (supervisor_ == nullptr) return absl::FailedPreconditionError("this substrate runs no workloads");
  std::vector<workload::ServiceSpec> specs;
  for (const auto& s : services) specs.push_back({s.name, s.command, s.environment, workload_dir_});
  return supervisor_->Replan(specs);
}

std::vector<sdk::WorkloadServiceStatus> AgentSubstrate::WorkloadStatus() const {
  std::vector<sdk::WorkloadServiceStatus> out;
  if (supervisor_ == nullptr) return out;
  for (const auto& s : supervisor_->Services()) out.push_back({s.name, s.running, s.restarts});
  return out;
}

std::string AgentSubstrate::FindProgram(const std::string& name) const {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  // Debian installs some daemons outside a user's PATH.
  dirs += ":/usr/sbin:/sbin";
  for (const auto& dir : absl::StrSplit(dirs, ':')) {
    if (dir.empty()) continue;
    std::string candidate = std::string(dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace skein::agent
