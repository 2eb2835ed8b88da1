#include "relations/interfaces/dashboard_links.h"

#include <algorithm>

#include "relations/interfaces/python_dump.h"

namespace skein::relations::interfaces::dashboard_links {

nlohmann::ordered_json ToJson(const Link& l) {
  return {{"text", l.text}, {"link", l.link}, {"location", l.location},
          {"icon", l.icon}, {"type", l.type}, {"desc", l.desc}};
}

std::map<std::string, std::string> RequirerAppBag(const std::vector<Link>& links) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& l : links) list.push_back(ToJson(l));
  return {{kKey, PythonJsonDumps(list)}};
}

absl::StatusOr<std::vector<Link>> ReadLinks(const std::map<std::string, std::string>& requirer_bag) {
  auto it = requirer_bag.find(kKey);
  if (it == requirer_bag.end() || it->second.empty()) return std::vector<Link>{};
  auto list = nlohmann::ordered_json::parse(it->second, nullptr, false);
  if (!list.is_array()) return absl::InvalidArgumentError("dashboard_links is not a JSON list");
  std::vector<Link> out;
  for (const auto& item : list) {
    if (!item.is_object()) return absl::InvalidArgumentError("a dashboard link is not a JSON object");
    Link l;
    l.text = item.value("text", "");
    l.link = item.value("link", "");
    l.location = item.value("location", "");
    l.icon = item.value("icon", l.icon);
    l.type = item.value("type", l.type);
    l.desc = item.value("desc", l.desc);
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<nlohmann::ordered_json> Ordered(std::vector<nlohmann::ordered_json> links,
                                            const std::vector<std::string>& order) {
  std::vector<nlohmann::ordered_json> out;
  for (const auto& name : order) {
    auto it = std::find_if(links.begin(), links.end(),
                           [&](const nlohmann::ordered_json& l) { return l.value("text", "") == name; });
    if (it != links.end()) {
      out.push_back(*it);
      links.erase(it);
    }
  }
  out.insert(out.end(), links.begin(), links.end());
  return out;
}

const std::vector<std::string>& DefaultMenuOrder() {
  static const auto* order = new std::vector<std::string>{
      "Notebooks", "TensorBoards", "Volumes", "Katib Experiments", "Pipelines", "Experiments (KFP)",
      "Runs",      "Recurring Runs", "Artifacts", "Executions"};
  return *order;
}

}  // namespace skein::relations::interfaces::dashboard_links
