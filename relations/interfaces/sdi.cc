#include "relations/interfaces/sdi.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "relations/interfaces/python_dump.h"

namespace skein::relations::interfaces::sdi {
namespace {

// `v10` sorts above `v2`: compare the numbers after the leading `v`, then the text.
bool VersionLess(const std::string& a, const std::string& b) {
  auto number = [](const std::string& v) {
    size_t i = v.find_first_of("0123456789");
    return i == std::string::npos ? -1L : std::strtol(v.c_str() + i, nullptr, 10);
  };
  long na = number(a), nb = number(b);
  return na != nb ? na < nb : a < b;
}

}  // namespace

std::map<std::string, std::string> WriteBag(const std::vector<std::string>& versions,
                                            const std::optional<nlohmann::ordered_json>& data) {
  std::map<std::string, std::string> bag;
  bag[kVersionsKey] = PythonYamlDump(nlohmann::ordered_json(versions));
  if (data) bag[kDataKey] = PythonYamlDump(*data);
  return bag;
}

NegotiationResult Negotiate(const std::vector<std::string>& ours, const std::map<std::string, std::string>& remote_bag) {
  NegotiationResult r;
  auto it = remote_bag.find(kVersionsKey);
  if (it == remote_bag.end() || it->second.empty()) return r;
  auto theirs = PythonYamlLoad(it->second);
  if (!theirs.ok() || !theirs->is_array() || theirs->empty()) return r;
  std::vector<std::string> common;
  for (const auto& v : *theirs) {
    if (v.is_string() && std::find(ours.begin(), ours.end(), v.get<std::string>()) != ours.end()) {
      common.push_back(v.get<std::string>());
    }
  }
  if (common.empty()) {
    r.outcome = Negotiation::kNoCompatibleVersions;
    return r;
  }
  r.outcome = Negotiation::kAgreed;
  r.version = *std::max_element(common.begin(), common.end(), VersionLess);
  return r;
}

absl::StatusOr<nlohmann::ordered_json> ReadData(const std::map<std::string, std::string>& remote_bag,
                                                const std::vector<std::string>& required) {
  auto it = remote_bag.find(kDataKey);
  if (it == remote_bag.end() || it->second.empty()) return absl::NotFoundError("no data sent yet");
  auto data = PythonYamlLoad(it->second);
  if (!data.ok()) return data.status();
  if (!data->is_object()) return absl::InvalidArgumentError("data is not a mapping");
  for (const auto& key : required) {
    if (!data->contains(key)) return absl::InvalidArgumentError(absl::StrCat("data misses required key \"", key, "\""));
  }
  return *data;
}

}  // namespace skein::relations::interfaces::sdi
