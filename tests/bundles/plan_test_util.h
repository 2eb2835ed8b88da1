#pragma once

// A model as a plan leaves it: each change applied to a ModelDescription the way the controller
// applies it to a model. The plan tests build "the model as if the older bundle were deployed"
// with it, and check that planning the same bundle again on the result has nothing to do.

#include <algorithm>
#include <string>
#include <vector>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bundles/plan.h"
#include "lib/charm/config.h"
#include "nlohmann/json.hpp"

namespace skein::bundles::testing {

inline charm::Endpoint Ep(const std::string& name, charm::Role role, const std::string& interface) {
  charm::Endpoint e;
  e.name = name;
  e.role = role;
  e.interface = interface;
  return e;
}

// A store charm with endpoints and two options, `size` (int, 1) and `mode` (string, fast).
inline ResolvedCharm StoreCharm(const std::string& name, const std::string& channel, int64_t revision,
                                const std::vector<charm::Endpoint>& endpoints) {
  ResolvedCharm c;
  c.name = name;
  c.origin = "charmhub";
  c.channel = channel;
  c.revision = revision;
  c.metadata.name = name;
  for (const auto& e : endpoints) c.metadata.endpoints[e.name] = e;
  c.config["size"] = charm::ConfigOption{"size", "int", "", 1};
  c.config["mode"] = charm::ConfigOption{"mode", "string", "", "fast"};
  return c;
}

// `id <- needs: description` of each change, needs comma-separated.
inline std::vector<std::string> Lines(const Plan& plan) {
  std::vector<std::string> out;
  for (const Change& c : plan.changes) {
    std::string deps = c.depends_on.empty() ? "" : absl::StrCat(" <- ", absl::StrJoin(c.depends_on, ","));
    out.push_back(absl::StrCat(c.id, deps, ": ", DescribeChange(c)));
  }
  return out;
}

inline ModelApplication* FindApplication(ModelDescription& model, const std::string& name) {
  for (ModelApplication& a : model.applications) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

inline std::string ApplicationPart(const std::string& spec) { return spec.substr(0, spec.find(':')); }

// Applies `plan` (computed against `model`) to `model`. Options a deploy or a set-config writes
// count as set by the deployment, not by hand; a refresh drops the options the new revision has
// no place for, as Juju's refresh does.
inline absl::Status ApplyPlan(const Plan& plan, ModelDescription& model) {
  auto typed = [&](const std::string& app, const std::string& key, const std::string& raw) {
    auto value = charm::ParseConfigValue(plan.charms.at(app).config, key, raw);
    return value.ok() ? *value : nlohmann::json(raw);
  };
  for (const Change& change : plan.changes) {
    if (const auto* d = std::get_if<DeployApplication>(&change.args)) {
      if (FindApplication(model, d->application) != nullptr) return absl::AlreadyExistsError(d->application);
      ModelApplication a;
      a.name = d->application;
      a.charm = d->charm;
      a.charm_origin = d->origin;
      a.channel = d->channel;
      a.revision = d->revision;
      a.num_units = d->num_units;
      a.charm_sha256 = plan.charms.at(d->application).archive_sha256;
      a.managed = true;
      for (const auto& [k, v] : d->options) {
        nlohmann::json value = typed(d->application, k, v);
        if (!value.is_null()) a.options[k] = value;
      }
      model.applications.push_back(std::move(a));
    } else if (const auto* r = std::get_if<RefreshApplication>(&change.args)) {
      ModelApplication* a = FindApplication(model, r->application);
      if (a == nullptr) return absl::NotFoundError(r->application);
      a->charm = r->charm;
      a->charm_origin = r->origin;
      a->channel = r->channel;
      a->revision = r->revision;
      a->charm_sha256 = plan.charms.at(r->application).archive_sha256;
      nlohmann::json settings(a->options);
      nlohmann::json kept = charm::FilterSettings(plan.charms.at(r->application).config, settings);
      a->options = kept.get<std::map<std::string, nlohmann::json>>();
      // `skein refresh --config` values are the user's.
      for (const auto& [k, v] : r->config) {
        a->options[k] = typed(r->application, k, v);
        a->hand_set_options.insert(k);
      }
    } else if (const auto* s = std::get_if<SetConfig>(&change.args)) {
      ModelApplication* a = FindApplication(model, s->application);
      if (a == nullptr) return absl::NotFoundError(s->application);
      for (const auto& [k, v] : s->options) {
        a->options[k] = typed(s->application, k, v);
        a->hand_set_options.erase(k);
      }
    } else if (const auto* u = std::get_if<AddUnits>(&change.args)) {
      ModelApplication* a = FindApplication(model, u->application);
      if (a == nullptr) return absl::NotFoundError(u->application);
      a->num_units = u->total;
    } else if (const auto* ar = std::get_if<AddRelation>(&change.args)) {
      model.relations.push_back(ModelRelation{ar->relation.provider(), ar->relation.requirer(), ar->relation.interface});
    } else if (const auto* rr = std::get_if<RemoveRelation>(&change.args)) {
      const std::string key = RelationKey(rr->provider, rr->requirer);
      auto it = std::find_if(model.relations.begin(), model.relations.end(),
                             [&](const ModelRelation& m) { return RelationKey(m.provider, m.requirer) == key; });
      if (it == model.relations.end()) return absl::NotFoundError(absl::StrCat("relation ", key));
      model.relations.erase(it);
    } else if (const auto* ra = std::get_if<RemoveApplication>(&change.args)) {
      std::erase_if(model.applications, [&](const ModelApplication& a) { return a.name == ra->application; });
      std::erase_if(model.relations, [&](const ModelRelation& m) {
        return ApplicationPart(m.provider) == ra->application || ApplicationPart(m.requirer) == ra->application;
      });
    }
  }
  return absl::OkStatus();
}

// The ids of the changes a change depends on, each checked to come earlier in the plan.
inline absl::Status CheckOrder(const Plan& plan) {
  for (size_t i = 0; i < plan.changes.size(); ++i) {
    for (const std::string& need : plan.changes[i].depends_on) {
      bool earlier = false;
      for (size_t j = 0; j < i; ++j) earlier = earlier || plan.changes[j].id == need;
      if (!earlier) return absl::InternalError(absl::StrCat(plan.changes[i].id, " needs ", need, ", not before it"));
    }
  }
  return absl::OkStatus();
}

}  // namespace skein::bundles::testing
