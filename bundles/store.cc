#include "bundles/store.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/channel.h"
#include "lib/format/yaml_budget.h"
#include "yaml-cpp/yaml.h"

namespace skein::bundles {

namespace fs = std::filesystem;

struct Store::Entry {
  std::string kind;  // bundle | charm
  std::string name;
  std::string summary;
  std::string description;
  std::string default_track = "latest";
  std::vector<std::string> tracks;
  std::string revision_source = "skein";
  struct Release {
    int64_t revision = 0;
    std::string released;
  };
  std::map<std::string, Release> channels;  // canonical channel -> release
  std::optional<UpgradePath> upgrade_path;
  std::map<int64_t, CharmRevisionSource> sources;  // charms only
  std::map<int64_t, YAML::Node> revisions;
  std::map<std::string, std::string> contents;  // bundle content files by name
};

namespace {

// A unit agent that has no built-in charm of this name says so instead of pretending to run.
constexpr char kNoCodeDispatch[] =
    "#!/bin/sh\n"
    "# Written by skein's store: the code of this charm is not part of this build.\n"
    "if [ -z \"${JUJU_ACTION_NAME:-}\" ]; then\n"
    "  status-set blocked \"charm code not available in this build\"\n"
    "else\n"
    "  action-fail \"charm code not available in this build\"\n"
    "fi\n";

absl::Status Malformed(const std::string& file, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("store file ", file, ": ", why));
}

std::string Emit(const YAML::Node& node) {
  YAML::Emitter out;
  out << node;
  return std::string(out.c_str()) + "\n";
}

// `upgrade-path:` of a charm: a list of at least two distinct tracks that the charm has.
absl::Status ParseUpgradePath(const std::string& file, const YAML::Node& node, Store::Entry* e) {
  const std::string shape = "upgrade-path must be a list of at least two of the charm's tracks, oldest first";
  if (!node.IsSequence() || node.size() < 2) return Malformed(file, shape);
  UpgradePath path;
  for (const auto& item : node) {
    if (!item.IsScalar()) return Malformed(file, shape);
    const std::string track = item.as<std::string>();
    const bool released = std::any_of(e->channels.begin(), e->channels.end(), [&](const auto& kv) {
      return absl::StartsWith(kv.first, track + "/");
    });
    if (!released) {
      return Malformed(file, absl::StrCat("upgrade-path names track \"", track, "\", which has no channel in this file"));
    }
    if (path.Contains(track)) return Malformed(file, absl::StrCat("upgrade-path names track \"", track, "\" twice"));
    path.tracks.push_back(track);
  }
  e->upgrade_path = std::move(path);
  return absl::OkStatus();
}

constexpr std::pair<CharmFact, const char*> kFactNames[] = {
    {CharmFact::kConfig, "config"},         {CharmFact::kConfigDefaults, "config-defaults"},
    {CharmFact::kActions, "actions"},       {CharmFact::kContainers, "containers"},
    {CharmFact::kResources, "resources"},   {CharmFact::kStorage, "storage"},
    {CharmFact::kAssumes, "assumes"}};

bool IsCommitId(const std::string& text) {
  return text.size() == 40 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// `source-repo`, `source-commit` and `missing` of one charm revision.
absl::StatusOr<CharmRevisionSource> ParseRevisionSource(const std::string& file, int64_t revision,
                                                        const YAML::Node& node) {
  const std::string where = absl::StrCat("revision ", revision, ": ");
  CharmRevisionSource source;
  if (node["source-repo"]) {
    if (!node["source-repo"].IsScalar()) return Malformed(file, where + "source-repo must be owner/name");
    source.repo = node["source-repo"].as<std::string>();
  }
  if (const YAML::Node commits = node["source-commit"]) {
    if (source.repo.empty()) return Malformed(file, where + "source-commit needs a source-repo");
    if (!commits.IsMap() || commits.size() == 0) {
      return Malformed(file, where + "source-commit must map each file read to the commit it was read at");
    }
    for (const auto& kv : commits) {
      const std::string commit = kv.second.IsScalar() ? kv.second.as<std::string>() : "";
      if (!IsCommitId(commit)) {
        return Malformed(file, absl::StrCat(where, "source-commit of ", kv.first.as<std::string>(),
                                            " must be a full 40-character commit id"));
      }
      source.commits[kv.first.as<std::string>()] = commit;
    }
  } else if (!source.repo.empty()) {
    return Malformed(file, where + "source-repo needs a source-commit naming the files read");
  }
  if (const YAML::Node missing = node["missing"]) {
    if (!missing.IsSequence()) return Malformed(file, where + "missing must be a list of fact names");
    for (const auto& item : missing) {
      const std::string name = item.IsScalar() ? item.as<std::string>() : "";
      const auto* known = std::find_if(std::begin(kFactNames), std::end(kFactNames),
                                       [&](const auto& fact) { return name == fact.second; });
      if (known == std::end(kFactNames)) {
        std::vector<std::string> names;
        for (const auto& fact : kFactNames) names.push_back(fact.second);
        return Malformed(file, absl::StrCat(where, "missing names unknown fact \"", name, "\" (known: ",
                                            absl::StrJoin(names, ", "), ")"));
      }
      source.missing.push_back(known->first);
    }
  }
  return source;
}

absl::StatusOr<std::shared_ptr<Store::Entry>> ParseEntry(const std::string& kind, const std::string& file,
                                                         const std::string& text) {
  absl::StatusOr<YAML::Node> loaded = format::LoadYaml(text);
  if (!loaded.ok()) return Malformed(file, std::string(loaded.status().message()));
  YAML::Node doc = *loaded;
  if (!doc.IsMap() || !doc["name"]) return Malformed(file, "expected a mapping with a name");
  auto e = std::make_shared<Store::Entry>();
  e->kind = kind;
  e->name = doc["name"].as<std::string>();
  e->summary = doc["summary"].as<std::string>("");
  e->description = doc["description"].as<std::string>("");
  e->default_track = doc["default-track"].as<std::string>("latest");
  e->revision_source = doc["revision-source"].as<std::string>("skein");
  if (doc["tracks"]) {
    for (const auto& t : doc["tracks"]) e->tracks.push_back(t.as<std::string>());
  }
  if (doc["channels"]) {
    for (const auto& kv : doc["channels"]) {
      std::string text_channel = kv.first.as<std::string>();
      auto ch = ParseChannel(text_channel);
      if (!ch.ok()) return Malformed(file, std::string(ch.status().message()));
      Store::Entry::Release r;
      try {
        r.revision = kv.second["revision"].as<int64_t>();
      } catch (const YAML::Exception&) {
        return Malformed(file, absl::StrCat("channel ", text_channel, " has no revision"));
      }
      r.released = kv.second["released"].as<std::string>("");
      e->channels[WithDefaultTrack(*ch, e->default_track).String()] = r;
      if (std::find(e->tracks.begin(), e->tracks.end(), WithDefaultTrack(*ch, e->default_track).track) == e->tracks.end()) {
        e->tracks.push_back(WithDefaultTrack(*ch, e->default_track).track);
      }
    }
  }
  if (doc["revisions"]) {
    for (const auto& kv : doc["revisions"]) e->revisions[kv.first.as<int64_t>()] = kv.second;
  }
  if (kind == "charm") {
    for (const auto& [rev, node] : e->revisions) {
      auto source = ParseRevisionSource(file, rev, node);
      if (!source.ok()) return source.status();
      e->sources[rev] = std::move(*source);
    }
  }
  if (doc["upgrade-path"]) {
    if (kind != "charm") return Malformed(file, "only charms declare an upgrade-path");
    // Tracks come from `tracks` and the channels, so this runs after both are read.
    if (absl::Status s = ParseUpgradePath(file, doc["upgrade-path"], e.get()); !s.ok()) return s;
    if (const YAML::Node reversible = doc["upgrade-path-reversible"]) {
      if (!reversible.IsScalar() || (reversible.Scalar() != "true" && reversible.Scalar() != "false")) {
        return Malformed(file, "upgrade-path-reversible must be true or false");
      }
      e->upgrade_path->reversible = reversible.Scalar() == "true";
    }
  } else if (doc["upgrade-path-reversible"]) {
    return Malformed(file, "upgrade-path-reversible needs an upgrade-path");
  }
  if (!doc["revision-source"] && !e->revisions.empty()) {
    // Charms say per revision whose number it is; the charm as a whole is `charmhub` only when
    // every revision is, `mixed` when some are.
    size_t charmhub = 0;
    for (const auto& [rev, node] : e->revisions) charmhub += node["source"].as<std::string>("skein") == "charmhub";
    e->revision_source = charmhub == 0 ? "skein" : (charmhub == e->revisions.size() ? "charmhub" : "mixed");
  }
  for (const auto& [channel, release] : e->channels) {
    if (!e->revisions.count(release.revision)) {
      return Malformed(file, absl::StrCat("channel ", channel, " names revision ", release.revision,
                                          " which is not in revisions"));
    }
  }
  return e;
}

const char* KindWord(const Store::Entry& e) { return e.kind == "bundle" ? "bundle" : "charm"; }

// The release serving `requested` (normalised, default track applied), after risk fallback.
absl::StatusOr<std::pair<std::string, int64_t>> ServeChannel(const Store::Entry& e, const Channel& requested) {
  std::vector<Channel> tries;
  if (!requested.branch.empty()) tries.push_back(requested);
  const auto& risks = Risks();
  auto at = std::find(risks.begin(), risks.end(), requested.risk);
  for (auto it = at; it >= risks.begin() && it != risks.end(); --it) {
    tries.push_back(Channel{requested.track, *it, ""});
    if (it == risks.begin()) break;
  }
  for (const Channel& c : tries) {
    if (auto found = e.channels.find(c.String()); found != e.channels.end()) {
      return std::make_pair(c.String(), found->second.revision);
    }
  }
  std::vector<std::string> open;
  for (const auto& track : e.tracks) {
    for (const auto& risk : risks) {
      std::string c = absl::StrCat(track, "/", risk);
      if (e.channels.count(c)) open.push_back(c);
    }
  }
  return absl::NotFoundError(absl::StrCat(KindWord(e), " \"", e.name, "\" has no release in channel \"",
                                          requested.String(), "\"; channels with a release: ",
                                          absl::StrJoin(open, ", ")));
}

struct Served {
  std::string channel;      // the tracked channel
  std::string served_from;  // the channel whose release is used
  int64_t revision = 0;
};

absl::StatusOr<Served> Serve(const Store::Entry& e, const std::string& channel, std::optional<int64_t> revision) {
  Channel requested{e.default_track, "stable", ""};
  if (!channel.empty()) {
    auto parsed = ParseChannel(channel);
    if (!parsed.ok()) return parsed.status();
    requested = WithDefaultTrack(*parsed, e.default_track);
  }
  Served s;
  s.channel = requested.String();
  if (revision) {
    if (!e.revisions.count(*revision)) {
      return absl::NotFoundError(absl::StrCat(KindWord(e), " \"", e.name, "\" has no revision ", *revision));
    }
    s.served_from = s.channel;
    s.revision = *revision;
    return s;
  }
  auto served = ServeChannel(e, requested);
  if (!served.ok()) return served.status();
  s.served_from = served->first;
  s.revision = served->second;
  return s;
}

absl::Status NotInStore(const std::string& name) {
  return absl::NotFoundError(absl::StrCat("cannot resolve charm or bundle \"", name, "\": charm or bundle not found"));
}

void CollectDir(const fs::path& root, std::map<std::string, std::string>* files) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    (*files)[fs::relative(it->path(), root).generic_string()] = ss.str();
  }
}

}  // namespace

Store::Store() = default;
Store::~Store() = default;

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::vector<std::string>& extra_dirs) {
  std::unique_ptr<Store> store(new Store());
  // Later sources win, so load the embedded data first and the extra directories last-to-first.
  std::vector<std::map<std::string, std::string>> sources = {EmbeddedStoreFiles()};
  for (auto it = extra_dirs.rbegin(); it != extra_dirs.rend(); ++it) {
    if (!fs::is_directory(*it)) return absl::NotFoundError(absl::StrCat("store directory \"", *it, "\" not found"));
    std::map<std::string, std::string> files;
    CollectDir(*it, &files);
    sources.push_back(std::move(files));
  }
  for (const auto& files : sources) {
    for (const auto& [path, text] : files) {
      std::vector<std::string> parts;
      for (const auto& p : fs::path(path)) parts.push_back(p.string());
      if (parts.size() == 3 && parts[0] == "bundles" && parts[2] == "channels.yaml") {
        auto e = ParseEntry("bundle", path, text);
        if (!e.ok()) return e.status();
        for (const auto& [other, content] : files) {
          std::string prefix = absl::StrCat("bundles/", parts[1], "/");
          if (absl::StartsWith(other, prefix) && other != path) (*e)->contents[other.substr(prefix.size())] = content;
        }
        for (const auto& [rev, node] : (*e)->revisions) {
          std::string content = node["content"].as<std::string>("");
          if (!(*e)->contents.count(content)) {
            return Malformed(path, absl::StrCat("revision ", rev, " names missing content \"", content, "\""));
          }
        }
        store->bundles_[(*e)->name] = *e;
      } else if (parts.size() == 2 && parts[0] == "charms" && absl::EndsWith(parts[1], ".yaml")) {
        auto e = ParseEntry("charm", path, text);
        if (!e.ok()) return e.status();
        store->charms_[(*e)->name] = *e;
      }
    }
  }
  return store;
}

bool Store::HasBundle(const std::string& name) const { return bundles_.count(name) > 0; }
bool Store::HasCharm(const std::string& name) const { return charms_.count(name) > 0; }

std::vector<std::string> Store::BundleNames() const {
  std::vector<std::string> out;
  for (const auto& [n, e] : bundles_) out.push_back(n);
  return out;
}

std::vector<std::string> Store::CharmNames() const {
  std::vector<std::string> out;
  for (const auto& [n, e] : charms_) out.push_back(n);
  return out;
}

absl::StatusOr<BundleRelease> Store::ResolveBundle(const std::string& name, const std::string& channel,
                                                   std::optional<int64_t> revision) const {
  auto it = bundles_.find(name);
  if (it == bundles_.end()) return NotInStore(name);
  const Entry& e = *it->second;
  auto served = Serve(e, channel, revision);
  if (!served.ok()) return served.status();
  BundleRelease r;
  r.name = name;
  r.channel = served->channel;
  r.served_from = served->served_from;
  r.revision = served->revision;
  // A store whose bundle mixes real and own numbers says per revision whose number it is.
  r.revision_source = e.revisions.at(served->revision)["source"].as<std::string>(e.revision_source);
  r.content = e.contents.at(e.revisions.at(served->revision)["content"].as<std::string>());
  return r;
}

absl::StatusOr<ResolvedCharm> Store::ResolveCharm(const std::string& name, const std::string& channel,
                                                  std::optional<int64_t> revision) const {
  auto it = charms_.find(name);
  if (it == charms_.end()) return NotInStore(name);
  const Entry& e = *it->second;
  auto served = Serve(e, channel, revision);
  if (!served.ok()) return served.status();
  const YAML::Node& rev = e.revisions.at(served->revision);
  const std::string file = absl::StrCat("charms/", name, ".yaml revision ", served->revision);

  YAML::Node meta = rev["metadata"] ? YAML::Clone(rev["metadata"]) : YAML::Node(YAML::NodeType::Map);
  meta["name"] = name;
  if (!e.summary.empty()) meta["summary"] = e.summary;
  if (!e.description.empty()) meta["description"] = e.description;
  ResolvedCharm c;
  c.name = name;
  c.origin = "charmhub";
  c.channel = served->channel;
  c.revision = served->revision;
  c.base = rev["base"].as<std::string>("");
  c.files["metadata.yaml"] = Emit(meta);
  auto metadata = charm::ParseMetadata(c.files["metadata.yaml"]);
  if (!metadata.ok()) return Malformed(file, std::string(metadata.status().message()));
  c.metadata = std::move(*metadata);
  if (rev["config"] && rev["config"].IsMap() && rev["config"].size() > 0) c.files["config.yaml"] = Emit(rev["config"]);
  auto config = charm::ParseConfigSchema(c.files.count("config.yaml") ? c.files["config.yaml"] : "");
  if (!config.ok()) return Malformed(file, std::string(config.status().message()));
  c.config = std::move(*config);
  if (rev["actions"] && rev["actions"].IsMap() && rev["actions"].size() > 0) c.files["actions.yaml"] = Emit(rev["actions"]);
  // skein-agent runs the built-in charm of this name in process; an agent built without it
  // falls back to `dispatch`, which says so.
  c.files["skein-builtin"] = name + "\n";
  c.files["dispatch"] = kNoCodeDispatch;
  return c;
}

std::string CharmFactName(CharmFact fact) {
  for (const auto& [known, name] : kFactNames) {
    if (known == fact) return name;
  }
  return "unknown";
}

bool CharmRevisionSource::Missing(CharmFact fact) const {
  return std::find(missing.begin(), missing.end(), fact) != missing.end();
}

absl::StatusOr<CharmRevisionSource> Store::RevisionSource(const std::string& charm, int64_t revision) const {
  auto it = charms_.find(charm);
  if (it == charms_.end()) return NotInStore(charm);
  auto source = it->second->sources.find(revision);
  if (source == it->second->sources.end()) {
    return absl::NotFoundError(absl::StrCat("charm \"", charm, "\" has no revision ", revision));
  }
  return source->second;
}

absl::StatusOr<std::optional<UpgradePath>> Store::UpgradePathOf(const std::string& charm) const {
  auto it = charms_.find(charm);
  if (it == charms_.end()) return NotInStore(charm);
  return it->second->upgrade_path;
}

absl::StatusOr<nlohmann::json> Store::Info(const std::string& name) const {
  const Entry* e = nullptr;
  if (auto it = bundles_.find(name); it != bundles_.end()) e = it->second.get();
  if (auto it = charms_.find(name); e == nullptr && it != charms_.end()) e = it->second.get();
  if (e == nullptr) return NotInStore(name);
  nlohmann::json out = {{"name", e->name},
                        {"type", e->kind},
                        {"summary", e->summary},
                        {"description", e->description},
                        {"default-track", e->default_track},
                        {"revision-source", e->revision_source}};
  nlohmann::json channels = nlohmann::json::array();
  for (const auto& track : e->tracks) {
    bool below = false;  // a less risky risk of this track is open
    for (const auto& risk : Risks()) {
      const std::string c = absl::StrCat(track, "/", risk);
      nlohmann::json row = {{"channel", c}};
      if (auto it = e->channels.find(c); it != e->channels.end()) {
        row["revision"] = it->second.revision;
        row["released"] = it->second.released;
        below = true;
      } else {
        row["closed"] = below ? "follows" : "none";  // `↑` or `–` in Juju's table
      }
      channels.push_back(row);
    }
  }
  out["channels"] = channels;
  if (e->kind == "charm" && !e->revisions.empty()) {
    const YAML::Node& newest = e->revisions.rbegin()->second;
    nlohmann::json relations = nlohmann::json::object();
    for (const char* role : {"provides", "requires"}) {
      if (!newest["metadata"] || !newest["metadata"][role]) continue;
      for (const auto& kv : newest["metadata"][role]) {
        relations[role][kv.first.as<std::string>()] = kv.second["interface"].as<std::string>("");
      }
    }
    out["relations"] = relations;
  }
  return out;
}

}  // namespace skein::bundles
