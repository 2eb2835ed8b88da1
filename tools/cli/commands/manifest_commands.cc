// manifests and apply: the Kubernetes objects of the local substrate (DESIGN §9), as charms and
// the user applied them.

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/manifests_output.h"

namespace skein::cli::commands {
namespace {

namespace fs = std::filesystem;
using output::OrderedJson;
using skein::v1::Controller;

const std::vector<std::string> kFormats = {"yaml", "json"};

absl::Status WriteTextFile(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create \"", path.parent_path().string(), "\": ", ec.message()));
  std::ofstream f(path, std::ios::trunc | std::ios::binary);
  if (f) f << text;
  if (f) f.close();
  if (!f) return absl::InternalError(absl::StrCat("cannot write \"", path.string(), "\""));
  return absl::OkStatus();
}

class ManifestsCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"manifests",
            "",
            "Shows the Kubernetes objects applied on the model's local substrate.",
            "Prints every object that the model's charms and `skein apply` applied, exactly as it\n"
            "would be applied to a cluster, ordered by namespace, kind and name. An object that a\n"
            "charm attaches to every namespace with a given label (a decoration, like the resource\n"
            "dispatcher's Secrets and PodDefaults) is shown once in each namespace whose Namespace\n"
            "object carries that label with the value \"true\".\n\n"
            "The default format is a multi-document YAML stream (nothing when no object is\n"
            "applied); --format json prints a kubectl-style `List`. --namespace keeps the objects\n"
            "of one namespace. --output-dir writes one file per object,\n"
            "<dir>/<namespace or _cluster>/<kind>-<name>.yaml, ready for `kubectl apply -f` or\n"
            "diff; files of objects that are no longer applied are left alone.\n",
            "    skein manifests\n"
            "    skein manifests --namespace kubeflow-user --format json\n"
            "    skein manifests --output-dir ./manifests && kubectl apply -R -f ./manifests\n",
            {},
            {"apply"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    AddFormatFlag(f, &format_, kFormats);
    f.String("--namespace", &namespace_, "Show only the objects of this namespace");
    f.String("--output-dir", &output_dir_, "Write one YAML file per object under this directory");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckFormat(format_, kFormats); !s.ok()) return s;
    if (!output_dir_.empty() && format_ != "yaml") {
      return UsageError("--output-dir writes YAML files and cannot be combined with --format json");
    }
    return CheckNoExtraArgs(args, 0);
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    skein::v1::ListManifestsRequest req;
    req.set_model(session->model());
    req.set_namespace_(namespace_);
    auto resp = session->connection->Call(&Controller::StubInterface::ListManifests, req);
    if (!resp.ok()) return resp.status();
    std::vector<OrderedJson> objects;
    for (const auto& listed : resp->manifests()) {
      OrderedJson object = OrderedJson::parse(listed.manifest().content_json(), nullptr, /*allow_exceptions=*/false);
      if (object.is_discarded()) {
        return absl::InternalError(absl::StrCat("the controller sent invalid JSON for ", listed.manifest().kind(),
                                                " \"", listed.manifest().name(), "\""));
      }
      objects.push_back(std::move(object));
    }
    if (output_dir_.empty()) {
      *env.out << (format_ == "json" ? output::JsonList(objects) : output::YamlStream(objects)) << std::flush;
      return absl::OkStatus();
    }
    for (int i = 0; i < resp->manifests_size(); ++i) {
      const auto& m = resp->manifests(i).manifest();
      fs::path path = fs::path(output_dir_) / output::ManifestRelativePath(m.namespace_(), m.kind(), m.name());
      if (auto s = WriteTextFile(path, output::ObjectToYaml(objects[i])); !s.ok()) return s;
    }
    *env.out << "Wrote " << objects.size() << (objects.size() == 1 ? " manifest" : " manifests") << " to "
             << output_dir_ << "\n";
    return absl::OkStatus();
  }

 private:
  std::string model_;
  std::string format_ = "yaml";
  std::string namespace_;
  std::string output_dir_;
};

// The manifest for one document of the file, or what is wrong with it.
absl::StatusOr<skein::v1::Manifest> ManifestOf(const OrderedJson& doc) {
  if (!doc.is_object()) return absl::InvalidArgumentError("not a mapping");
  auto text = [](const OrderedJson& o, const char* key) -> std::string {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : "";
  };
  const OrderedJson empty = OrderedJson::object();
  auto meta = doc.find("metadata");
  const OrderedJson& metadata = meta != doc.end() && meta->is_object() ? *meta : empty;
  std::vector<std::string> missing;
  if (text(doc, "apiVersion").empty()) missing.push_back("apiVersion");
  if (text(doc, "kind").empty()) missing.push_back("kind");
  if (text(metadata, "name").empty()) missing.push_back("metadata.name");
  if (!missing.empty()) return absl::InvalidArgumentError(absl::StrCat("missing ", absl::StrJoin(missing, ", ")));
  if (metadata.contains("namespace") && !metadata["namespace"].is_string()) {
    return absl::InvalidArgumentError("metadata.namespace is not a string");
  }
  skein::v1::Manifest m;
  m.set_api_version(text(doc, "apiVersion"));
  m.set_kind(text(doc, "kind"));
  m.set_name(text(metadata, "name"));
  // skein does not know which kinds are namespaced: an object without metadata.namespace is
  // kept cluster-scoped rather than put in a guessed `default` namespace.
  m.set_namespace_(text(metadata, "namespace"));
  m.set_content_json(doc.dump());
  return m;
}

class ApplyCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"apply",
            "",
            "Applies Kubernetes objects from a YAML file to the model's local substrate.",
            "Reads the objects of a YAML file (several documents separated by `---` are allowed;\n"
            "`-f -` reads standard input) and creates or replaces each of them as the user's own,\n"
            "like `kubectl apply -f`. Every document must be a mapping with apiVersion, kind and\n"
            "metadata.name; if one is not, nothing is applied. An object in a namespace needs\n"
            "metadata.namespace (skein does not default it). An object that a charm applied cannot\n"
            "be replaced. A Namespace labelled with a charm's label (for example\n"
            "`user.kubeflow.org/enabled: \"true\"`) receives that charm's decorations.\n",
            "    skein apply -f namespace.yaml\n    skein apply -m kubeflow -f profile-objects.yaml\n",
            {},
            {"manifests"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.String("-f,--filename", &filename_, "The YAML file of the objects to apply (- for standard input)");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckNoExtraArgs(args, 0); !s.ok()) return s;
    if (filename_.empty()) return UsageError("no file specified: use -f <file>");
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    // The whole file is checked before connecting, so that a bad file applies nothing.
    const std::string source = filename_ == "-" ? "standard input" : absl::StrCat("\"", filename_, "\"");
    std::string text;
    if (filename_ == "-") {
      if (env.in == nullptr) return absl::InvalidArgumentError("cannot read standard input");
      text.assign(std::istreambuf_iterator<char>(*env.in), std::istreambuf_iterator<char>());
    } else {
      std::ifstream f(filename_, std::ios::binary);
      if (!f) return absl::NotFoundError(absl::StrCat("cannot read ", source, ": ", std::strerror(errno)));
      text.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    }
    auto docs = output::ParseYamlDocuments(text);
    if (!docs.ok()) return absl::InvalidArgumentError(absl::StrCat("cannot parse ", source, ": ", docs.status().message()));
    skein::v1::ApplyUserManifestsRequest req;
    for (size_t i = 0; i < docs->size(); ++i) {
      if ((*docs)[i].is_null()) continue;  // an empty document, as a leading or trailing `---` makes
      auto manifest = ManifestOf((*docs)[i]);
      if (!manifest.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("document ", i + 1, " of ", source, ": ", manifest.status().message()));
      }
      *req.add_manifests() = std::move(*manifest);
    }
    if (req.manifests().empty()) return absl::InvalidArgumentError(absl::StrCat("no objects in ", source));

    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    req.set_model(session->model());
    auto resp = session->connection->Call(&Controller::StubInterface::ApplyUserManifests, req);
    if (!resp.ok()) return resp.status();
    for (const auto& m : req.manifests()) *env.out << output::KindLower(m.kind()) << "/" << m.name() << " applied\n";
    return absl::OkStatus();
  }

 private:
  std::string model_;
  std::string filename_;
};

}  // namespace

std::unique_ptr<Command> NewManifestsCommand() { return std::make_unique<ManifestsCommand>(); }
std::unique_ptr<Command> NewApplyCommand() { return std::make_unique<ApplyCommand>(); }

}  // namespace skein::cli::commands
