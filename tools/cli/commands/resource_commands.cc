// attach-resource and resources (issue 15): an application's charm resources, uploaded and
// listed through the Resources service (proto/skein/v1/resources.proto).

#include "absl/strings/str_cat.h"
#include "lib/base/names.h"
#include "skein/v1/resources.grpc.pb.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/commands/resource_args.h"
#include "tools/cli/output/table.h"

namespace skein::cli::commands {
namespace {

// attach-resource <application> <name>=<file|image>
class AttachResourceCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"attach-resource",
            "<application> <resource name>=<file path|image>",
            "Update a resource for an application.",
            "Uploads a new revision of one of the application's resources (declared under\n"
            "`resources:` in its charm's metadata): a file resource takes a file path, an\n"
            "oci-image resource an image reference (or a file with the image's details when the\n"
            "value starts with \".\" or \"/\"). Every unit of the application then runs\n"
            "upgrade-charm once, as Juju does, and `resource-get` hands out the new revision. skein\n"
            "triggers that upgrade by moving the application to the next local revision of the\n"
            "same charm archive, so its charm revision in status goes up by one.\n",
            "    skein attach-resource web payload=./site.tar.gz\n"
            "    skein attach-resource web image=redis:7\n",
            {},
            {"resources", "deploy", "refresh"}};
  }
  void SetFlags(FlagSet& f) override { AddModelFlag(f, &model_); }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("missing application name");
    if (args.size() < 2) return UsageError("missing resource");
    if (auto s = CheckNoExtraArgs(args, 2); !s.ok()) return s;
    application_ = args[0];
    if (!IsValidApplicationName(application_)) {
      return UsageError(absl::StrCat("invalid application name \"", application_, "\""));
    }
    resources_ = {args[1]};
    return CheckResourceArgs(resources_);
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    std::string charm_name;
    auto declared = DeclaredResources(*session, application_, &charm_name);
    if (!declared.ok()) return declared.status();
    auto uploads = ReadResourceArgs(resources_, charm_name, *declared);
    if (!uploads.ok()) return uploads.status();
    return UploadResources(env, *session, application_, *uploads, /*upgrade_units=*/true);
  }

 private:
  std::string model_;
  std::string application_;
  std::vector<std::string> resources_;
};

// One resource in the shape of Juju's `resources --format json|yaml`.
nlohmann::json ResourceDocument(const std::string& application, const v1::ResourceInfo& r) {
  nlohmann::json doc = {{"resourceid", absl::StrCat(application, "/", r.name())},
                        {"applicationId", application},
                        {"name", r.name()},
                        {"type", r.type()},
                        {"path", r.path()},
                        {"fingerprint", r.fingerprint()},
                        {"size", r.size()},
                        {"origin", r.origin()},
                        {"used", r.revision() > 0}};
  if (!r.description().empty()) doc["description"] = r.description();
  if (r.revision() > 0) {
    doc["revision"] = std::to_string(r.revision());
    doc["timestamp"] = r.timestamp();
    doc["username"] = "admin";
  }
  return doc;
}

// resources <application|unit>
class ResourcesCommand : public ModelQueryCommand {
 public:
  ResourcesCommand() : ModelQueryCommand({"tabular", "json", "yaml"}) {}
  CommandInfo Info() const override {
    return {"resources",
            "<application or unit>",
            "Show the resources for an application or unit.",
            "Lists every resource the application's charm declares, with the revision uploaded\n"
            "(deploy --resource, attach-resource), or \"-\" when there is none yet. For a unit, the\n"
            "resources of its application, which its resource-get hands out.\n",
            "    skein resources web\n"
            "    skein resources web/0 --format json\n",
            {"list-resources"},
            {"attach-resource"}};
  }

 protected:
  absl::Status InitArgs(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("missing application or unit name");
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    if (args[0].find('/') != std::string::npos) {
      auto unit = ParseUnitName(args[0]);
      if (!unit.ok()) return UsageError(std::string(unit.status().message()));
      application_ = unit->application;
      unit_ = true;
    } else {
      application_ = args[0];
      if (!IsValidApplicationName(application_)) {
        return UsageError(absl::StrCat("invalid application name \"", application_, "\""));
      }
    }
    return absl::OkStatus();
  }
  absl::Status Query(Environment& env, Session& session) override {
    auto stub = v1::Resources::NewStub(session.connection->channel());
    v1::ListResourcesRequest req;
    req.set_model(session.model());
    req.set_application(application_);
    auto listed = session.connection->Call(*stub, &v1::Resources::Stub::ListResources, req);
    if (!listed.ok()) return listed.status();
    if (format() != "tabular") {
      nlohmann::json list = nlohmann::json::array();
      for (const v1::ResourceInfo& r : listed->resources()) list.push_back(ResourceDocument(application_, r));
      nlohmann::json doc = nlohmann::json::object();
      if (!list.empty()) doc["resources"] = list;
      return PrintData(env, doc);
    }
    if (listed->resources().empty()) {
      *env.err << "No resources to display.\n";
      return absl::OkStatus();
    }
    output::Table table(env.ColorStdout());
    if (unit_) {
      table.AddHeader({"Resource", "Revision"});
    } else {
      table.AddHeader({"Resource", "Supplied by", "Revision"});
    }
    for (const v1::ResourceInfo& r : listed->resources()) {
      const std::string revision = r.revision() > 0 ? std::to_string(r.revision()) : "-";
      if (unit_) {
        table.AddRow({r.name(), revision});
      } else {
        table.AddRow({r.name(), r.revision() > 0 ? "admin" : "-", revision});
      }
    }
    return PrintText(env, table.Render());
  }

 private:
  std::string application_;
  bool unit_ = false;
};

}  // namespace

std::unique_ptr<Command> NewAttachResourceCommand() { return std::make_unique<AttachResourceCommand>(); }
std::unique_ptr<Command> NewResourcesCommand() { return std::make_unique<ResourcesCommand>(); }

}  // namespace skein::cli::commands
