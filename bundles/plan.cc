#include "bundles/plan.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace skein::bundles {
namespace {

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

std::string Units(int n) { return absl::StrCat(n, n == 1 ? " unit" : " units"); }

std::string UploadLine(const ResolvedCharm& c) {
  if (c.origin == "local") return absl::StrCat("upload charm ", c.name, " from local");
  std::string line = absl::StrCat("upload charm ", c.name, " from charm-hub");
  if (!c.base.empty()) absl::StrAppend(&line, " for base ", c.base);
  absl::StrAppend(&line, " from channel ", c.channel, " with architecture=amd64");
  return line;
}

std::string DeployLine(const Application& app, const ResolvedCharm& c) {
  std::string line = absl::StrCat("deploy application ", app.name, " from ", c.origin == "local" ? "local" : "charm-hub");
  if (app.num_units > 0) absl::StrAppend(&line, " with ", Units(app.num_units));
  if (!c.base.empty() && c.origin != "local") absl::StrAppend(&line, " on ", c.base);
  if (c.origin != "local") absl::StrAppend(&line, " with ", c.channel);
  if (app.name != c.name) absl::StrAppend(&line, " using ", c.name);
  return line;
}

}  // namespace

std::string RelationKey(const std::string& a, const std::string& b) {
  return a < b ? absl::StrCat(a, " ", b) : absl::StrCat(b, " ", a);
}

absl::StatusOr<Plan> MakePlan(const Bundle& bundle, const CharmResolver& resolve, const ExistingModel& existing) {
  Plan plan;
  std::map<std::string, charm::Metadata> metadata;  // every application of the bundle
  std::map<std::string, std::string> charm_names;   // application -> charm name
  // Store charms are uploaded once however many applications use them.
  std::set<std::string> uploaded;
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
    metadata[name] = charm->metadata;
    charm_names[name] = charm->metadata.name;
    if (auto it = existing.applications.find(name); it != existing.applications.end()) {
      if (it->second != charm->metadata.name) {
        return absl::FailedPreconditionError(absl::StrCat("application \"", name, "\" already exists with charm \"",
                                                          it->second, "\", not \"", charm->metadata.name, "\""));
      }
      continue;
    }
    const std::string upload_key = absl::StrCat(charm->origin, ":", charm->name, ":", charm->revision, ":", charm->channel);
    if (uploaded.insert(upload_key).second) plan.changes.push_back(UploadLine(*charm));
    plan.changes.push_back(DeployLine(app, *charm));
    plan.deploy.push_back(name);
    plan.charms.emplace(name, std::move(*charm));
  }
  std::set<std::string> resolved;
  for (const auto& [ra, rb] : bundle.relations) {
    if (bundle.saas.count(ra.application) || bundle.saas.count(rb.application)) {
      return absl::UnimplementedError("cross-model relations (saas) are not supported by skein yet");
    }
    for (const EndpointRef* ref : {&ra, &rb}) {
      if (!ref->endpoint.empty() && metadata.at(ref->application).FindEndpoint(ref->endpoint) == nullptr) {
        return Invalid(absl::StrCat("charm \"", charm_names.at(ref->application), "\" used by application \"",
                                    ref->application, "\" does not define relation \"", ref->endpoint, "\""));
      }
    }
    if (!ra.endpoint.empty() && !rb.endpoint.empty()) {
      // Both ends named: say what is wrong with the pair, in sorted order as Juju does.
      const EndpointRef& x = ra.String() < rb.String() ? ra : rb;
      const EndpointRef& y = ra.String() < rb.String() ? rb : ra;
      const charm::Endpoint* ex = metadata.at(x.application).FindEndpoint(x.endpoint);
      const charm::Endpoint* ey = metadata.at(y.application).FindEndpoint(y.endpoint);
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
    auto pairs = relations::CompatiblePairs(a, metadata.at(a.application), b, metadata.at(b.application));
    const std::string between = absl::StrCat("cannot infer endpoint between ", a.text, " and ", b.text, ": ");
    if (pairs.empty()) return Invalid(absl::StrCat(between, "no relations found"));
    if (pairs.size() > 1) {
      std::vector<std::string> candidates;
      for (const auto& [x, y] : pairs) candidates.push_back(absl::StrCat("\"", x.Spec(), " ", y.Spec(), "\""));
      return Invalid(absl::StrCat(between, "ambiguous relation: ", a.text, " ", b.text, " could refer to ",
                                  absl::StrJoin(candidates, "; ")));
    }
    RelationPlan rel{pairs[0].first.Spec(), pairs[0].second.Spec()};
    if (!resolved.insert(RelationKey(rel.a, rel.b)).second) {
      return Invalid(absl::StrCat("relation [\"", ra.String(), "\" \"", rb.String(), "\"] is defined more than once"));
    }
    if (existing.relations.count(RelationKey(rel.a, rel.b))) continue;
    plan.changes.push_back(absl::StrCat("add relation ", rel.a, " - ", rel.b));
    plan.relations.push_back(std::move(rel));
  }
  return plan;
}

}  // namespace skein::bundles
