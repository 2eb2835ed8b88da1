#include "tools/cli/output/config_output.h"

#include "absl/strings/str_cat.h"
#include "tools/cli/output/render.h"

namespace skein::cli::output {
namespace {

using nlohmann::json;

// The option values travel as JSON text; anything unparseable is shown as the raw text.
json ParseJsonText(const std::string& text) {
  json v = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) return text;
  return v;
}

}  // namespace

json ConfigToJson(const skein::v1::GetConfigResponse& config) {
  json settings = json::object();
  for (const auto& opt : config.options()) {
    json entry = json::object();
    if (!opt.default_json().empty()) entry["default"] = ParseJsonText(opt.default_json());
    entry["description"] = opt.description();
    entry["source"] = opt.source().empty() ? "default" : opt.source();
    entry["type"] = opt.type();
    if (!opt.value_json().empty()) entry["value"] = ParseJsonText(opt.value_json());
    settings[opt.name()] = std::move(entry);
  }
  json trust = {{"default", false},
                {"description", "Does this application have access to trusted credentials"},
                {"source", "default"},
                {"type", "bool"},
                {"value", config.trust()}};
  if (config.trust()) trust["source"] = "user";
  return {{"application", config.application()},
          {"charm", config.charm()},
          {"application-config", {{"trust", trust}}},
          {"settings", std::move(settings)}};
}

absl::StatusOr<json> ConfigValue(const skein::v1::GetConfigResponse& config, const std::string& key) {
  for (const auto& opt : config.options()) {
    if (opt.name() != key) continue;
    if (opt.value_json().empty()) return json(nullptr);
    return ParseJsonText(opt.value_json());
  }
  if (key == "trust") return json(config.trust());
  return absl::NotFoundError(absl::StrCat("key \"", key, "\" not found in \"", config.application(),
                                          "\" application config or charm settings."));
}

std::string BareValue(const json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return ValidUtf8(value.get<std::string>()) + "\n";
  return SanitizeJson(value).dump() + "\n";
}

}  // namespace skein::cli::output
