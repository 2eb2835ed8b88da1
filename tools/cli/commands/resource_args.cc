#include "tools/cli/commands/resource_args.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/file_read.h"
#include "skein/v1/resources.grpc.pb.h"

namespace skein::cli::commands {
namespace {

// The file behind a resource value: regular files only, up to the size the controller stores.
absl::StatusOr<std::string> ReadResourceFile(const std::string& path) {
  static const limits::Cap kResourceFile{charm::kMaxResourceBytes, "a resource"};
  return ReadFileCapped(path, kResourceFile);
}

bool LooksLikePath(const std::string& value) { return !value.empty() && (value[0] == '.' || value[0] == '/'); }

}  // namespace

absl::Status CheckResourceArgs(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
      return UsageError(absl::StrCat("expected \"name=value\", got \"", arg, "\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ResourceUpload>> ReadResourceArgs(
    const std::vector<std::string>& args, const std::string& charm_name,
    const std::map<std::string, charm::ResourceSpec>& declared) {
  std::vector<ResourceUpload> uploads;
  std::set<std::string> seen;
  for (const std::string& arg : args) {
    const size_t eq = arg.find('=');
    ResourceUpload upload;
    upload.name = arg.substr(0, eq);
    const std::string value = arg.substr(eq + 1);
    auto spec = declared.find(upload.name);
    if (spec == declared.end()) {
      std::vector<std::string> names;
      for (const auto& [name, unused] : declared) names.push_back(name);
      return absl::InvalidArgumentError(absl::StrCat(
          "charm \"", charm_name, "\" has no resource \"", upload.name, "\"",
          names.empty() ? std::string(" (it declares none)") : absl::StrCat(" (it declares ", absl::StrJoin(names, ", "), ")")));
    }
    if (!seen.insert(upload.name).second) {
      return absl::InvalidArgumentError(absl::StrCat("resource \"", upload.name, "\" is given twice"));
    }
    if (spec->second.type == charm::ResourceType::kFile || LooksLikePath(value)) {
      auto content = ReadResourceFile(value);
      if (!content.ok()) return content.status();
      upload.content = std::move(*content);
    } else {
      upload.content = value;
    }
    uploads.push_back(std::move(upload));
  }
  return uploads;
}

absl::StatusOr<std::map<std::string, charm::ResourceSpec>> DeclaredResources(Session& session,
                                                                             const std::string& application,
                                                                             std::string* charm_name) {
  auto stub = v1::Resources::NewStub(session.connection->channel());
  v1::ListResourcesRequest req;
  req.set_model(session.model());
  req.set_application(application);
  auto listed = session.connection->Call(*stub, &v1::Resources::Stub::ListResources, req);
  if (!listed.ok()) return listed.status();
  std::map<std::string, charm::ResourceSpec> declared;
  for (const v1::ResourceInfo& r : listed->resources()) {
    charm::ResourceSpec spec;
    spec.name = r.name();
    spec.type = charm::ParseResourceType(r.type()).value_or(charm::ResourceType::kFile);
    spec.filename = r.path();
    spec.description = r.description();
    declared[spec.name] = spec;
  }
  *charm_name = listed->charm_name();
  return declared;
}

absl::Status UploadResources(Environment& env, Session& session, const std::string& application,
                             const std::vector<ResourceUpload>& uploads, bool upgrade_units) {
  auto stub = v1::Resources::NewStub(session.connection->channel());
  for (const ResourceUpload& upload : uploads) {
    v1::UploadResourceRequest req;
    req.set_model(session.model());
    req.set_application(application);
    req.set_name(upload.name);
    req.set_content(upload.content);
    req.set_upgrade_units(upgrade_units);
    auto stored = session.connection->Call(*stub, &v1::Resources::Stub::UploadResource, req);
    if (!stored.ok()) return stored.status();
    *env.err << "Uploaded resource \"" << upload.name << "\" revision " << stored->resource().revision() << " ("
             << stored->resource().size() << " bytes)\n";
  }
  return absl::OkStatus();
}

}  // namespace skein::cli::commands
