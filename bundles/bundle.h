#pragma once

// Bundle YAML as Juju reads it (juju-semantics §8): the data model, parsing of a bundle file with
// its multi-document overlays and `--overlay` files (§8.4 merge and removal rules), and the
// checks that need no charm metadata. Pure: no I/O besides reading the files named.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::bundles {

struct Application {
  std::string name;
  std::string charm;                 // store name (`ch:` stripped), `local:<name>`, or a path as written
  std::string charm_path;            // absolute path when `charm` is a local path, else empty
  std::string channel;               // empty = the store's default
  std::optional<int64_t> revision;
  std::string base;                  // `ubuntu@22.04`, or from `series`
  int num_units = 0;                 // `num_units`, or `scale` for kubernetes bundles
  bool scale_given = false;          // written as `scale`
  std::vector<std::string> to;
  bool expose = false;
  bool trust = false;
  // Config values as the user wrote them, converted to the strings `juju config` takes
  // (include-file:// and include-base64:// already read).
  std::map<std::string, std::string> options;
  std::map<std::string, std::string> annotations;
  std::string constraints;
  std::map<std::string, std::string> storage;
  std::map<std::string, std::string> bindings;
  std::map<std::string, std::string> resources;
};

struct EndpointRef {
  std::string application;
  std::string endpoint;  // empty = to be inferred from charm metadata
  std::string String() const { return endpoint.empty() ? application : application + ":" + endpoint; }
};

struct Bundle {
  std::string kind;          // `kubernetes` or empty (machines)
  std::string name;          // informational (`name:` key; not Juju's BundleData)
  std::string description;
  std::string default_base;
  std::map<std::string, Application> applications;
  std::vector<std::string> machines;  // machine ids
  std::vector<std::pair<EndpointRef, EndpointRef>> relations;
  std::map<std::string, std::string> saas;  // name -> offer URL
};

struct SourceFile {
  std::string text;
  std::string dir;   // where relative charm paths and include-* directives resolve
  std::string name;  // the file as the user named it, for errors ("" = "bundle")
};

// Parses the base file (document 0 = bundle, 1..n = overlays) and then each `--overlay` file's
// documents, in order, applying the overlay rules. InvalidArgument with Juju's texts, e.g.
// `cannot unmarshal bundle contents: ...`, `bundle has no applications`,
// `application "x": both scale and num_units specified`, `relation [a b c] has 3 endpoint(s), not 2`,
// `application "x" with a revision requires a channel for future upgrades, please use channel`,
// `cannot specify revision in "ch:x-5", please use revision`, `invalid placement "x"`,
// `bundle contains overlay-only field "offers" in application "x"`,
// `include-file: cannot read "path": no such file`, `application "x" in relation "y" not found`,
// the YAML budget's errors after the file's name (`bundle.yaml: YAML expands to more than ...`),
// and for an include that is not a regular file or is over limits::kIncludedFile
// `... resolving include "path": path is not a regular file (a character device)`,
// `application "x" cannot be related to itself`, `relation ["a:x", "b:y"] is defined more than once`.
absl::StatusOr<Bundle> ParseBundle(const SourceFile& base, const std::vector<SourceFile>& overlays);

}  // namespace skein::bundles
