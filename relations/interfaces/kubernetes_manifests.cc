#include "relations/interfaces/kubernetes_manifests.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "relations/interfaces/python_dump.h"
#include "relations/interfaces/sdi.h"

namespace skein::relations::interfaces::kubernetes_manifests {
namespace {

absl::StatusOr<nlohmann::ordered_json> ParseList(const std::string& text) {
  nlohmann::ordered_json list = nlohmann::ordered_json::parse(text, nullptr, false);
  if (list.is_discarded() || !list.is_array()) return absl::InvalidArgumentError("manifests are not a JSON list");
  for (const auto& m : list) {
    if (!m.is_object()) return absl::InvalidArgumentError("a manifest is not a JSON object");
  }
  return list;
}

}  // namespace

std::map<std::string, std::string> WriteBag(const nlohmann::ordered_json& manifests) {
  return {{kManifestsKey, PythonJsonDumps(manifests)}};
}

absl::StatusOr<nlohmann::ordered_json> ReadBag(const std::map<std::string, std::string>& bag) {
  auto it = bag.find(kManifestsKey);
  return ParseList(it == bag.end() ? "[]" : it->second);
}

std::map<std::string, std::string> WriteSdiBag(const std::string& endpoint, const nlohmann::ordered_json& manifests) {
  nlohmann::ordered_json data = nlohmann::ordered_json::object();
  data[endpoint] = PythonJsonDumps(manifests);
  return sdi::WriteBag({"v1"}, data);
}

absl::StatusOr<nlohmann::ordered_json> ReadSdiBag(const std::string& endpoint,
                                                  const std::map<std::string, std::string>& bag) {
  auto data = sdi::ReadData(bag, {endpoint});
  if (!data.ok()) return data.status();
  const auto& value = (*data)[endpoint];
  if (!value.is_string()) return absl::InvalidArgumentError(absl::StrCat("\"", endpoint, "\" is not a string"));
  return ParseList(value.get<std::string>());
}

absl::StatusOr<std::vector<nlohmann::ordered_json>> Gather(const std::vector<nlohmann::ordered_json>& lists) {
  std::vector<nlohmann::ordered_json> out;
  std::set<std::string> names;
  for (const auto& list : lists) {
    for (const auto& m : list) {
      std::string name = m.contains("metadata") && m["metadata"].contains("name") && m["metadata"]["name"].is_string()
                             ? m["metadata"]["name"].get<std::string>()
                             : "";
      if (!names.insert(name).second) return absl::FailedPreconditionError(kInvalidManifestMessage);
      out.push_back(m);
    }
  }
  return out;
}

}  // namespace skein::relations::interfaces::kubernetes_manifests
