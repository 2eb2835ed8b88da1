#include "bundles/bundle.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/base/limits.h"
#include "lib/base/file_read.h"
#include "lib/format/yaml_budget.h"
#include "lib/format/yaml_json.h"
#include "yaml-cpp/yaml.h"

namespace skein::bundles {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Keys only an overlay may carry (juju-semantics §8.4).
const char* const kOverlayOnlyAppKeys[] = {"offers", "exposed-endpoints"};

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

std::string Str(const json& j) { return j.is_string() ? j.get<std::string>() : (j.is_null() ? "" : j.dump()); }

bool IsEmpty(const json& j) { return j.is_null() || (j.is_object() && j.empty()) || (j.is_string() && j.get<std::string>().empty()); }

bool IsLocalPath(const std::string& charm) {
  return absl::StartsWith(charm, "./") || absl::StartsWith(charm, "../") || absl::StartsWith(charm, "/") ||
         absl::StartsWith(charm, "local:");
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
        // Regular files only, and only up to a cap: `include-file:///dev/zero` must not read
        // without end, nor a FIFO wait for a writer.
        auto content = ReadFileCapped(path, limits::kIncludedFile, FileKinds::kRegularOnly);
        if (!content.ok()) {
          std::string why = absl::IsNotFound(content.status())
                                ? absl::StrCat("include file \"", path, "\" not found")
                                : std::string(content.status().message());
          return Invalid(absl::StrCat("processing option \"", key, "\" for application \"", name,
                                      "\": resolving include \"", path, "\": ", why));
        }
        value = prefix == "include-file://" ? *content : absl::Base64Escape(*content);
      }
    }
  }
  return absl::OkStatus();
}

// The index of the YAML document that holds 0-based `line` (documents start after `---`).
int DocumentAt(const std::string& text, int line) {
  int doc = 0, n = 0, seen_content = 0;
  size_t pos = 0;
  while (pos <= text.size() && n < line) {
    size_t end = text.find('\n', pos);
    std::string l = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (absl::StartsWith(l, "---")) {
      if (seen_content) ++doc;
    } else if (!l.empty() && l[0] != '#') {
      seen_content = 1;
    }
    if (end == std::string::npos) break;
    pos = end + 1;
    ++n;
  }
  return doc;
}

absl::Status Unmarshal(int doc, const std::string& message) {
  return Invalid(absl::StrCat("cannot unmarshal bundle contents: unmarshal document ", doc, ": ", message));
}

// What Juju rejects while decoding one document, before any merging.
absl::Status CheckDocument(const json& doc, int index) {
  if (!doc.contains("applications") || !doc["applications"].is_object()) return absl::OkStatus();
  for (const auto& [name, app] : doc["applications"].items()) {
    if (!app.is_object()) continue;
    if (app.contains("scale") && app.contains("num_units")) {
      return Unmarshal(index, absl::StrCat("cannot specify both scale and num_units for application \"", name, "\""));
    }
    if (app.contains("placement") && app.contains("to")) {
      return Unmarshal(index, absl::StrCat("cannot specify both placement and to for application \"", name, "\""));
    }
    if (app.contains("placement") && index == 0 && Str(doc.value("bundle", json(""))) != "kubernetes") {
      return Unmarshal(index, absl::StrCat("placement (", Str(app["placement"]), ") not valid for non-Kubernetes application \"",
                                           name, "\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<json>> LoadDocuments(const SourceFile& file) {
  format::YamlSyntaxError syntax;
  syntax.line = -1;
  absl::StatusOr<std::vector<YAML::Node>> nodes = format::LoadYamlDocuments(file.text, format::YamlBudget{}, &syntax);
  if (!nodes.ok() && syntax.line >= 0) {
    return Unmarshal(DocumentAt(file.text, syntax.line), absl::StrCat("yaml: line ", syntax.line + 1, ": ", syntax.reason));
  }
  if (!nodes.ok()) {
    return Invalid(absl::StrCat(file.name.empty() ? "bundle" : file.name, ": ", nodes.status().message()));
  }
  std::vector<json> docs;
  for (const auto& node : *nodes) {
    // Every scalar is kept as its text: options become the strings `juju config` takes, and
    // numbers and booleans are read where the schema says so.
    json doc = format::NodeToJson(node, format::YamlDialect::kText);
    if (doc.is_null()) continue;  // an empty document between `---` markers
    const int index = static_cast<int>(docs.size());
    if (!doc.is_object()) return Unmarshal(index, "the document is not a YAML mapping");
    if (absl::Status s = CheckDocument(doc, index); !s.ok()) return s;
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
  for (char c : rest) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
          c == '/')) {
      return false;
    }
  }
  return true;
}

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// Juju's names: lower-case letters, digits and single hyphens, starting with a letter.
bool ValidName(const std::string& s) {
  if (s.empty() || !std::islower(static_cast<unsigned char>(s[0]))) return false;
  char prev = 0;
  for (char c : s) {
    bool ok = std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return s.back() != '-';
}

absl::Status CheckApplicationName(const std::string& name) {
  if (ValidName(name)) return absl::OkStatus();
  for (char c : name) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      return Invalid(absl::StrCat("invalid application name \"", name, "\", unexpected uppercase character"));
    }
  }
  return Invalid(absl::StrCat("invalid application name \"", name, "\""));
}

// IPv4 or IPv6 CIDR: address/prefix with the prefix in range.
bool ValidCidr(const std::string& cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string::npos) return false;
  std::string addr = cidr.substr(0, slash);
  int prefix = 0;
  if (!absl::SimpleAtoi(cidr.substr(slash + 1), &prefix)) return false;
  if (addr.find(':') != std::string::npos) return prefix >= 0 && prefix <= 128;
  std::vector<std::string> parts = absl::StrSplit(addr, '.');
  if (parts.size() != 4) return false;
  for (const auto& part : parts) {
    int v = 0;
    if (!AllDigits(part) || !absl::SimpleAtoi(part, &v) || v > 255) return false;
  }
  return prefix >= 0 && prefix <= 32;
}

absl::StatusOr<Application> ToApplication(const std::string& name, const json& spec, bool kubernetes) {
  Application app;
  app.name = name;
  if (absl::Status s = CheckApplicationName(name); !s.ok()) return s;
  if (!spec.is_object()) return Invalid(absl::StrCat("application \"", name, "\" is not a mapping"));
  const std::string written = spec.contains("charm") ? Str(spec["charm"]) : "";
  std::string charm = written;
  if (charm.empty()) return Invalid("empty charm path");
  if (spec.contains("_local")) {
    app.charm_path = charm;
  } else {
    if (auto colon = charm.find(':'); colon != std::string::npos) {
      std::string schema = charm.substr(0, colon);
      if (schema != "ch" && schema != "local" && schema != "cs") {
        return Invalid(absl::StrCat("invalid charm URL in application \"", name, "\": cannot parse URL \"", charm,
                                    "\": schema \"", schema, "\" not valid"));
      }
      // `local:<name>` names a charm already in the model, not a store charm: keep the schema.
      if (schema != "local") charm = charm.substr(colon + 1);
    }
    const bool model_charm = absl::StartsWith(charm, "local:");
    if (auto dash = charm.rfind('-'); !model_charm && dash != std::string::npos && AllDigits(charm.substr(dash + 1))) {
      std::string url = written.find(':') == std::string::npos ? "ch:" + written : written;
      return Invalid(absl::StrCat("cannot specify revision in \"", url, "\", please use revision"));
    }
  }
  app.charm = charm;
  if (spec.contains("channel")) app.channel = Str(spec["channel"]);
  if (spec.contains("revision") && !spec["revision"].is_null()) {
    auto rev = Int(spec["revision"], absl::StrCat("application \"", name, "\" revision"));
    if (!rev.ok()) return rev.status();
    if (*rev < 0) return Invalid(absl::StrCat("the revision for application \"", name, "\" must be zero or greater"));
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
  if (has_units || has_scale) {
    auto n = Int(has_scale ? spec["scale"] : spec["num_units"],
                 absl::StrCat("application \"", name, "\" ", has_scale ? "scale" : "num_units"));
    if (!n.ok()) return n.status();
    if (*n < 0) return Invalid(absl::StrCat("negative number of units specified on application \"", name, "\""));
    if (absl::Status s = limits::CheckUnitsPerRequest(*n); !s.ok()) {
      return Invalid(absl::StrCat("application \"", name, "\" ", has_scale ? "scale" : "num_units", ": ", s.message()));
    }
    app.num_units = static_cast<int>(*n);
    app.scale_given = has_scale;
  }
  if (spec.contains("to") && !spec["to"].is_null()) {
    if (spec["to"].is_array()) {
      for (const auto& p : spec["to"]) app.to.push_back(Str(p));
    } else {
      app.to.push_back(Str(spec["to"]));
    }
  }
  if (spec.contains("placement") && !spec["placement"].is_null()) app.to.push_back(Str(spec["placement"]));
  if (kubernetes) {
    // On Kubernetes, `to`/`placement` is one node selector `key=value`.
    if (app.to.size() > 1) return Invalid(absl::StrCat("too many placement directives for application \"", name, "\""));
    for (const auto& p : app.to) {
      if (p.find('=') == std::string::npos) {
        return Invalid(absl::StrCat("expected \"key=value\", got \"", p, "\" for application \"", name, "\""));
      }
    }
  } else {
    for (const auto& p : app.to) {
      if (!ValidPlacement(p)) return Invalid(absl::StrCat("invalid placement syntax \"", p, "\""));
    }
  }
  if (spec.contains("expose")) {
    auto b = Bool(spec["expose"], absl::StrCat("application \"", name, "\" expose"));
    if (!b.ok()) return b.status();
    app.expose = *b;
  }
  if (spec.contains("exposed-endpoints") && spec["exposed-endpoints"].is_object()) {
    if (app.expose) {
      return Invalid(absl::StrCat("exposed-endpoints cannot be specified together with \"exposed:true\" in application \"",
                                  name, "\" as this poses a security risk when deploying bundles to older controllers"));
    }
    for (const auto& [endpoint, details] : spec["exposed-endpoints"].items()) {
      if (!details.is_object() || !details.contains("expose-to-cidrs") || !details["expose-to-cidrs"].is_array()) continue;
      for (const auto& cidr : details["expose-to-cidrs"]) {
        if (!ValidCidr(Str(cidr))) {
          return Invalid(absl::StrCat("invalid CIDR \"", Str(cidr), "\" for expose to CIDRs field for endpoint \"",
                                      endpoint, "\" in application \"", name, "\""));
        }
      }
    }
  }
  if (spec.contains("offers") && spec["offers"].is_object()) {
    for (const auto& [offer, details] : spec["offers"].items()) {
      if (!ValidName(offer)) return Invalid(absl::StrCat("invalid offer name \"", offer, "\" in application \"", name, "\""));
      if (!details.is_object() || !details.contains("endpoints") || !details["endpoints"].is_array()) continue;
      for (const auto& ep : details["endpoints"]) {
        if (!ValidName(Str(ep))) {
          return Invalid(absl::StrCat("invalid endpoint name \"", Str(ep), "\" for offer \"", offer,
                                      "\" in application \"", name, "\""));
        }
      }
    }
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
  if (spec.contains("storage")) {
    app.storage = StringMap(spec["storage"]);
    for (const auto& [store, directive] : app.storage) {
      if (!ValidName(store)) return Invalid(absl::StrCat("invalid storage name \"", store, "\" in application \"", name, "\""));
    }
  }
  if (spec.contains("bindings")) app.bindings = StringMap(spec["bindings"]);
  if (spec.contains("resources")) app.resources = StringMap(spec["resources"]);
  return app;
}

// `["a" "b" "c"]`: a relation as Go's %q prints a string slice.
std::string Quoted(const json& rel) {
  std::vector<std::string> parts;
  if (rel.is_array()) {
    for (const auto& ep : rel) parts.push_back(absl::StrCat("\"", Str(ep), "\""));
  } else {
    parts.push_back(absl::StrCat("\"", Str(rel), "\""));
  }
  return absl::StrCat("[", absl::StrJoin(parts, " "), "]");
}

absl::StatusOr<EndpointRef> ParseEndpoint(const json& j) {
  const std::string s = Str(j);
  EndpointRef ref;
  auto colon = s.find(':');
  ref.application = s.substr(0, colon);
  if (colon != std::string::npos) ref.endpoint = s.substr(colon + 1);
  if (!j.is_string() || !ValidName(ref.application) || (colon != std::string::npos && !ValidName(ref.endpoint))) {
    return Invalid(absl::StrCat("invalid relation syntax \"", s, "\""));
  }
  return ref;
}

}  // namespace

absl::StatusOr<Bundle> ParseBundle(const SourceFile& base, const std::vector<SourceFile>& overlays) {
  auto base_docs = LoadDocuments(base);
  if (!base_docs.ok()) return base_docs.status();
  if (base_docs->empty()) return Invalid("malformed bundle: bundle is empty not valid");
  json doc = (*base_docs)[0];
  if (doc.contains("services") && doc.contains("applications")) {
    return Invalid("cannot specify both applications and services");
  }
  if (doc.contains("services")) doc["applications"] = doc["services"];
  if (doc.contains("applications") && doc["applications"].is_object()) {
    for (const auto& [name, app] : doc["applications"].items()) {
      if (IsEmpty(app)) return Invalid(absl::StrCat("base application \"", name, "\" has no body"));
      if (!app.is_object()) continue;
      for (const char* key : kOverlayOnlyAppKeys) {
        if (app.contains(key)) {
          return Invalid(absl::StrCat("applications.", name, ".", key, " can only appear in an overlay section"));
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
    return Invalid("at least one application must be specified");
  }
  if (doc.contains("saas") && doc["saas"].is_object()) {
    for (const auto& [name, s] : doc["saas"].items()) {
      std::string url = s.is_object() && s.contains("url") ? Str(s["url"]) : "";
      // An offer URL is `[controller:][user/]model.offer`.
      std::string path = url.substr(url.find(':') == std::string::npos ? 0 : url.find(':') + 1);
      bool valid = !path.empty() && path.find('.') != std::string::npos && std::islower(static_cast<unsigned char>(path[0]));
      if (!valid) return Invalid(absl::StrCat("invalid offer URL \"", url, "\" for SAAS ", name));
      bundle.saas[name] = url;
    }
  }
  for (const auto& [name, spec] : doc["applications"].items()) {
    if (bundle.saas.count(name)) {
      return Invalid(absl::StrCat("application \"", name, "\" already exists with SAAS \"", name, "\" name"));
    }
    auto app = ToApplication(name, spec, kubernetes);
    if (!app.ok()) return app.status();
    bundle.applications.emplace(name, std::move(*app));
  }
  if (doc.contains("machines") && !doc["machines"].is_null()) {
    if (kubernetes) return Invalid("bundle machines not valid for Kubernetes bundles");
    if (doc["machines"].is_object()) {
      for (const auto& [id, m] : doc["machines"].items()) {
        if (!AllDigits(id)) return Invalid(absl::StrCat("invalid machine id \"", id, "\" found in machines"));
        bundle.machines.push_back(id);
      }
    }
  }
  // Machine placements: machines the bundle defines, units of its applications, enough units.
  if (!kubernetes) {
    for (const auto& [name, app] : bundle.applications) {
      if (static_cast<int>(app.to.size()) > std::max(app.num_units, 1)) {
        return Invalid(absl::StrCat("too many units specified in unit placement for application \"", name, "\""));
      }
      for (const auto& p : app.to) {
        std::string target = p.substr(p.find(':') == std::string::npos ? 0 : p.find(':') + 1);
        if (target == "new") continue;
        if (AllDigits(target)) {
          if (std::find(bundle.machines.begin(), bundle.machines.end(), target) == bundle.machines.end()) {
            return Invalid(absl::StrCat("placement \"", p, "\" refers to a machine not defined in this bundle"));
          }
          continue;
        }
        std::string target_app = target.substr(0, target.find('/'));
        auto it = bundle.applications.find(target_app);
        if (it == bundle.applications.end()) {
          return Invalid(absl::StrCat("placement \"", p, "\" refers to an application not defined in this bundle"));
        }
        if (auto slash = target.find('/'); slash != std::string::npos) {
          int64_t unit = 0;
          if (absl::SimpleAtoi(target.substr(slash + 1), &unit) && unit >= it->second.num_units) {
            return Invalid(absl::StrCat("placement \"", p, "\" specifies a unit greater than the ", it->second.num_units,
                                        " unit(s) started by the target application"));
          }
        }
      }
    }
    // Every declared machine must be used by some placement.
    for (const auto& id : bundle.machines) {
      bool used = false;
      for (const auto& [name, app] : bundle.applications) {
        for (const auto& p : app.to) {
          if (p.substr(p.find(':') == std::string::npos ? 0 : p.find(':') + 1) == id) used = true;
        }
      }
      if (!used) return Invalid(absl::StrCat("machine \"", id, "\" is not referred to by a placement directive"));
    }
  }
  std::set<std::string> seen;
  if (doc.contains("relations") && !doc["relations"].is_null()) {
    if (!doc["relations"].is_array()) return Invalid("relations must be a list");
    for (const auto& rel : doc["relations"]) {
      if (!rel.is_array() || rel.size() != 2) {
        return Invalid(absl::StrCat("relation ", Quoted(rel), " has ", rel.is_array() ? rel.size() : 1,
                                    " endpoint(s), not 2"));
      }
      auto a = ParseEndpoint(rel[0]);
      if (!a.ok()) return a.status();
      auto b = ParseEndpoint(rel[1]);
      if (!b.ok()) return b.status();
      for (const EndpointRef* ep : {&*a, &*b}) {
        if (!bundle.applications.count(ep->application) && !bundle.saas.count(ep->application)) {
          return Invalid(absl::StrCat("relation ", Quoted(rel), " refers to application \"", ep->application,
                                      "\" not defined in this bundle"));
        }
      }
      if (a->application == b->application) {
        return Invalid(absl::StrCat("relation ", Quoted(rel), " relates an application to itself"));
      }
      std::string key = a->String() < b->String() ? a->String() + " " + b->String() : b->String() + " " + a->String();
      if (!seen.insert(key).second) return Invalid(absl::StrCat("relation ", Quoted(rel), " is defined more than once"));
      bundle.relations.emplace_back(*a, *b);
    }
  }
  return bundle;
}

}  // namespace skein::bundles
