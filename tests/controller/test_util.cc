#include "tests/controller/test_util.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "controller/domain/core/sql.h"
#include "gtest/gtest.h"
#include "lib/base/credential.h"
#include "lib/base/sha256.h"
#include "lib/charm/documents.h"

namespace skein::controller::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "skein-controller-test-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  path_ = made ? made : "";
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

v1::CharmArchive MakeCharm(const std::string& metadata_yaml, const std::string& config_yaml) {
  v1::CharmArchive archive;
  v1::CharmFile* md = archive.add_files();
  md->set_path("metadata.yaml");
  md->set_mode(0644);
  md->set_content(metadata_yaml);
  if (!config_yaml.empty()) {
    v1::CharmFile* cfg = archive.add_files();
    cfg->set_path("config.yaml");
    cfg->set_mode(0644);
    cfg->set_content(config_yaml);
  }
  return archive;
}

v1::CharmArchive TestCharm(const std::string& name) {
  namespace fs = std::filesystem;
  v1::CharmArchive archive;
  fs::path root = fs::path(SKEIN_TESTDATA_DIR) / "charms" / name;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    v1::CharmFile* f = archive.add_files();
    f->set_path(fs::relative(entry.path(), root).string());
    f->set_mode(static_cast<uint32_t>(fs::status(entry.path()).permissions()) & 0777);
    f->set_content(text.str());
  }
  return archive;
}

domain::application::UploadedCharm Uploaded(const v1::CharmArchive& charm) {
  auto documents = charm::ReadCharmDocuments([&](const std::string& name) -> absl::StatusOr<std::optional<std::string>> {
    for (const v1::CharmFile& f : charm.files()) {
      if (f.path() == name && !f.is_symlink()) return f.content();
    }
    return std::nullopt;
  });
  EXPECT_TRUE(documents.ok()) << documents.status();
  if (!documents.ok()) return {};
  auto uploaded = domain::application::ParseUploadedCharm(*documents, Sha256Hex(charm.SerializeAsString()),
                                                          static_cast<int64_t>(charm.ByteSizeLong()));
  EXPECT_TRUE(uploaded.ok()) << uploaded.status();
  return uploaded.ok() ? *uploaded : domain::application::UploadedCharm{};
}

domain::model::BootstrapConfig TestBootstrap() {
  domain::model::BootstrapConfig cfg;
  cfg.controller_name = "local";
  cfg.controller_uuid = "00000000-0000-4000-8000-000000000001";
  cfg.admin_credential_hash = HashCredential(kAdminSecret);
  cfg.machine0_credential_hash = HashCredential(kMachineSecret);
  cfg.machine0_hostname = "testhost";
  cfg.machine0_address = "127.0.0.1";
  return cfg;
}

DomainEnv::DomainEnv() {
  auto opened = domain::Db::Open(dir.path() + "/controller.db", clock);
  EXPECT_TRUE(opened.ok()) << opened.status();
  db = std::move(*opened);
  models = std::make_unique<domain::model::ModelService>(db.get());
  apps = std::make_unique<domain::application::ApplicationService>(db.get());
  relations = std::make_unique<domain::relation::RelationService>(db.get());
  hooks = std::make_unique<domain::hook::HookService>(db.get());
  units = std::make_unique<domain::unit::UnitService>(db.get());
  status = std::make_unique<domain::status::StatusService>(db.get());
  logs = std::make_unique<domain::log::LogService>(db.get());
  auto boot = models->Bootstrap(TestBootstrap());
  EXPECT_TRUE(boot.ok() && *boot) << boot.status();
  auto model = models->AddModel("test");
  EXPECT_TRUE(model.ok()) << model.status();
}

void DomainEnv::Deploy(const std::string& app, const v1::CharmArchive& charm, int n) {
  domain::application::DeployArgs args;
  args.model = "test";
  args.application = app;
  args.charm = Uploaded(charm);
  args.num_units = n;
  auto result = apps->Deploy(args);
  ASSERT_TRUE(result.ok()) << result.status();
}

domain::UnitRow DomainEnv::Unit(const std::string& unit) {
  domain::UnitRow row;
  absl::Status s = db->Read([&](domain::Tx& tx) -> absl::Status {
    auto m = domain::FindModel(tx, "test");
    if (!m.ok()) return m.status();
    auto u = domain::FindUnit(tx, m->id, unit);
    if (!u.ok()) return u.status();
    row = *u;
    return absl::OkStatus();
  });
  (void)s;
  return row;
}

int64_t DomainEnv::UnitId(const std::string& unit) { return Unit(unit).id; }

domain::AppRow DomainEnv::App(const std::string& app) {
  domain::AppRow row;
  absl::Status s = db->Read([&](domain::Tx& tx) -> absl::Status {
    auto m = domain::FindModel(tx, "test");
    if (!m.ok()) return m.status();
    auto a = domain::FindApp(tx, m->id, app);
    if (!a.ok()) return a.status();
    row = *a;
    return absl::OkStatus();
  });
  (void)s;
  return row;
}

std::string DomainEnv::Leader(const std::string& app) { return App(app).leader_unit; }

int64_t DomainEnv::Count(const std::string& table, const std::string& where) {
  int64_t n = -1;
  absl::Status s = db->Read([&](domain::Tx& tx) -> absl::Status {
    std::string q = "SELECT COUNT(*) FROM " + table + (where.empty() ? "" : " WHERE " + where);
    n = domain::sql::QueryInt(tx.db(), -1, q.c_str());
    return absl::OkStatus();
  });
  (void)s;
  return n;
}

absl::StatusOr<int64_t> DomainEnv::SetUnitBag(const std::string& unit, int64_t relation_id, const domain::Bag& set,
                                              int64_t seq) {
  domain::relation::BagChange change;
  change.relation_id = relation_id;
  change.set = set;
  return CommitBags(UnitId(unit), seq, {change});
}

absl::StatusOr<int64_t> DomainEnv::CommitBags(int64_t unit_id, int64_t seq,
                                              std::vector<domain::relation::BagChange> bags) {
  domain::hook::HookCommit commit;
  commit.commit_seq = seq;
  commit.bags = std::move(bags);
  return hooks->Commit(unit_id, commit);
}

}  // namespace skein::controller::testing
