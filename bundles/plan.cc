#include "bundles/plan.h"

#include "absl/strings/str_cat.h"

namespace skein::bundles {
namespace {

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

std::string Units(int n) { return absl::StrCat(n, n == 1 ? " unit" : " units"); }

std::string UploadLine(const ResolvedCharm& c) {
  if (c.origin == "local") return absl::StrCat("upload charm ", c.files.empty() ? c.name : c.name, " from local");
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
  // Store charms are uploaded once however many applications use them.
  std::set<std::string> uploaded;
  for (const auto& [name, app] : bundle.applications) {
    auto charm = resolve(app);
    if (!charm.ok()) return charm.status();
    for (const auto& [key, value] : app.options) {
      auto parsed = charm::ParseConfigValue(charm->config, key, value);
      if (!parsed.ok()) return Invalid(absl::StrCat("application \"", name, "\": ", parsed.status().message()));
    }
    metadata[name] = charm->metadata;
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
  for (const auto& [ra, rb] : bundle.relations) {
    if (bundle.saas.count(ra.application) || bundle.saas.count(rb.application)) {
      return absl::UnimplementedError("cross-model relations (saas) are not supported by skein yet");
    }
    relations::EndpointSpec a{ra.application, ra.endpoint, ra.String()};
    relations::EndpointSpec b{rb.application, rb.endpoint, rb.String()};
    const charm::Metadata& ma = metadata.at(a.application);
    const charm::Metadata& mb = metadata.at(b.application);
    if (absl::Status s = relations::CheckNamedEndpoints(a, ma, b, mb); !s.ok()) return Invalid(std::string(s.message()));
    auto pairs = relations::CompatiblePairs(a, ma, b, mb);
    if (pairs.empty()) {
      return Invalid(absl::StrCat("cannot infer endpoint between \"", a.text, "\" and \"", b.text,
                                  "\": no relations found"));
    }
    if (pairs.size() > 1) return Invalid(relations::AmbiguousMessage(a, b, pairs));
    RelationPlan rel{pairs[0].first.Spec(), pairs[0].second.Spec()};
    if (existing.relations.count(RelationKey(rel.a, rel.b))) continue;
    plan.changes.push_back(absl::StrCat("add relation ", rel.a, " - ", rel.b));
    plan.relations.push_back(std::move(rel));
  }
  return plan;
}

}  // namespace skein::bundles
