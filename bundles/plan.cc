#include "bundles/plan.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bundles/refresh_plan.h"
#include "relations/endpoint_inference.h"

namespace skein::bundles {
namespace {

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

// `app` of an `app:endpoint` spec.
std::string ApplicationOf(const std::string& spec) { return spec.substr(0, spec.find(':')); }
std::string EndpointOf(const std::string& spec) {
  const size_t colon = spec.find(':');
  return colon == std::string::npos ? "" : spec.substr(colon + 1);
}

// Resolves and validates every application's charm: options against its config schema, bound
// endpoints against its metadata, and an application the model runs with another charm.
absl::Status ResolveCharms(const Bundle& bundle, const CharmResolver& resolve,
                           const std::map<std::string, const ModelApplication*>& in_model, Plan& plan) {
  for (const auto& [name, app] : bundle.applications) {
    auto charm = resolve(app);
    if (!charm.ok()) {
      // A malformed channel is reported against the application's charm, as Juju does.
      if (charm.status().code() == absl::StatusCode::kInvalidArgument) {
        return Invalid(absl::StrCat("for application \"", app.charm, "\": ", charm.status().message()));
      }
      return charm.status();
    }
    for (const auto& [key, value] : app.options) {
      auto parsed = charm::ParseConfigValue(charm->config, key, value);
      if (parsed.status().code() == absl::StatusCode::kNotFound) {
        return Invalid(absl::StrCat("cannot validate application \"", name, "\": configuration option \"", key,
                                    "\" not found in charm \"", charm->metadata.name, "\""));
      }
      if (!parsed.ok()) return Invalid(absl::StrCat("cannot validate application \"", name, "\": ", parsed.status().message()));
    }
    for (const auto& [endpoint, space] : app.bindings) {
      if (endpoint.empty() || charm->metadata.FindEndpoint(endpoint) != nullptr) continue;
      return Invalid(absl::StrCat("application \"", name, "\" wants to bind endpoint \"", endpoint, "\" to space \"", space,
                                  "\", but the endpoint is not defined by the charm"));
    }
    if (auto it = in_model.find(name); it != in_model.end() && it->second->charm != charm->metadata.name) {
      return absl::FailedPreconditionError(absl::StrCat("application \"", name, "\" already exists with charm \"",
                                                        it->second->charm, "\", not \"", charm->metadata.name, "\""));
    }
    plan.charms.emplace(name, std::move(*charm));
  }
  return absl::OkStatus();
}

// Infers the endpoints of every bundle relation, with Juju's errors.
absl::Status InferRelations(const Bundle& bundle, Plan& plan) {
  auto metadata_of = [&](const std::string& app) -> const charm::Metadata& { return plan.charms.at(app).metadata; };
  std::set<std::string> resolved;
  for (const auto& [ra, rb] : bundle.relations) {
    if (bundle.saas.count(ra.application) || bundle.saas.count(rb.application)) {
      return absl::UnimplementedError("cross-model relations (saas) are not supported by skein yet");
    }
    for (const EndpointRef* ref : {&ra, &rb}) {
      if (!ref->endpoint.empty() && metadata_of(ref->application).FindEndpoint(ref->endpoint) == nullptr) {
        return Invalid(absl::StrCat("charm \"", metadata_of(ref->application).name, "\" used by application \"",
                                    ref->application, "\" does not define relation \"", ref->endpoint, "\""));
      }
    }
    if (!ra.endpoint.empty() && !rb.endpoint.empty()) {
      // Both ends named: say what is wrong with the pair, in sorted order as Juju does.
      const EndpointRef& x = ra.String() < rb.String() ? ra : rb;
      const EndpointRef& y = ra.String() < rb.String() ? rb : ra;
      const charm::Endpoint* ex = metadata_of(x.application).FindEndpoint(x.endpoint);
      const charm::Endpoint* ey = metadata_of(y.application).FindEndpoint(y.endpoint);
      if (ex->role == ey->role && ex->role != charm::Role::kPeers) {
        const char* role = ex->role == charm::Role::kProvides ? "provider" : "requirer";
        return Invalid(absl::StrCat("relation \"", x.String(), "\" to \"", y.String(), "\" relates ", role, " to ", role));
      }
      if (ex->interface != ey->interface) {
        return Invalid(absl::StrCat("mismatched interface between \"", x.String(), "\" and \"", y.String(), "\" (\"",
                                    ex->interface, "\" vs \"", ey->interface, "\")"));
      }
    }
    relations::EndpointSpec a{ra.application, ra.endpoint, ra.String()};
    relations::EndpointSpec b{rb.application, rb.endpoint, rb.String()};
    auto pairs = relations::CompatiblePairs(a, metadata_of(a.application), b, metadata_of(b.application));
    const std::string between = absl::StrCat("cannot infer endpoint between ", a.text, " and ", b.text, ": ");
    if (pairs.empty()) return Invalid(absl::StrCat(between, "no relations found"));
    if (pairs.size() > 1) {
      std::vector<std::string> candidates;
      for (const auto& [x, y] : pairs) candidates.push_back(absl::StrCat("\"", x.Spec(), " ", y.Spec(), "\""));
      return Invalid(absl::StrCat(between, "ambiguous relation: ", a.text, " ", b.text, " could refer to ",
                                  absl::StrJoin(candidates, "; ")));
    }
    const auto& [pa, pb] = pairs[0];
    RelationPlan rel{pa.Spec(), pb.Spec(), pa.endpoint.interface, pa.endpoint.role == charm::Role::kProvides};
    if (!resolved.insert(RelationKey(rel.a, rel.b)).second) {
      return Invalid(absl::StrCat("relation [\"", ra.String(), "\" \"", rb.String(), "\"] is defined more than once"));
    }
    plan.relations.push_back(std::move(rel));
  }
  return absl::OkStatus();
}

// True when an application of the model runs another charm revision than the bundle's: another
// origin, (store charms) another channel or revision, or (local charms, which have no revision
// of their own) another archive. When either archive digest is unknown (a model view from an
// older controller, a charm named only as `local:<name>`) the local charm is left as it is.
bool NeedsRefresh(const ModelApplication& running, const ResolvedCharm& target) {
  if (running.charm_origin != target.origin) return true;
  if (target.origin == "local") {
    return !running.charm_sha256.empty() && !target.archive_sha256.empty() &&
           running.charm_sha256 != target.archive_sha256;
  }
  return running.channel != target.channel || running.revision != target.revision;
}

// Whether the application on the `role` side of `r` (kProvides: its provider, kRequires: its
// requirer) loses the relation when it runs a charm with `metadata`.
std::optional<BrokenRelation> Breaks(const ModelRelation& r, charm::Role role, const charm::Metadata& metadata) {
  const std::string& side = role == charm::Role::kProvides ? r.provider : r.requirer;
  BrokenRelation b{r.provider, r.requirer, side, r.interface};
  const charm::Endpoint* endpoint = metadata.FindEndpoint(EndpointOf(side));
  if (endpoint == nullptr) {
    b.why = BrokenRelation::Why::kEndpointGone;
    return b;
  }
  b.new_role = endpoint->role;
  b.new_interface = endpoint->interface;
  if (endpoint->role != role) {
    b.why = BrokenRelation::Why::kRoleChanged;
  } else if (!r.interface.empty() && endpoint->interface != r.interface) {
    b.why = BrokenRelation::Why::kInterfaceChanged;
  } else {
    return std::nullopt;
  }
  return b;
}

// The options the bundle sets for an application the model has that differ from the model's:
// the ones to set, and the hand-set ones kept (appended to `kept`).
std::map<std::string, std::string> ChangedOptions(const Application& app, const ResolvedCharm& charm,
                                                  const ModelApplication& running, std::vector<Kept>& kept) {
  std::map<std::string, std::string> to_set;
  for (const auto& [key, raw] : app.options) {
    auto wanted = charm::ParseConfigValue(charm.config, key, raw);  // validated by ResolveCharms
    if (!wanted.ok()) continue;
    auto current = running.options.find(key);
    if (current == running.options.end()) {
      // Unset in the model (the charm's default): a reset in the bundle asks for nothing.
      if (!wanted->is_null()) to_set[key] = raw;
      continue;
    }
    if (current->second == *wanted) continue;
    if (running.hand_set_options.count(key)) {
      kept.push_back(KeptOption{app.name, key, OptionString(current->second), raw});
      continue;
    }
    to_set[key] = raw;
  }
  return to_set;
}

// The applications that walk an upgrade path (more than one refresh), providers before their
// requirers where the model relates them, otherwise in name order.
std::vector<std::string> WalkOrder(const std::map<std::string, std::vector<ResolvedCharm>>& steps,
                                   const ModelDescription& model) {
  std::vector<std::string> left;
  for (const auto& [name, walk] : steps) {
    if (walk.size() > 1) left.push_back(name);
  }
  std::vector<std::string> order;
  while (!left.empty()) {
    // The first application no other remaining one provides to; a cycle takes the first.
    auto next = std::find_if(left.begin(), left.end(), [&](const std::string& app) {
      return std::none_of(model.relations.begin(), model.relations.end(), [&](const ModelRelation& r) {
        const std::string provider = ApplicationOf(r.provider);
        return ApplicationOf(r.requirer) == app && provider != app &&
               std::find(left.begin(), left.end(), provider) != left.end();
      });
    });
    if (next == left.end()) next = left.begin();
    order.push_back(*next);
    left.erase(next);
  }
  return order;
}

// A wait for every refreshed application, after its last refresh and the changes that follow it
// (options, units) and after the last round of upgrade-path walks; that round's wait when
// nothing changed after it.
std::string WaitForRefreshed(Plan& plan, const std::map<std::string, std::vector<ResolvedCharm>>& steps,
                             const std::map<std::string, std::vector<std::string>>& changed, const std::string& walked) {
  std::vector<std::string> applications, needs;
  for (const auto& [name, ids] : changed) needs.insert(needs.end(), ids.begin(), ids.end());
  // Nothing changed since the last round of walks, which waited for its applications already.
  if (needs.empty()) return walked;
  if (!walked.empty()) needs.insert(needs.begin(), walked);
  for (const auto& [name, walk] : steps) applications.push_back(name);
  return plan.Add("wait", WaitForApplications{applications}, std::move(needs));
}

}  // namespace

std::string RelationKey(const std::string& a, const std::string& b) {
  return a < b ? absl::StrCat(a, " ", b) : absl::StrCat(b, " ", a);
}

std::vector<BrokenRelation> RelationsBrokenBy(const ModelDescription& model, const std::string& application,
                                              const charm::Metadata& metadata) {
  std::vector<BrokenRelation> broken;
  for (const ModelRelation& r : model.relations) {
    for (charm::Role role : {charm::Role::kProvides, charm::Role::kRequires}) {
      if (ApplicationOf(role == charm::Role::kProvides ? r.provider : r.requirer) != application) continue;
      if (auto b = Breaks(r, role, metadata)) {
        broken.push_back(std::move(*b));
        break;  // a relation of an application with itself is listed once
      }
    }
  }
  return broken;
}

std::string Plan::Add(const char* method, ChangeArgs args, std::vector<std::string> depends_on) {
  std::string id = absl::StrCat(method, "-", changes.size());
  changes.push_back(Change{id, std::move(depends_on), std::move(args)});
  return id;
}

const Change* Plan::Find(const std::string& id) const {
  for (const Change& c : changes) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::vector<const Change*> Plan::OfKind(ChangeKind kind) const {
  std::vector<const Change*> out;
  for (const Change& c : changes) {
    if (c.kind() == kind) out.push_back(&c);
  }
  return out;
}

absl::StatusOr<Plan> MakePlan(const Bundle& bundle, const CharmResolver& resolve, const ModelDescription& model,
                              const PlanOptions& options) {
  Plan plan;
  std::map<std::string, const ModelApplication*> in_model;
  for (const ModelApplication& a : model.applications) in_model[a.name] = &a;
  if (auto s = ResolveCharms(bundle, resolve, in_model, plan); !s.ok()) return s;
  if (auto s = InferRelations(bundle, plan); !s.ok()) return s;

  // The charm revisions each refreshed application goes through: one per track of a declared
  // upgrade path it crosses, else just the bundle's.
  const CharmSource source{resolve, options.upgrade_path};
  std::map<std::string, std::vector<ResolvedCharm>> steps;  // refreshed application -> steps, the last the bundle's
  for (const auto& [name, charm] : plan.charms) {
    auto it = in_model.find(name);
    if (it == in_model.end() || !NeedsRefresh(*it->second, charm)) continue;
    auto walk = RefreshSteps(*it->second, charm, source, options.force);
    if (!walk.ok()) {
      return absl::Status(walk.status().code(), absl::StrCat("application \"", name, "\": ", walk.status().message()));
    }
    steps[name] = std::move(*walk);
    if (charm.origin == "local") continue;
    std::optional<UpgradePath> path;
    if (options.upgrade_path) {
      auto declared = options.upgrade_path(charm.name);
      if (!declared.ok()) return declared.status();
      path = std::move(*declared);
    }
    if (auto down = DowngradeOf(*it->second, charm, path)) plan.downgrades.push_back(std::move(*down));
  }

  // A refresh cannot leave a live relation on an endpoint a revision on its way dropped or
  // changed, so such relations go first; the bundle's relations are added again after the
  // refreshes.
  std::map<std::string, std::vector<std::string>> removals_before_refresh;  // application -> change ids
  std::map<std::string, std::string> removed_relation;                     // RelationKey -> change id
  for (const ModelRelation& r : model.relations) {
    for (charm::Role role : {charm::Role::kProvides, charm::Role::kRequires}) {
      const std::string app = ApplicationOf(role == charm::Role::kProvides ? r.provider : r.requirer);
      auto walk = steps.find(app);
      if (walk == steps.end() || std::none_of(walk->second.begin(), walk->second.end(), [&](const ResolvedCharm& c) {
            return Breaks(r, role, c.metadata).has_value();
          })) {
        continue;
      }
      const std::string id = plan.Add("removeRelation", RemoveRelation{r.provider, r.requirer, app}, {});
      removed_relation[RelationKey(r.provider, r.requirer)] = id;
      removals_before_refresh[ApplicationOf(r.provider)].push_back(id);
      removals_before_refresh[ApplicationOf(r.requirer)].push_back(id);
      break;
    }
  }

  // Store charms are uploaded once however many applications use them.
  std::map<std::string, std::string> uploads;  // origin:name:revision:channel -> change id
  auto upload = [&](const ResolvedCharm& charm) {
    const std::string key = absl::StrCat(charm.origin, ":", charm.name, ":", charm.revision, ":", charm.channel);
    auto it = uploads.find(key);
    if (it == uploads.end()) it = uploads.emplace(key, plan.Add("addCharm", UploadCharm{charm}, {})).first;
    return it->second;
  };
  std::map<std::string, std::string> placed;  // application -> its deploy or last refresh change id
  std::map<std::string, std::pair<std::string, int64_t>> runs;  // refreshed application -> channel, revision
  for (const auto& [name, walk] : steps) runs[name] = {in_model.at(name)->channel, in_model.at(name)->revision};
  auto refresh = [&](const std::string& name, const ResolvedCharm& step, std::vector<std::string> needs) {
    needs.insert(needs.begin(), upload(step));
    // Relations the walk breaks are removed before its first refresh.
    auto removals = removals_before_refresh.extract(name);
    if (!removals.empty()) needs.insert(needs.end(), removals.mapped().begin(), removals.mapped().end());
    auto& [channel, revision] = runs[name];
    placed[name] = plan.Add(
        "upgradeCharm", RefreshApplication{name, step.name, step.origin, channel, revision, step.channel, step.revision},
        std::move(needs));
    channel = step.channel;
    revision = step.revision;
    return placed[name];
  };

  // Applications that walk an upgrade path do so together, one track per round, in the order
  // their relations give (a provider before its requirers: istio-pilot before its gateway), and
  // each round waits for them all to settle before the next starts.
  std::string walked;  // the last round's wait
  const std::vector<std::string> walkers = WalkOrder(steps, model);
  for (size_t round = 0;; ++round) {
    std::vector<std::string> refreshes, applications;
    for (const std::string& name : walkers) {
      if (round >= steps[name].size()) continue;
      refreshes.push_back(refresh(name, steps[name][round], walked.empty() ? std::vector<std::string>{}
                                                                           : std::vector<std::string>{walked}));
      applications.push_back(name);
    }
    if (refreshes.empty()) break;
    walked = plan.Add("wait", WaitForApplications{applications}, refreshes);
  }

  // The applications that change in one step: deployed, or refreshed to the bundle's revision.
  std::map<std::string, std::vector<std::string>> changed;  // refreshed application -> its changes
  for (const auto& [name, charm] : plan.charms) {
    const Application& app = bundle.applications.at(name);
    auto running = in_model.find(name);
    if (running == in_model.end()) {
      placed[name] = plan.Add("deploy",
                              DeployApplication{name, charm.name, charm.origin, charm.channel, charm.revision,
                                                charm.base, app.num_units, app.options, app.trust},
                              {upload(charm)});
      continue;
    }
    if (steps.count(name) && !placed.count(name)) changed[name].push_back(refresh(name, charm, {}));
    // Options and units of an application the model has: after its refresh, so that the new
    // revision's options are there to set and new units start on it.
    std::vector<std::string> after_refresh;
    if (auto p = placed.find(name); p != placed.end()) after_refresh.push_back(p->second);
    auto to_set = ChangedOptions(app, charm, *running->second, plan.kept);
    std::vector<std::string>* then = steps.count(name) ? &changed[name] : nullptr;
    if (!to_set.empty()) {
      std::string id = plan.Add("setOptions", SetConfig{name, std::move(to_set)}, after_refresh);
      if (then != nullptr) then->push_back(std::move(id));
    }
    if (app.num_units > running->second->num_units) {
      std::string id =
          plan.Add("addUnit", AddUnits{name, app.num_units - running->second->num_units, app.num_units}, after_refresh);
      if (then != nullptr) then->push_back(std::move(id));
    }
  }

  std::set<std::string> model_relations;
  for (const ModelRelation& r : model.relations) model_relations.insert(RelationKey(r.provider, r.requirer));
  std::set<std::string> bundle_relations;
  // Relations that build on a refreshed application are added once every refreshed application
  // settled on its new revision: its endpoints are the new revision's only when it runs.
  std::string settled;
  for (const RelationPlan& rel : plan.relations) {
    const std::string key = RelationKey(rel.a, rel.b);
    bundle_relations.insert(key);
    auto removed = removed_relation.find(key);
    if (model_relations.count(key) && removed == removed_relation.end()) continue;
    std::vector<std::string> needs;
    if (removed != removed_relation.end()) needs.push_back(removed->second);
    for (const std::string& app : {ApplicationOf(rel.a), ApplicationOf(rel.b)}) {
      if (steps.count(app)) {
        if (settled.empty()) settled = WaitForRefreshed(plan, steps, changed, walked);
        if (std::find(needs.begin(), needs.end(), settled) == needs.end()) needs.push_back(settled);
      } else if (auto p = placed.find(app); p != placed.end()) {
        needs.push_back(p->second);
      }
    }
    plan.Add("addRelation", AddRelation{rel}, std::move(needs));
  }

  // What the bundle dropped: relations between its applications, and this deployment's
  // applications (their relations go with them).
  for (const ModelRelation& r : model.relations) {
    const std::string key = RelationKey(r.provider, r.requirer);
    if (bundle_relations.count(key) || removed_relation.count(key)) continue;
    if (!bundle.applications.count(ApplicationOf(r.provider)) || !bundle.applications.count(ApplicationOf(r.requirer))) {
      continue;
    }
    if (options.prune) {
      plan.Add("removeRelation", RemoveRelation{r.provider, r.requirer, ""}, {});
    } else {
      plan.kept.push_back(LeftRelation{r.provider, r.requirer});
    }
  }
  for (const auto& [name, app] : in_model) {
    if (bundle.applications.count(name)) continue;
    if (!app->managed) {
      plan.kept.push_back(NotManaged{name});
    } else if (options.prune) {
      plan.Add("removeApplication", RemoveApplication{name}, {});
    } else {
      plan.kept.push_back(LeftApplication{name});
    }
  }
  return plan;
}

}  // namespace skein::bundles
