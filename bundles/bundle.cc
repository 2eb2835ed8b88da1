#include "bundles/bundle.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "yaml-cpp/yaml.h"

namespace skein::bundles {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Keys only an overlay may carry (juju-semantics §8.4).
const char* const kOverlayOnlyAppKeys[] = {"offers", "exposed-endpoints"};

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

// YAML to JSON with every scalar kept as its text: options become the strings `juju config`
// takes, and numbers and booleans are read where the schema says so.
json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return node.Scalar();
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(ToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = ToJson(kv.second);
      return out;
    }
  }
  return nullptr;
}

bool IsEmpty(const json& j) { return j.is_null() || (j.is_object() && j.empty()) || (j.is_string() && j.get<std::string>().empty()); }

bool IsLocalPath(const std::string& charm) {
  return absl::StartsWith(charm, "./") || absl::StartsWith(charm, "../") || absl::StartsWith(charm, "/") ||
         absl::StartsWith(charm, "local:");
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid(absl::StrCat("cannot read \"", path, "\": no such file or directory"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Resolves what depends on the file a document came from: include-file:// and
// include-base64:// option values, and relative local charm paths.
absl::Status ResolveRelative(json& doc, const std::string& dir) {
  if (!doc.contains("applications") || !doc["applications"].is_object()) return absl::OkStatus();
  for (auto& [name, app] : doc["applications"].items()) {
    if (!app.is_object()) continue;
    if (app.contains("charm") && app["charm"].is_string()) {
      std::string charm = app["charm"].get<std::string>();
      if (IsLocalPath(charm) && !absl::StartsWith(charm, "local:")) {
        app["charm"] = (fs::path(dir) / charm).lexically_normal().string();
        app["_local"] = "true";
      }
    }
    if (!app.contains("options") || !app["options"].is_object()) continue;
    for (auto& [key, value] : app["options"].items()) {
      if (!value.is_string()) continue;
      std::string v = value.get<std::string>();
      for (const std::string prefix : {"include-file://", "include-base64://"}) {
        if (!absl::StartsWith(v, prefix)) continue;
        std::string path = (fs::path(dir) / v.substr(prefix.size())).lexically_normal().string();
        auto content = ReadFile(path);
        if (!content.ok()) {
          return Invalid(absl::StrCat("application \"", name, "\" option \"", key, "\": ", content.status().message()));
        }
        value = prefix == "include-file://" ? *content : absl::Base64Escape(*content);
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<json>> LoadDocuments(const SourceFile& file) {
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(file.text);
  } catch (const YAML::Exception& e) {
    return Invalid(absl::StrCat("cannot unmarshal bundle contents: yaml: line ", e.mark.line + 1, ": ", e.msg));
  }
  std::vector<json> docs;
  for (const auto& node : nodes) {
    json doc = ToJson(node);
    if (doc.is_null()) continue;  // an empty document between `---` markers
    if (!doc.is_object()) return Invalid("cannot unmarshal bundle contents: the bundle is not a YAML mapping");
    if (absl::Status s = ResolveRelative(doc, file.dir); !s.ok()) return s;
    docs.push_back(std::move(doc));
  }
  return docs;
}

// Drops every relation that names `app` (an overlay removed it).
void DropRelationsOf(json& bundle, const std::string& app) {
  if (!bundle.contains("relations") || !bundle["relations"].is_array()) return;
  json kept = json::array();
  for (const auto& rel : bundle["relations"]) {
    bool names = false;
    if (rel.is_array()) {
      for (const auto& ep : rel) {
        if (ep.is_string()) {
          std::string s = ep.get<std::string>();
          if (s.substr(0, s.find(':')) == app) names = true;
        }
      }
    }
    if (!names) kept.push_back(rel);
  }
  bundle["relations"] = kept;
}

// Merges one overlay's application (or saas) entry into the base's, key by key: scalars and
// lists overwrite, an empty map clears a map, a null value inside a map deletes that key.
void MergeEntry(json& base, const json& overlay) {
  for (const auto& [key, value] : overlay.items()) {
    if (value.is_object() && base.contains(key) && base[key].is_object() && !value.empty()) {
      for (const auto& [k, v] : value.items()) {
        if (v.is_null()) {
          base[key].erase(k);
        } else {
          base[key][k] = v;
        }
      }
    } else if (value.is_null()) {
      base.erase(key);
    } else {
      base[key] = value;
    }
  }
}

void ApplyOverlay(json& bundle, const json& overlay) {
  for (const auto& [key, value] : overlay.items()) {
    if (key == "applications" || key == "saas") {
      if (!value.is_object()) continue;
      if (!bundle.contains(key) || !bundle[key].is_object()) bundle[key] = json::object();
      for (const auto& [name, entry] : value.items()) {
        if (IsEmpty(entry)) {
          bundle[key].erase(name);
          DropRelationsOf(bundle, name);
        } else if (!bundle[key].contains(name) || !bundle[key][name].is_object()) {
          bundle[key][name] = entry;
        } else {
          MergeEntry(bundle[key][name], entry);
        }
      }
    } else if (key == "relations") {
      if (!bundle.contains("relations") || !bundle["relations"].is_array()) bundle["relations"] = json::array();
      if (value.is_array()) {
        for (const auto& r : value) bundle["relations"].push_back(r);
      }
    } else {
      bundle[key] = value;  // machines replace the whole map; series/base/description overwrite
    }
  }
}

std::string Str(const json& j) { return j.is_string() ? j.get<std::string>() : (j.is_null() ? "" : j.dump()); }

absl::StatusOr<int64_t> Int(const json& j, const std::string& what) {
  int64_t v = 0;
  if (!j.is_string() || !absl::SimpleAtoi(j.get<std::string>(), &v)) {
    return Invalid(absl::StrCat(what, " must be an integer, got ", j.dump()));
  }
  return v;
}

absl::StatusOr<bool> Bool(const json& j, const std::string& what) {
  std::string s = Str(j);
  if (s == "true" || s == "True" || s == "yes") return true;
  if (s == "false" || s == "False" || s == "no" || s.empty()) return false;
  return Invalid(absl::StrCat(what, " must be true or false, got ", j.dump()));
}

std::map<std::string, std::string> StringMap(const json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items()) out[k] = Str(v);
  return out;
}

// `(<container-type>:)?(<unit>|<machine-id>|new|<application>)` (juju-semantics §8.2).
bool ValidPlacement(const std::string& p) {
  std::string rest = p;
  if (auto colon = rest.find(':'); colon != std::string::npos) {
    std::string container = rest.substr(0, colon);
    if (container != "lxd" && container != "kvm") return false;
    rest = rest.substr(colon + 1);
  }
  if (rest.empty()) return false;
  if (rest == "new") return true;
  int64_t n = 0;
  if (absl::SimpleAtoi(rest, &n)) return n >= 0;
  for (char c : rest) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
          c == '/')) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<Application> ToApplication(const std::string& name, const json& spec, bool kubernetes) {
  Application app;
  app.name = name;
  if (!spec.is_object()) return Invalid(absl::StrCat("application \"", name, "\" is not a mapping"));
  std::string charm = spec.contains("charm") ? Str(spec["charm"]) : "";
  if (charm.empty()) return Invalid(absl::StrCat("empty charm path in application \"", name, "\""));
  if (spec.contains("_local")) {
    app.charm_path = charm;
  } else {
    if (absl::StartsWith(charm, "ch:")) charm = charm.substr(3);
    if (auto dash = charm.rfind('-'); dash != std::string::npos) {
      int64_t rev = 0;
      if (absl::SimpleAtoi(charm.substr(dash + 1), &rev)) {
        return Invalid(absl::StrCat("cannot specify revision in \"", Str(spec["charm"]), "\", please use revision"));
      }
    }
  }
  app.charm = charm;
  if (spec.contains("channel")) app.channel = Str(spec["channel"]);
  if (spec.contains("revision") && !spec["revision"].is_null()) {
    auto rev = Int(spec["revision"], absl::StrCat("application \"", name, "\" revision"));
    if (!rev.ok()) return rev.status();
    if (*rev < 0) return Invalid(absl::StrCat("negative revision ", *rev, " in application \"", name, "\""));
    app.revision = *rev;
    if (app.channel.empty() && app.charm_path.empty()) {
      return Invalid(absl::StrCat("application \"", name,
                                  "\" with a revision requires a channel for future upgrades, please use channel"));
    }
  }
  if (spec.contains("base")) app.base = Str(spec["base"]);
  if (spec.contains("series") && app.base.empty()) app.base = Str(spec["series"]);
  bool has_units = spec.contains("num_units") && !spec["num_units"].is_null();
  bool has_scale = spec.contains("scale") && !spec["scale"].is_null();
  if (has_units && has_scale) {
    return Invalid(absl::StrCat("application \"", name, "\" has both scale and num_units specified"));
  }
  if (has_units || has_scale) {
    auto n = Int(has_scale ? spec["scale"] : spec["num_units"],
                 absl::StrCat("application \"", name, "\" ", has_scale ? "scale" : "num_units"));
    if (!n.ok()) return n.status();
    if (*n < 0) return Invalid(absl::StrCat("negative number of units specified on application \"", name, "\""));
    app.num_units = static_cast<int>(*n);
    app.scale_given = has_scale;
  }
  const json* to = nullptr;
  if (spec.contains("to")) to = &spec["to"];
  if (to != nullptr && !to->is_null()) {
    if (to->is_array()) {
      for (const auto& p : *to) app.to.push_back(Str(p));
    } else {
      app.to.push_back(Str(*to));
    }
    for (const auto& p : app.to) {
      if (!ValidPlacement(p)) return Invalid(absl::StrCat("invalid placement syntax \"", p, "\""));
    }
    if (kubernetes) {
      return Invalid(absl::StrCat("placement directives on \"", name, "\" not supported for kubernetes bundles"));
    }
  }
  if (spec.contains("expose")) {
    auto b = Bool(spec["expose"], absl::StrCat("application \"", name, "\" expose"));
    if (!b.ok()) return b.status();
    app.expose = *b;
  }
  if (spec.contains("trust")) {
    auto b = Bool(spec["trust"], absl::StrCat("application \"", name, "\" trust"));
    if (!b.ok()) return b.status();
    app.trust = *b;
  }
  if (spec.contains("options")) {
    if (!spec["options"].is_object() && !spec["options"].is_null()) {
      return Invalid(absl::StrCat("application \"", name, "\" options must be a mapping"));
    }
    app.options = StringMap(spec["options"]);
  }
  if (spec.contains("annotations")) app.annotations = StringMap(spec["annotations"]);
  if (spec.contains("constraints")) app.constraints = Str(spec["constraints"]);
  if (spec.contains("storage")) app.storage = StringMap(spec["storage"]);
  if (spec.contains("bindings")) app.bindings = StringMap(spec["bindings"]);
  if (spec.contains("resources")) app.resources = StringMap(spec["resources"]);
  return app;
}

absl::StatusOr<EndpointRef> ParseEndpoint(const json& j) {
  if (!j.is_string()) return Invalid(absl::StrCat("relation endpoint ", j.dump(), " is not a string"));
  std::string s = j.get<std::string>();
  EndpointRef ref;
  auto colon = s.find(':');
  ref.application = s.substr(0, colon);
  if (colon != std::string::npos) ref.endpoint = s.substr(colon + 1);
  if (ref.application.empty() || (colon != std::string::npos && ref.endpoint.empty())) {
    return Invalid(absl::StrCat("invalid relation endpoint \"", s, "\""));
  }
  return ref;
}

}  // namespace

absl::StatusOr<Bundle> ParseBundle(const SourceFile& base, const std::vector<SourceFile>& overlays) {
  auto base_docs = LoadDocuments(base);
  if (!base_docs.ok()) return base_docs.status();
  if (base_docs->empty()) return Invalid("bundle is empty");
  json doc = (*base_docs)[0];
  if (doc.contains("services") && doc.contains("applications")) {
    return Invalid("cannot specify both applications and services");
  }
  if (doc.contains("services")) doc["applications"] = doc["services"];
  if (doc.contains("applications") && doc["applications"].is_object()) {
    for (const auto& [name, app] : doc["applications"].items()) {
      if (!app.is_object()) continue;
      for (const char* key : kOverlayOnlyAppKeys) {
        if (app.contains(key)) {
          return Invalid(absl::StrCat("\"", key, "\" is an overlay-only field and is not allowed in the base bundle (application \"",
                                      name, "\")"));
        }
      }
    }
  }
  std::vector<json> overlay_docs(base_docs->begin() + 1, base_docs->end());
  for (const auto& file : overlays) {
    auto docs = LoadDocuments(file);
    if (!docs.ok()) return docs.status();
    overlay_docs.insert(overlay_docs.end(), docs->begin(), docs->end());
  }
  for (const auto& overlay : overlay_docs) ApplyOverlay(doc, overlay);

  Bundle bundle;
  bundle.kind = doc.contains("bundle") ? Str(doc["bundle"]) : "";
  if (!bundle.kind.empty() && bundle.kind != "kubernetes") {
    return Invalid(absl::StrCat("bundle has an invalid type \"", bundle.kind, "\""));
  }
  const bool kubernetes = bundle.kind == "kubernetes";
  bundle.name = doc.contains("name") ? Str(doc["name"]) : "";
  bundle.description = doc.contains("description") ? Str(doc["description"]) : "";
  bundle.default_base = doc.contains("default-base") ? Str(doc["default-base"])
                                                     : (doc.contains("series") ? Str(doc["series"]) : "");
  if (!doc.contains("applications") || !doc["applications"].is_object() || doc["applications"].empty()) {
    return Invalid("bundle has no applications");
  }
  for (const auto& [name, spec] : doc["applications"].items()) {
    auto app = ToApplication(name, spec, kubernetes);
    if (!app.ok()) return app.status();
    bundle.applications.emplace(name, std::move(*app));
  }
  if (doc.contains("machines") && !doc["machines"].is_null()) {
    if (kubernetes) return Invalid("expected no machines for kubernetes bundles");
    if (doc["machines"].is_object()) {
      for (const auto& [id, m] : doc["machines"].items()) bundle.machines.push_back(id);
    }
  }
  if (doc.contains("saas") && doc["saas"].is_object()) {
    for (const auto& [name, s] : doc["saas"].items()) {
      bundle.saas[name] = s.is_object() && s.contains("url") ? Str(s["url"]) : "";
    }
  }
  std::set<std::string> seen;
  if (doc.contains("relations") && !doc["relations"].is_null()) {
    if (!doc["relations"].is_array()) return Invalid("relations must be a list");
    for (const auto& rel : doc["relations"]) {
      if (!rel.is_array() || rel.size() != 2) {
        return Invalid(absl::StrCat("relation ", rel.dump(), " has ", rel.is_array() ? rel.size() : 1,
                                    " endpoint(s), not 2"));
      }
      auto a = ParseEndpoint(rel[0]);
      if (!a.ok()) return a.status();
      auto b = ParseEndpoint(rel[1]);
      if (!b.ok()) return b.status();
      for (const EndpointRef* ep : {&*a, &*b}) {
        if (!bundle.applications.count(ep->application) && !bundle.saas.count(ep->application)) {
          return Invalid(absl::StrCat("relation [\"", a->String(), "\" \"", b->String(), "\"] refers to application \"",
                                      ep->application, "\" not defined in this bundle"));
        }
      }
      if (a->application == b->application) {
        return Invalid(absl::StrCat("relation [\"", a->String(), "\" \"", b->String(), "\"] relates an application to itself"));
      }
      std::string key = a->String() < b->String() ? a->String() + " " + b->String() : b->String() + " " + a->String();
      if (!seen.insert(key).second) {
        return Invalid(absl::StrCat("relation [\"", a->String(), "\" \"", b->String(), "\"] is defined more than once"));
      }
      bundle.relations.emplace_back(*a, *b);
    }
  }
  // Every declared machine must be used by some placement.
  for (const auto& id : bundle.machines) {
    bool used = false;
    for (const auto& [name, app] : bundle.applications) {
      for (const auto& p : app.to) {
        if (p == id || p.substr(p.find(':') + 1) == id) used = true;
      }
    }
    if (!used) return Invalid(absl::StrCat("machine \"", id, "\" is not referred to by a placement directive"));
  }
  return bundle;
}

}  // namespace skein::bundles
