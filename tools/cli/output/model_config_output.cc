#include "tools/cli/output/model_config_output.h"

#include "tools/cli/output/table.h"

namespace skein::cli::output {

nlohmann::json ModelConfigValue(const skein::v1::ModelConfigEntry& entry) {
  if (entry.key() == "automatically-retry-hooks") {
    if (entry.value() == "true") return true;
    if (entry.value() == "false") return false;
  }
  return entry.value();
}

nlohmann::json ModelConfigToJson(const skein::v1::GetModelConfigResponse& config, bool capitalised) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& e : config.entries()) {
    out[e.key()] = {{capitalised ? "Value" : "value", ModelConfigValue(e)},
                    {capitalised ? "Source" : "source", e.source()}};
  }
  return out;
}

std::string ModelConfigTabular(const skein::v1::GetModelConfigResponse& config) {
  Table table(/*color=*/false);
  table.AddHeader({"Attribute", "From", "Value"});
  for (const auto& e : config.entries()) {
    nlohmann::json v = ModelConfigValue(e);
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    if (text.empty()) text = "\"\"";
    table.AddRow({e.key(), e.source(), text});
  }
  return table.Render();
}

}  // namespace skein::cli::output
