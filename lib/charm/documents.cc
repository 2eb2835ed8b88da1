#include "lib/charm/documents.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/format/yaml_budget.h"
#include "yaml-cpp/yaml.h"

namespace skein::charm {
namespace {

constexpr char kMetadataFile[] = "metadata.yaml";
constexpr char kCharmcraftFile[] = "charmcraft.yaml";

// A section of charmcraft.yaml as YAML text ("" when absent or null).
std::string Section(const YAML::Node& root, const char* key) {
  YAML::Node section = root[key];
  if (!section || section.IsNull()) return "";
  YAML::Emitter out;
  out << section;
  return out.c_str();
}

}  // namespace

absl::StatusOr<CharmDocuments> ReadCharmDocuments(const CharmFileReader& read) {
  CharmDocuments docs;
  auto metadata = read(kMetadataFile);
  if (!metadata.ok()) return metadata.status();
  auto config = read("config.yaml");
  if (!config.ok()) return config.status();
  auto actions = read("actions.yaml");
  if (!actions.ok()) return actions.status();
  std::optional<std::string> charmcraft;
  if (!*metadata || !*config || !*actions) {
    auto text = read(kCharmcraftFile);
    if (!text.ok()) return text.status();
    charmcraft = std::move(*text);
  }
  if (!*metadata && !charmcraft) {
    return absl::InvalidArgumentError("charm has no metadata.yaml or charmcraft.yaml at its root");
  }
  YAML::Node root;
  if (charmcraft && (!*metadata || !*config || !*actions)) {
    auto loaded = format::LoadYaml(*charmcraft, CharmYamlBudget());
    if (!loaded.ok()) return absl::InvalidArgumentError(absl::StrCat(kCharmcraftFile, ": ", loaded.status().message()));
    root = std::move(*loaded);
    if (!root.IsMap()) return absl::InvalidArgumentError(absl::StrCat(kCharmcraftFile, ": expected a map"));
  }
  if (*metadata) {
    docs.metadata_source = kMetadataFile;
    docs.metadata_yaml = std::move(**metadata);
  } else {
    docs.metadata_source = kCharmcraftFile;
    docs.metadata_yaml = *charmcraft;
  }
  docs.config_yaml = *config ? std::move(**config) : (charmcraft ? Section(root, "config") : "");
  docs.actions_yaml = *actions ? std::move(**actions) : (charmcraft ? Section(root, "actions") : "");
  return docs;
}

absl::StatusOr<ParsedCharm> ParseCharmDocuments(const CharmDocuments& documents) {
  ParsedCharm parsed;
  auto metadata = ParseMetadata(documents.metadata_yaml);
  if (!metadata.ok()) {
    std::string message(metadata.status().message());
    if (documents.metadata_source == kCharmcraftFile && absl::StartsWith(message, kMetadataFile)) {
      message = absl::StrCat(kCharmcraftFile, message.substr(sizeof(kMetadataFile) - 1));
    }
    return absl::Status(metadata.status().code(), message);
  }
  parsed.metadata = std::move(*metadata);
  auto config = ParseConfigSchema(documents.config_yaml);
  if (!config.ok()) return config.status();
  parsed.config = std::move(*config);
  auto actions = ParseActions(documents.actions_yaml);
  if (!actions.ok()) return actions.status();
  parsed.actions = std::move(*actions);
  return parsed;
}

}  // namespace skein::charm
