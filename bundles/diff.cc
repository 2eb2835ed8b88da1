#include "bundles/diff.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bundles/yaml_emit.h"
#include "yaml-cpp/yaml.h"

namespace skein::bundles {
namespace {

using RelationSet = std::set<std::pair<std::string, std::string>>;

// Option values are compared as `juju config` strings, with numbers compared by value and
// booleans without regard to case (`1.0` = `1`, `True` = `true`).
bool SameOption(const std::string& a, const std::string& b) {
  if (a == b) return true;
  double x = 0, y = 0;
  if (absl::SimpleAtod(a, &x) && absl::SimpleAtod(b, &y)) return x == y;
  std::string la = absl::AsciiStrToLower(a), lb = absl::AsciiStrToLower(b);
  if ((la == "true" || la == "false") && la == lb) return true;
  return false;
}

FieldDiff Field(std::optional<std::string> bundle, std::optional<std::string> model) {
  return FieldDiff{std::move(bundle), std::move(model)};
}

void EmitValue(YAML::Emitter& out, const std::optional<std::string>& v) {
  if (!v) {
    out << YAML::Null;
  } else if (v->empty()) {
    out << YAML::DoubleQuoted << *v;
  } else {
    out << *v;
  }
}

void EmitField(YAML::Emitter& out, const std::string& key, const FieldDiff& f) {
  out << YAML::Key << key << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "bundle" << YAML::Value;
  EmitValue(out, f.bundle);
  out << YAML::Key << "model" << YAML::Value;
  EmitValue(out, f.model);
  out << YAML::EndMap;
}

void EmitRelations(YAML::Emitter& out, const std::string& key, const std::vector<std::pair<std::string, std::string>>& rels) {
  if (rels.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const auto& [a, b] : rels) out << YAML::Flow << YAML::BeginSeq << a << b << YAML::EndSeq;
  out << YAML::EndSeq;
}

ApplicationDiff DiffApplication(const Application& app, const ResolvedCharm* resolved, const ModelApplication& m) {
  ApplicationDiff d;
  const bool model_local = m.charm_origin == "local";
  const std::string model_charm = model_local ? "local:" + m.charm : m.charm;
  bool bundle_local;
  std::string bundle_charm;
  std::optional<std::string> bundle_channel;
  std::optional<std::string> bundle_revision;
  if (resolved != nullptr) {
    bundle_local = resolved->origin == "local";
    bundle_charm = bundle_local ? "local:" + resolved->name : resolved->name;
    if (!bundle_local) {
      if (!resolved->channel.empty()) bundle_channel = resolved->channel;
      bundle_revision = absl::StrCat(resolved->revision);
    }
  } else {
    bundle_local = !app.charm_path.empty() || app.charm.rfind("local:", 0) == 0;
    bundle_charm = app.charm;
    if (!bundle_local) {
      if (!app.channel.empty()) bundle_channel = app.channel;
      if (app.revision) bundle_revision = absl::StrCat(*app.revision);
    }
  }
  if (bundle_charm != model_charm) d.charm = Field(bundle_charm, model_charm);
  if (!bundle_local && !model_local) {
    if (bundle_channel && *bundle_channel != m.channel) d.channel = Field(bundle_channel, m.channel);
    const std::string model_revision = absl::StrCat(m.revision);
    if (bundle_revision && *bundle_revision != model_revision) d.revision = Field(bundle_revision, model_revision);
  }
  if (app.num_units != m.num_units) d.num_units = Field(absl::StrCat(app.num_units), absl::StrCat(m.num_units));
  std::set<std::string> keys;
  for (const auto& [k, v] : app.options) keys.insert(k);
  for (const auto& [k, v] : m.options) keys.insert(k);
  for (const auto& k : keys) {
    std::optional<std::string> b, mv;
    if (auto it = app.options.find(k); it != app.options.end()) b = it->second;
    if (auto it = m.options.find(k); it != m.options.end()) mv = OptionString(it->second);
    if (b && mv && SameOption(*b, *mv)) continue;
    d.options[k] = Field(b, mv);
  }
  return d;
}

bool IsEmpty(const ApplicationDiff& d) {
  return d.missing.empty() && !d.charm && !d.channel && !d.revision && !d.num_units && d.options.empty();
}

}  // namespace

absl::StatusOr<ResolvedBundle> ResolveForDiff(const Bundle& bundle, const CharmResolver& resolve) {
  ResolvedBundle out;
  out.bundle = bundle;
  bool explicit_endpoints = true;
  for (const auto& [a, b] : bundle.relations) {
    if (a.endpoint.empty() || b.endpoint.empty()) explicit_endpoints = false;
  }
  if (explicit_endpoints) {
    for (const auto& [name, app] : bundle.applications) {
      auto charm = resolve(app);
      if (!charm.ok()) return charm.status();
      out.charms.emplace(name, std::move(*charm));
    }
    for (const auto& [a, b] : bundle.relations) out.relations.push_back(RelationPlan{a.String(), b.String()});
    return out;
  }
  auto plan = MakePlan(bundle, resolve, ModelDescription{});
  if (!plan.ok()) return plan.status();
  out.charms = std::move(plan->charms);
  out.relations = std::move(plan->relations);
  return out;
}

BundleDiff DiffBundle(const ResolvedBundle& resolved, const ModelDescription& model) {
  BundleDiff diff;
  std::map<std::string, const ModelApplication*> model_apps;
  for (const auto& a : model.applications) model_apps[a.name] = &a;
  for (const auto& [name, app] : resolved.bundle.applications) {
    auto it = model_apps.find(name);
    if (it == model_apps.end()) {
      diff.applications[name].missing = "model";
      continue;
    }
    auto charm = resolved.charms.find(name);
    ApplicationDiff d = DiffApplication(app, charm == resolved.charms.end() ? nullptr : &charm->second, *it->second);
    if (!IsEmpty(d)) diff.applications[name] = std::move(d);
  }
  for (const auto& [name, app] : model_apps) {
    if (!resolved.bundle.applications.count(name)) diff.applications[name].missing = "bundle";
  }
  RelationSet in_bundle, in_model;
  for (const auto& r : resolved.relations) in_bundle.insert(CanonicalRelation(r.a, r.b));
  for (const ModelRelation& r : model.relations) in_model.insert(CanonicalRelation(r.provider, r.requirer));
  std::set_difference(in_bundle.begin(), in_bundle.end(), in_model.begin(), in_model.end(),
                      std::back_inserter(diff.bundle_additions));
  std::set_difference(in_model.begin(), in_model.end(), in_bundle.begin(), in_bundle.end(),
                      std::back_inserter(diff.model_additions));
  return diff;
}

std::string DiffToYaml(const BundleDiff& diff) {
  if (diff.empty()) return "{}\n";
  YAML::Emitter out;
  out << YAML::BeginMap;
  if (!diff.applications.empty()) {
    out << YAML::Key << "applications" << YAML::Value << YAML::BeginMap;
    for (const auto& [name, d] : diff.applications) {
      out << YAML::Key << name << YAML::Value << YAML::BeginMap;
      if (!d.missing.empty()) out << YAML::Key << "missing" << YAML::Value << d.missing;
      if (d.charm) EmitField(out, "charm", *d.charm);
      if (d.channel) EmitField(out, "channel", *d.channel);
      if (d.revision) EmitField(out, "revision", *d.revision);
      if (d.num_units) EmitField(out, "num_units", *d.num_units);
      if (!d.options.empty()) {
        out << YAML::Key << "options" << YAML::Value << YAML::BeginMap;
        for (const auto& [k, f] : d.options) EmitField(out, k, f);
        out << YAML::EndMap;
      }
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  if (!diff.bundle_additions.empty() || !diff.model_additions.empty()) {
    out << YAML::Key << "relations" << YAML::Value << YAML::BeginMap;
    EmitRelations(out, "bundle-additions", diff.bundle_additions);
    EmitRelations(out, "model-additions", diff.model_additions);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return internal::Finish(out);
}

}  // namespace skein::bundles
