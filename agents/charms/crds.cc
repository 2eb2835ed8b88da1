#include "agents/charms/crds.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/format/yaml_json.h"

namespace skein::charms {

namespace {
constexpr char kSuffix[] = ".yaml";
}  // namespace

absl::StatusOr<nlohmann::ordered_json> Crd(const std::string& name) {
  auto it = EmbeddedCrdFiles().find(absl::StrCat(name, kSuffix));
  if (it == EmbeddedCrdFiles().end()) return absl::NotFoundError(absl::StrCat("no CRD \"", name, "\" is built in"));
  auto docs = format::YamlDocumentsToOrderedJson(it->second, format::YamlDialect::kKubernetes);
  if (!docs.ok() || docs->size() != 1 || !(*docs)[0].is_object()) {
    return absl::InternalError(absl::StrCat("built-in CRD \"", name, "\" is not one YAML object",
                                            docs.ok() ? "" : absl::StrCat(": ", docs.status().message())));
  }
  return (*docs)[0];
}

std::vector<std::string> CrdNames() {
  std::vector<std::string> names;
  for (const auto& [file, content] : EmbeddedCrdFiles()) {
    if (absl::EndsWith(file, kSuffix)) names.push_back(file.substr(0, file.size() - sizeof(kSuffix) + 1));
  }
  return names;
}

}  // namespace skein::charms
