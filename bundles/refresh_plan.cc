#include "bundles/refresh_plan.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/channel.h"
#include "lib/charm/config.h"

namespace skein::bundles {
namespace {

// The track of a store channel (`1.22/stable` -> `1.22`); empty when the channel is not
// parseable or names no track.
std::string TrackOf(const std::string& channel) {
  if (channel.empty()) return "";
  auto parsed = ParseChannel(channel);
  return parsed.ok() ? parsed->track : "";
}

// Why a relation breaks, as the refusal prints it after the command that removes it.
std::string Reason(const BrokenRelation& b) {
  const std::string app = b.endpoint.substr(0, b.endpoint.find(':'));
  const std::string endpoint = b.endpoint.substr(b.endpoint.find(':') + 1);
  switch (b.why) {
    case BrokenRelation::Why::kEndpointGone:
      return absl::StrCat(app, " has no \"", endpoint, "\" endpoint any more");
    case BrokenRelation::Why::kRoleChanged:
      return absl::StrCat(b.endpoint, " becomes ", charm::RoleName(b.new_role), ", interface ", b.new_interface);
    case BrokenRelation::Why::kInterfaceChanged:
      return absl::StrCat(b.endpoint, " changes interface from ", b.interface, " to ", b.new_interface);
  }
  return "";
}

// The relations of `model` that some step breaks, each once, with the step that breaks it first.
std::vector<std::pair<BrokenRelation, const ResolvedCharm*>> BrokenOnTheWay(const ModelDescription& model,
                                                                            const std::string& application,
                                                                            const std::vector<ResolvedCharm>& steps) {
  std::vector<std::pair<BrokenRelation, const ResolvedCharm*>> out;
  std::set<std::string> seen;
  for (const ResolvedCharm& step : steps) {
    for (BrokenRelation& b : RelationsBrokenBy(model, application, step.metadata)) {
      if (seen.insert(RelationKey(b.provider, b.requirer)).second) out.emplace_back(std::move(b), &step);
    }
  }
  return out;
}

// A track as a version: `ckf-1.9` -> ("ckf-", {1, 9}); nullopt when what follows the leading
// non-digits is not dot-separated numbers.
std::optional<std::pair<std::string, std::vector<int64_t>>> TrackVersion(const std::string& track) {
  const size_t digits = track.find_first_of("0123456789");
  if (digits == std::string::npos) return std::nullopt;
  std::vector<int64_t> parts;
  for (absl::string_view part : absl::StrSplit(absl::string_view(track).substr(digits), '.')) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(part, &n)) return std::nullopt;
    parts.push_back(n);
  }
  return std::make_pair(track.substr(0, digits), std::move(parts));
}

// The charm's declared upgrade path, when the source knows paths.
absl::StatusOr<std::optional<UpgradePath>> PathOf(const CharmSource& source, const std::string& charm) {
  if (!source.upgrade_path) return std::optional<UpgradePath>{};
  return source.upgrade_path(charm);
}

}  // namespace

std::optional<Downgrade> DowngradeOf(const ModelApplication& running, const ResolvedCharm& target,
                                     const std::optional<UpgradePath>& path) {
  if (target.origin == "local" || running.charm_origin != target.origin || running.charm != target.name) {
    return std::nullopt;
  }
  const std::string from = TrackOf(running.channel);
  const std::string to = TrackOf(target.channel);
  bool down = target.revision < running.revision;
  if (from != to && path && path->Contains(from) && path->Contains(to)) {
    const auto& tracks = path->tracks;
    down = std::find(tracks.begin(), tracks.end(), to) < std::find(tracks.begin(), tracks.end(), from);
  } else if (from != to) {
    auto a = TrackVersion(from);
    auto b = TrackVersion(to);
    if (a && b && a->first == b->first && a->second != b->second) down = b->second < a->second;
  }
  if (!down) return std::nullopt;
  return Downgrade{running.name, target.name, running.channel, running.revision, target.channel, target.revision};
}

absl::StatusOr<Application> RefreshTarget(const ModelApplication& running, const RefreshFlags& flags) {
  if (!flags.switch_to.empty() && flags.revision) {
    return absl::InvalidArgumentError("--switch and --revision are mutually exclusive");
  }
  if (!flags.path.empty() && flags.revision) {
    return absl::InvalidArgumentError("--path and --revision are mutually exclusive");
  }
  if (!flags.switch_to.empty() && !flags.path.empty()) {
    return absl::InvalidArgumentError("--switch and --path are mutually exclusive");
  }
  Application target;
  target.name = running.name;
  if (!flags.path.empty()) {
    target.charm = flags.path;
    target.charm_path = flags.path;
    return target;
  }
  if (running.charm_origin == "local" && flags.switch_to.empty()) {
    return absl::InvalidArgumentError("upgrading a local charm requires either --path or --switch");
  }
  target.charm = flags.switch_to.empty() ? running.charm : flags.switch_to;
  // The tracked channel stays unless --channel switches it (Juju's refresh reads the
  // application's channel when none is given, for --switch and --revision alike).
  target.channel = flags.channel.empty() ? running.channel : flags.channel;
  target.revision = flags.revision;
  return target;
}

absl::StatusOr<std::vector<ResolvedCharm>> RefreshSteps(const ModelApplication& running, const ResolvedCharm& target,
                                                        const CharmSource& source, bool force) {
  const bool same_store_charm =
      target.origin != "local" && running.charm_origin == target.origin && running.charm == target.name;
  if (!same_store_charm) return std::vector<ResolvedCharm>{target};
  auto path = PathOf(source, target.name);
  if (!path.ok()) return path.status();
  const std::string from = TrackOf(running.channel);
  const std::string to = TrackOf(target.channel);
  if (!path->has_value() || from.empty() || to.empty()) return std::vector<ResolvedCharm>{target};
  auto tracks = (*path)->Steps(target.name, from, to);
  if (!tracks.ok()) {
    if (force) return std::vector<ResolvedCharm>{target};
    return tracks.status();
  }
  if (tracks->size() <= 1) return std::vector<ResolvedCharm>{target};
  const std::string risk = ParseChannel(target.channel)->risk;  // parsed by TrackOf above
  std::vector<ResolvedCharm> steps;
  for (size_t i = 0; i + 1 < tracks->size(); ++i) {
    Application step;
    step.name = running.name;
    step.charm = target.name;
    step.channel = absl::StrCat((*tracks)[i], "/", risk);
    auto charm = source.resolve(step);
    if (!charm.ok()) {
      return absl::Status(charm.status().code(),
                          absl::StrCat("cannot walk the upgrade path of charm \"", target.name, "\" through track ",
                                       (*tracks)[i], ": ", charm.status().message()));
    }
    steps.push_back(std::move(*charm));
  }
  steps.push_back(target);
  return steps;
}

absl::StatusOr<Plan> MakeRefreshPlan(const ModelDescription& model, const std::string& application,
                                     const ResolvedCharm& target, const CharmSource& source,
                                     const RefreshOptions& options) {
  const ModelApplication* running = nullptr;
  for (const ModelApplication& a : model.applications) {
    if (a.name == application) running = &a;
  }
  if (running == nullptr) return absl::NotFoundError(absl::StrCat("application \"", application, "\" not found"));
  // A local charm is a new upload whatever it contains, so Juju runs the whole upgrade for it.
  if (target.origin != "local" && running->charm_origin == target.origin && running->charm == target.name &&
      running->revision == target.revision) {
    return absl::FailedPreconditionError(absl::StrCat("charm \"", target.name, "\": already up-to-date"));
  }
  for (const auto& [key, value] : options.config) {
    auto parsed = charm::ParseConfigValue(target.config, key, value);
    if (parsed.status().code() == absl::StatusCode::kNotFound) {
      return absl::InvalidArgumentError(absl::StrCat("application \"", application, "\": unknown option \"", key, "\""));
    }
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("application \"", application, "\": ", parsed.status().message()));
    }
  }
  auto steps = RefreshSteps(*running, target, source, options.force);
  if (!steps.ok()) return steps.status();

  Plan plan;
  plan.charms.emplace(application, target);
  auto path = PathOf(source, target.name);
  if (!path.ok()) return path.status();
  if (auto down = DowngradeOf(*running, target, *path)) plan.downgrades.push_back(std::move(*down));
  const auto broken = BrokenOnTheWay(model, application, *steps);
  std::vector<std::string> first_needs;
  if (!broken.empty() && !options.force) {
    std::string message =
        absl::StrCat("cannot refresh application \"", application, "\" to charm \"", target.name, "\" revision ",
                     target.revision, ": it would break ", broken.size(),
                     broken.size() == 1 ? " live relation" : " live relations",
                     "; remove each first, or refresh with --force to remove them as part of the refresh:");
    for (const auto& [b, step] : broken) {
      absl::StrAppend(&message, "\n  skein remove-relation ", b.provider, " ", b.requirer, "  (", Reason(b));
      if (steps->size() > 1) absl::StrAppend(&message, " in track ", TrackOf(step->channel));
      absl::StrAppend(&message, ")");
    }
    return absl::FailedPreconditionError(message);
  }
  for (const auto& [b, step] : broken) {
    first_needs.push_back(plan.Add("removeRelation", RemoveRelation{b.provider, b.requirer, application}, {}));
  }

  std::string from_channel = running->channel;
  int64_t from_revision = running->revision;
  std::vector<std::string> needs = first_needs;
  for (size_t i = 0; i < steps->size(); ++i) {
    const ResolvedCharm& step = (*steps)[i];
    needs.push_back(plan.Add("addCharm", UploadCharm{step}, {}));
    RefreshApplication refresh{application,  step.name,   step.origin,        from_channel, from_revision,
                               step.channel, step.revision, options.force, options.force_units};
    if (i + 1 == steps->size()) refresh.config = options.config;
    const std::string refreshed = plan.Add("upgradeCharm", std::move(refresh), std::move(needs));
    needs = {refreshed};
    if (steps->size() > 1) needs = {plan.Add("wait", WaitForApplications{{application}}, {refreshed})};
    from_channel = step.channel;
    from_revision = step.revision;
  }
  return plan;
}

}  // namespace skein::bundles
