#include "bundles/export.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "bundles/yaml_emit.h"
#include "yaml-cpp/yaml.h"

namespace skein::bundles {

std::pair<std::string, std::string> CanonicalRelation(const std::string& a, const std::string& b) {
  return a < b ? std::make_pair(a, b) : std::make_pair(b, a);
}

std::string OptionString(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

namespace internal {

bool LooksLikeNonString(const std::string& s) {
  if (s.empty()) return true;
  std::string lower = absl::AsciiStrToLower(s);
  static const char* const kWords[] = {"null", "~", "true", "false", "yes", "no", "on", "off", "y", "n",
                                       ".inf", "-.inf", "+.inf", ".nan"};
  for (const char* w : kWords) {
    if (lower == w) return true;
  }
  int64_t i = 0;
  double d = 0;
  if (absl::SimpleAtoi(s, &i) || absl::SimpleAtod(s, &d)) return true;
  if (lower.rfind("0x", 0) == 0 || lower.rfind("0o", 0) == 0) return true;
  return false;
}

void EmitString(YAML::Emitter& out, const std::string& s) {
  if (LooksLikeNonString(s)) {
    out << YAML::DoubleQuoted << s;
  } else {
    out << s;
  }
}

void EmitTyped(YAML::Emitter& out, const nlohmann::json& v) {
  if (v.is_string()) {
    EmitString(out, v.get<std::string>());
  } else if (v.is_null()) {
    out << YAML::Null;
  } else {
    out << v.dump();  // numbers and booleans print as themselves
  }
}

std::string Finish(const YAML::Emitter& out) {
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

}  // namespace internal

std::string ExportBundle(const ModelDescription& model) {
  std::vector<const ModelApplication*> apps;
  for (const auto& a : model.applications) apps.push_back(&a);
  std::sort(apps.begin(), apps.end(), [](const ModelApplication* x, const ModelApplication* y) { return x->name < y->name; });
  std::vector<std::pair<std::string, std::string>> relations;
  for (const ModelRelation& r : model.relations) relations.push_back(CanonicalRelation(r.provider, r.requirer));
  std::sort(relations.begin(), relations.end());
  relations.erase(std::unique(relations.begin(), relations.end()), relations.end());

  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "applications" << YAML::Value;
  if (apps.empty()) {
    out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
  } else {
    out << YAML::BeginMap;
    for (const ModelApplication* app : apps) {
      out << YAML::Key << app->name << YAML::Value << YAML::BeginMap;
      const bool local = app->charm_origin == "local";
      out << YAML::Key << "charm" << YAML::Value;
      internal::EmitString(out, local ? "local:" + app->charm : app->charm);
      if (!local && !app->channel.empty()) {
        out << YAML::Key << "channel" << YAML::Value;
        internal::EmitString(out, app->channel);
        out << YAML::Key << "revision" << YAML::Value << app->revision;
      }
      if (app->num_units != 0) out << YAML::Key << "num_units" << YAML::Value << app->num_units;
      if (!app->options.empty()) {
        out << YAML::Key << "options" << YAML::Value << YAML::BeginMap;
        for (const auto& [k, v] : app->options) {
          out << YAML::Key << k << YAML::Value;
          internal::EmitTyped(out, v);
        }
        out << YAML::EndMap;
      }
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  if (!relations.empty()) {
    out << YAML::Key << "relations" << YAML::Value << YAML::BeginSeq;
    for (const auto& [a, b] : relations) {
      out << YAML::Flow << YAML::BeginSeq;
      internal::EmitString(out, a);
      internal::EmitString(out, b);
      out << YAML::EndSeq;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
  return internal::Finish(out);
}

}  // namespace skein::bundles
