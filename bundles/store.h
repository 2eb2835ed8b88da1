#pragma once

// The store (DESIGN §7): bundles and charms with channel maps, as Charmhub serves them, from the
// data embedded in skein (bundles/store/) and from extra local store directories with the same
// layout (`--store DIR`, SKEIN_STORE_PATH), which are searched first:
//
//   bundles/<name>/channels.yaml      name, summary, description, default-track, tracks,
//                                     revision-source, channels {channel: {revision, released}},
//                                     revisions {N: {content: <file>}}
//   bundles/<name>/<file>             the bundle YAML of a revision
//   charms/<name>.yaml                name, summary, description, default-track, tracks,
//                                     upgrade-path [track, ...] (optional, see UpgradePath),
//                                     upgrade-path-reversible true|false (optional, false),
//                                     channels {channel: {revision, released}},
//                                     revisions {N: {source, base, metadata, config, actions,
//                                     source-repo, source-commit, missing}} (see CharmRevisionSource)
//
// `revision-source`/`source` says whose numbers these are: `charmhub` (the real ones) or `skein`
// (numbered by this store because the real ones are not known); a charm without
// `revision-source` is `charmhub`, `skein` or `mixed` after its revisions' `source`.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bundles/plan.h"
#include "bundles/upgrade_path.h"
#include "nlohmann/json.hpp"

namespace skein::bundles {

// Facts a store charm revision may lack because its track's source could not be read.
enum class CharmFact { kConfig, kConfigDefaults, kActions, kContainers, kResources, kStorage, kAssumes };
// `config` (the option list may be incomplete), `config-defaults`, `actions`, `containers`,
// `resources`, `storage`, `assumes`: the words a store file's `missing:` list uses.
std::string CharmFactName(CharmFact fact);

// Where a store charm revision's definition was read from: `source-repo`, `source-commit`
// ({file: commit}, one commit per file read, since an index may hold files of different
// commits) and `missing` (facts not found for the revision's track, never guessed). A revision
// that records none of these has an empty repo, no commits and nothing listed as missing.
struct CharmRevisionSource {
  std::string repo;                            // `canonical/dex-auth-operator`
  std::map<std::string, std::string> commits;  // file read -> full commit id
  std::vector<CharmFact> missing;

  bool Missing(CharmFact fact) const;
};

struct BundleRelease {
  std::string name;
  std::string channel;   // the channel asked for, normalised (`1.9/stable`)
  std::string served_from;  // the channel whose release was used (after risk fallback)
  int64_t revision = 0;
  std::string revision_source;  // charmhub | skein: whose number this revision is
  std::string content;          // bundle YAML
};

class Store {
 public:
  // The embedded data, with `extra_dirs` searched first. InvalidArgument naming the file for
  // malformed store data.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::vector<std::string>& extra_dirs);

  bool HasBundle(const std::string& name) const;
  bool HasCharm(const std::string& name) const;

  // Resolves a channel (juju-semantics §7: default track, risk fallback edge→beta→candidate→
  // stable within a track, a branch falls back to its track/risk, tracks never fall back) or a
  // revision. NotFound `cannot resolve charm or bundle "x": charm or bundle not found`;
  // NotFound `bundle "x" has no release in channel "c"; channels with a release: a, b` (charms
  // likewise); NotFound `bundle "x" has no revision N`; InvalidArgument for a bad channel.
  absl::StatusOr<BundleRelease> ResolveBundle(const std::string& name, const std::string& channel,
                                              std::optional<int64_t> revision) const;
  absl::StatusOr<ResolvedCharm> ResolveCharm(const std::string& name, const std::string& channel,
                                             std::optional<int64_t> revision) const;

  // What a charm revision records about its source. NotFound for an unknown charm or revision.
  absl::StatusOr<CharmRevisionSource> RevisionSource(const std::string& charm, int64_t revision) const;

  // The charm's declared upgrade path; nullopt when it declares none. NotFound for an unknown
  // charm.
  absl::StatusOr<std::optional<UpgradePath>> UpgradePathOf(const std::string& charm) const;

  // What `skein info` shows: name, type (bundle|charm), summary, description, default-track,
  // revision-source, channels [{channel, revision, released, closed}] in store order (tracks
  // in the store's order, risks stable..edge; a closed risk shows the one it falls back to),
  // and for charms the relations of the newest revision ({provides:{ep: iface}, requires: ...}).
  absl::StatusOr<nlohmann::json> Info(const std::string& name) const;

  // Loaded documents, by kind and name (for tests and listing).
  std::vector<std::string> BundleNames() const;
  std::vector<std::string> CharmNames() const;

  struct Entry;  // one bundle or charm (store.cc)
  ~Store();

 private:
  Store();
  std::map<std::string, std::shared_ptr<Entry>> bundles_;
  std::map<std::string, std::shared_ptr<Entry>> charms_;
};

// The files embedded at build time from bundles/store/ (path relative to it -> content).
const std::map<std::string, std::string>& EmbeddedStoreFiles();

}  // namespace skein::bundles
