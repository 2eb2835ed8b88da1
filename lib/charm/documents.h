#pragma once

// The documents skein reads from a charm: its metadata, config options and actions. A charm
// has them as metadata.yaml, config.yaml and actions.yaml at its root; charmcraft 3 may pack
// them all into charmcraft.yaml instead (name, summary, requires/provides/peers at the top
// level, `config:` and `actions:` as sections), which is read for whatever the separate files
// do not give.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "lib/base/limits.h"
#include "lib/charm/config.h"
#include "lib/charm/metadata.h"

namespace skein::charm {

struct CharmDocuments {
  std::string metadata_source;  // "metadata.yaml" or "charmcraft.yaml"
  std::string metadata_yaml;    // the whole file it came from
  std::string config_yaml;      // "" = no options
  std::string actions_yaml;     // "" = no actions
};

// Reads a file at the charm's root: nullopt when there is none, InvalidArgument when it is
// bigger than limits::kCharmYaml (the largest metadata.yaml, config.yaml, actions.yaml or
// charmcraft.yaml skein reads).
using CharmFileReader = std::function<absl::StatusOr<std::optional<std::string>>(const std::string& name)>;

// Errors: InvalidArgument `charm has no metadata.yaml or charmcraft.yaml at its root`, a
// reader's error, or `charmcraft.yaml: <YAML error>`.
absl::StatusOr<CharmDocuments> ReadCharmDocuments(const CharmFileReader& read);

struct ParsedCharm {
  Metadata metadata;
  ConfigSchema config;
  std::map<std::string, ActionSpec> actions;
};

// Parses the three documents; an error names the file it came from (`charmcraft.yaml: missing
// "name"` when the metadata came from charmcraft.yaml).
absl::StatusOr<ParsedCharm> ParseCharmDocuments(const CharmDocuments& documents);

}  // namespace skein::charm
