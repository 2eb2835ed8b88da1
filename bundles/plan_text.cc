// The plan in Juju's wording (cli-and-ux §1.3, Juju's bundle changes `Description()`); the
// change kinds Juju's bundles do not have (removals, what is left as it is) are worded alike.

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bundles/plan.h"

namespace skein::bundles {
namespace {

std::string Units(int n) { return absl::StrCat(n, n == 1 ? " unit" : " units"); }

const char* Location(const std::string& origin) { return origin == "local" ? "local" : "charm-hub"; }

std::string Describe(const UploadCharm& c) {
  const ResolvedCharm& charm = c.charm;
  if (charm.origin == "local") return absl::StrCat("upload charm ", charm.name, " from local");
  std::string line = absl::StrCat("upload charm ", charm.name, " from charm-hub");
  if (!charm.base.empty()) absl::StrAppend(&line, " for base ", charm.base);
  absl::StrAppend(&line, " from channel ", charm.channel, " with architecture=amd64");
  return line;
}

std::string Describe(const DeployApplication& d) {
  std::string line = absl::StrCat("deploy application ", d.application, " from ", Location(d.origin));
  if (d.num_units > 0) absl::StrAppend(&line, " with ", Units(d.num_units));
  if (!d.base.empty() && d.origin != "local") absl::StrAppend(&line, " on ", d.base);
  if (d.origin != "local") absl::StrAppend(&line, " with ", d.channel);
  if (d.application != d.charm) absl::StrAppend(&line, " using ", d.charm);
  return line;
}

// Juju's `upgrade X from charm-hub using charm Y from channel C`, with the revisions skein knows
// on both sides, so that a reviewer sees what moves.
std::string Describe(const RefreshApplication& r) {
  std::string line = absl::StrCat("upgrade ", r.application, " from ", Location(r.origin), " using charm ", r.charm);
  if (r.origin == "local") return line;
  absl::StrAppend(&line, " from channel ", r.channel, ", revision ", r.revision, " (now ");
  if (!r.from_channel.empty()) absl::StrAppend(&line, r.from_channel, ", ");
  absl::StrAppend(&line, "revision ", r.from_revision, ")");
  return line;
}

// A value as the plan shows it: long ones (included files, certificates) are cut.
std::string Shown(const std::string& value) {
  constexpr size_t kShown = 60;
  if (value.size() <= kShown) return absl::StrCat("\"", value, "\"");
  return absl::StrCat("\"", value.substr(0, kShown), "...\" (", value.size(), " bytes)");
}

std::string Describe(const SetConfig& s) {
  std::vector<std::string> settings;
  for (const auto& [key, value] : s.options) settings.push_back(absl::StrCat(key, "=", Shown(value)));
  return absl::StrCat("set application options for ", s.application, ": ", absl::StrJoin(settings, ", "));
}

std::string Describe(const AddUnits& u) { return absl::StrCat("scale ", u.application, " to ", Units(u.total)); }

std::string Describe(const AddRelation& a) { return absl::StrCat("add relation ", a.relation.a, " - ", a.relation.b); }

std::string Describe(const RemoveRelation& r) {
  std::string line = absl::StrCat("remove relation ", r.provider, " - ", r.requirer);
  if (!r.broken_by_refresh_of.empty()) {
    absl::StrAppend(&line, " (refreshing ", r.broken_by_refresh_of, " breaks it)");
  }
  return line;
}

std::string Describe(const RemoveApplication& r) { return absl::StrCat("remove application ", r.application); }

std::string Describe(const WaitForApplications& w) {
  return absl::StrCat("wait for ", absl::StrJoin(w.applications, ", "), " to settle");
}

std::string Describe(const KeptOption& k) {
  return absl::StrCat("keep option ", k.key, "=", Shown(k.model_value), " of ", k.application,
                      ": set by hand (the bundle has ", Shown(k.bundle_value), ")");
}

std::string Describe(const LeftApplication& l) {
  return absl::StrCat("leave application ", l.application, " in place: not in the bundle (--prune removes it)");
}

std::string Describe(const LeftRelation& l) {
  return absl::StrCat("leave relation ", l.provider, " - ", l.requirer,
                      " in place: not in the bundle (--prune removes it)");
}

std::string Describe(const NotManaged& n) {
  return absl::StrCat("leave application ", n.application, " alone: not deployed by this bundle");
}

}  // namespace

std::string DescribeChange(const Change& change) {
  return std::visit([](const auto& args) { return Describe(args); }, change.args);
}

std::string DescribeKept(const Kept& kept) {
  return std::visit([](const auto& item) { return Describe(item); }, kept);
}

std::string DescribeDowngrade(const Downgrade& d) {
  std::string line = absl::StrCat("warning: downgrade ", d.application);
  if (d.charm != d.application) absl::StrAppend(&line, " (charm ", d.charm, ")");
  absl::StrAppend(&line, " from revision ", d.from_revision, " (", d.from_channel, ") to ", d.revision, " (", d.channel,
                  ")");
  return line;
}

std::string FormatPlan(const Plan& plan, const std::string& heading) {
  std::string out;
  for (const Downgrade& d : plan.downgrades) absl::StrAppend(&out, DescribeDowngrade(d), "\n");
  if (!plan.changes.empty()) {
    absl::StrAppend(&out, heading, "\n");
    for (const Change& c : plan.changes) absl::StrAppend(&out, "- ", DescribeChange(c), "\n");
  }
  if (!plan.kept.empty()) {
    absl::StrAppend(&out, "Left as it is:\n");
    for (const Kept& k : plan.kept) absl::StrAppend(&out, "- ", DescribeKept(k), "\n");
  }
  return out;
}

}  // namespace skein::bundles
