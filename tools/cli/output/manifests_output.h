#pragma once

// Kubernetes objects as `skein manifests` prints them and `skein apply` reads them. Objects keep
// the key order they were written with (a YAML file, a charm's template), so that what is printed
// reads like what was applied; hence the insertion-ordered JSON type throughout.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::cli::output {

using OrderedJson = nlohmann::ordered_json;

// One object as a YAML document (block style, keys in order, strings YAML would read as another
// type quoted), ending in one newline.
std::string ObjectToYaml(const OrderedJson& object);

// Documents joined into one YAML stream with `---` between them; "" for none.
std::string YamlStream(const std::vector<OrderedJson>& objects);

// `{"apiVersion":"v1","kind":"List","items":[...]}` and a newline, as kubectl prints a list.
std::string JsonList(const std::vector<OrderedJson>& objects);

// Every document of a YAML stream, in order and with keys in order; an empty document is null.
// YAML's plain true/false, null, integers and floats become JSON values; quoted and block
// scalars stay strings. InvalidArgument `yaml: line N, column M: ...` on a syntax error.
absl::StatusOr<std::vector<OrderedJson>> ParseYamlDocuments(const std::string& text);

// Where `skein manifests --output-dir` writes an object, relative to the directory:
// `<namespace or _cluster>/<kind lowercase>-<name>.yaml`. Path separators and `.`/`..` in the
// parts are replaced, so every file stays inside the directory.
std::string ManifestRelativePath(const std::string& ns, const std::string& kind, const std::string& name);

// `ConfigMap` -> `configmap`, as kubectl names kinds in `<kind>/<name> created`.
std::string KindLower(const std::string& kind);

}  // namespace skein::cli::output
