#include "tools/cli/output/manifests_output.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/format/output.h"

namespace skein::cli::output {
namespace {

// One path component that cannot leave the output directory.
std::string SafeComponent(std::string s) {
  for (char& c : s) {
    if (c == '/' || c == '\\' || c == '\0') c = '_';
  }
  if (s.empty() || s == "." || s == "..") s = "_" + s;
  return s;
}

}  // namespace

std::string ObjectToYaml(const OrderedJson& object) { return format::OrderedToYaml(object); }

std::string YamlStream(const std::vector<OrderedJson>& objects) {
  std::vector<std::string> docs;
  docs.reserve(objects.size());
  for (const OrderedJson& o : objects) docs.push_back(ObjectToYaml(o));
  return absl::StrJoin(docs, "---\n");
}

std::string JsonList(const std::vector<OrderedJson>& objects) {
  OrderedJson list = OrderedJson::object();
  list["apiVersion"] = "v1";
  list["kind"] = "List";
  list["items"] = OrderedJson::array();
  for (const OrderedJson& o : objects) list["items"].push_back(o);
  return list.dump() + "\n";
}

absl::StatusOr<std::vector<OrderedJson>> ParseYamlDocuments(const std::string& text) {
  return format::YamlDocumentsToOrderedJson(text, format::YamlDialect::kKubernetes);
}

std::string KindLower(const std::string& kind) {
  std::string out = kind;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string ManifestRelativePath(const std::string& ns, const std::string& kind, const std::string& name) {
  return absl::StrCat(ns.empty() ? "_cluster" : SafeComponent(ns), "/",
                      SafeComponent(absl::StrCat(KindLower(kind), "-", name)), ".yaml");
}

}  // namespace skein::cli::output
