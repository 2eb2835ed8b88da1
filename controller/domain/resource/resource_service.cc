#include "controller/domain/resource/resource_service.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "controller/domain/application/application_service.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "lib/base/time.h"
#include "lib/charm/documents.h"

namespace skein::controller::domain::resource {
namespace {

// Juju fingerprints resources with SHA-384.
std::string Sha384Hex(const std::string& content) {
  unsigned char digest[SHA384_DIGEST_LENGTH];
  SHA384(reinterpret_cast<const unsigned char*>(content.data()), content.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

// The documents of the charm row `charm_id`, as the charm store parsed them at upload.
absl::StatusOr<application::UploadedCharm> CharmOfRow(Tx& tx, int64_t charm_id) {
  auto q = sql::Prepare(tx.db(), "SELECT metadata_yaml, config_yaml, actions_yaml, sha256, size FROM charms WHERE id = ?",
                        charm_id);
  if (!q.executeStep()) return absl::InternalError(absl::StrCat("charm row ", charm_id, " is missing"));
  charm::CharmDocuments docs;
  docs.metadata_source = "metadata.yaml";
  docs.metadata_yaml = q.getColumn(0).getString();
  docs.config_yaml = q.getColumn(1).getString();
  docs.actions_yaml = q.getColumn(2).getString();
  return application::ParseUploadedCharm(docs, q.getColumn(3).getString(), q.getColumn(4).getInt64());
}

// The resource `name` the application's charm declares.
absl::StatusOr<charm::ResourceSpec> DeclaredResource(const application::UploadedCharm& charm, const std::string& name) {
  auto it = charm.metadata.resources.find(name);
  if (it == charm.metadata.resources.end()) {
    return absl::NotFoundError(absl::StrCat("charm \"", charm.metadata.name, "\" has no resource \"", name, "\""));
  }
  return it->second;
}

// The latest stored revision of the resource, with its content when `with_content`.
ResourceContent Latest(Tx& tx, int64_t app_id, const charm::ResourceSpec& spec, bool with_content) {
  ResourceContent out;
  out.info.spec = spec;
  auto q = sql::Prepare(tx.db(),
                        with_content ? "SELECT revision, size, fingerprint, created, content FROM resources "
                                       "WHERE application_id = ? AND name = ? ORDER BY revision DESC LIMIT 1"
                                     : "SELECT revision, size, fingerprint, created FROM resources "
                                       "WHERE application_id = ? AND name = ? ORDER BY revision DESC LIMIT 1",
                        app_id, spec.name);
  if (!q.executeStep()) return out;
  out.info.revision = q.getColumn(0).getInt64();
  out.info.size = q.getColumn(1).getInt64();
  out.info.fingerprint = q.getColumn(2).getString();
  out.info.created = q.getColumn(3).getString();
  if (with_content) out.content = q.getColumn(4).getString();
  return out;
}

}  // namespace

absl::StatusOr<ResourceInfo> ResourceService::Upload(const std::string& model, const std::string& application,
                                                     const std::string& name, const std::string& content,
                                                     bool upgrade_units) {
  if (content.size() > charm::kMaxResourceBytes) {
    return absl::InvalidArgumentError(absl::StrCat("resource \"", name, "\" is ", content.size(),
                                                   " bytes, over the limit of ", charm::kMaxResourceBytes, " bytes"));
  }
  ResourceInfo result;
  absl::Status s = db_->Write("upload-resource", [&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    auto app = FindApp(tx, m->id, application);
    if (!app.ok()) return app.status();
    if (app->life != Life::kAlive) return absl::FailedPreconditionError(absl::StrCat("application \"", app->name, "\" is not alive"));
    auto charm = CharmOfRow(tx, app->charm_id);
    if (!charm.ok()) return charm.status();
    auto spec = DeclaredResource(*charm, name);
    if (!spec.ok()) return absl::InvalidArgumentError(spec.status().message());
    if (spec->type == charm::ResourceType::kOciImage && content.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("resource \"", name, "\" is an oci-image: give an image reference"));
    }
    result.spec = *spec;
    result.revision = Latest(tx, app->id, *spec, false).info.revision + 1;
    result.size = static_cast<int64_t>(content.size());
    result.fingerprint = Sha384Hex(content);
    result.created = FormatRfc3339(tx.clock().WallNow());
    SQLite::Statement insert(tx.db(),
                             "INSERT INTO resources(application_id, name, revision, type, size, fingerprint, content, "
                             "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, app->id);
    insert.bind(2, name);
    insert.bind(3, result.revision);
    insert.bind(4, charm::ResourceTypeName(spec->type));
    insert.bind(5, result.size);
    insert.bind(6, result.fingerprint);
    insert.bind(7, content.data(), static_cast<int>(content.size()));  // a blob: files may hold any byte
    insert.bind(8, result.created);
    insert.exec();
    if (upgrade_units && app->charm_origin == "local") {
      // Juju bumps the charm's modified version so that units run upgrade-charm; skein's units
      // follow the charm URL, so the application moves to the next local revision of the same
      // archive, exactly as `refresh --path` with an unchanged charm would. A store charm keeps
      // its revision (moving it to a local one would change its origin): its units see the new
      // revision at their next resource-get, without upgrade-charm.
      application::RefreshArgs refresh;
      refresh.model = model;
      refresh.application = application;
      refresh.charm = std::move(*charm);
      refresh.charm_origin = "local";
      refresh.force = true;  // the endpoints are the ones the application already has
      if (auto refreshed = application::RefreshInTx(tx, refresh); !refreshed.ok()) return refreshed.status();
    }
    tx.Touch(AppKey(app->id));
    tx.Record(m->id, "application", app->name, "attach-resource");
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<ResourceService::Listing> ResourceService::List(const std::string& model,
                                                               const std::string& application) {
  Listing out;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    auto app = FindApp(tx, m->id, application);
    if (!app.ok()) return app.status();
    auto charm = CharmOfRow(tx, app->charm_id);
    if (!charm.ok()) return charm.status();
    out.charm_name = charm->metadata.name;
    for (const auto& [name, spec] : charm->metadata.resources) {
      out.resources.push_back(Latest(tx, app->id, spec, false).info);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<ResourceContent> ResourceService::FetchForUnit(int64_t unit_id, const std::string& name) {
  ResourceContent out;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto unit = FindUnitById(tx, unit_id);
    if (!unit.ok()) return unit.status();
    auto app = FindAppById(tx, unit->application_id);
    if (!app.ok()) return app.status();
    auto charm = CharmOfRow(tx, app->charm_id);
    if (!charm.ok()) return charm.status();
    auto spec = DeclaredResource(*charm, name);
    if (!spec.ok()) return spec.status();
    out = Latest(tx, app->id, *spec, true);
    if (out.info.revision == 0) {
      return absl::NotFoundError(absl::StrCat("resource \"", name, "\" of application \"", app->name,
                                              "\" has not been uploaded; attach it with: juju attach-resource ",
                                              app->name, " ", name, "=<path>"));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace skein::controller::domain::resource
