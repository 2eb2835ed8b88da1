#pragma once

// Shared fixtures for the controller tests: temp dirs, charm archives, and a bootstrapped
// database with every domain service.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "controller/domain/application/application_service.h"
#include "controller/domain/auth/auth_service.h"
#include "controller/domain/core/db.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/hook/hook_service.h"
#include "controller/domain/log/log_service.h"
#include "controller/domain/model/model_service.h"
#include "controller/domain/relation/relation_service.h"
#include "controller/domain/status/status_service.h"
#include "controller/domain/unit/unit_service.h"
#include "lib/base/clock.h"
#include "skein/v1/common.pb.h"

namespace skein::controller::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A charm made of the given files' texts.
v1::CharmArchive MakeCharm(const std::string& metadata_yaml, const std::string& config_yaml = "");
// A charm directory from tests/testdata/charms (`kv-provider`, `kv-requirer`).
v1::CharmArchive TestCharm(const std::string& name);
// A charm as the domain gets it from the charm store: its documents parsed, and a digest of its
// files standing in for the archive's (the domain only compares digests). Fails the test when
// the charm does not parse.
domain::application::UploadedCharm Uploaded(const v1::CharmArchive& charm);

// Counts events another thread reports (claims, committed writes), so that a test waits for
// them with a deadline instead of sleeping.
class EventCounter {
 public:
  void Add() {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
    cv_.notify_all();
  }
  int count() {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }
  // Waits (in real time, up to `timeout`) until at least `n` events happened.
  bool AwaitAtLeast(int n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return count_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

// Counts the database's committed writes that touched a key (Db::SetListener).
class CommitCounter : public domain::ChangeListener, public EventCounter {
 public:
  void OnCommitted(const std::set<std::string>&) override { Add(); }
};

// A bootstrapped database (model `controller`, machine 0 at 127.0.0.1) with model `test`. Its
// time is a simulated clock: timestamps start at 2026-01-01T00:00:00Z and move only by Advance.
struct DomainEnv {
  DomainEnv();

  SimulatedClock clock;
  TempDir dir;
  std::unique_ptr<domain::Db> db;
  std::unique_ptr<domain::model::ModelService> models;
  std::unique_ptr<domain::application::ApplicationService> apps;
  std::unique_ptr<domain::relation::RelationService> relations;
  std::unique_ptr<domain::unit::UnitService> units;
  std::unique_ptr<domain::status::StatusService> status;
  std::unique_ptr<domain::log::LogService> logs;
  std::unique_ptr<domain::hook::HookService> hooks;

  // Deploys into model `test`; fails the test on error.
  void Deploy(const std::string& app, const v1::CharmArchive& charm, int units);
  // Row id of a unit of model `test` (0 when missing).
  int64_t UnitId(const std::string& unit);
  domain::UnitRow Unit(const std::string& unit);
  domain::AppRow App(const std::string& app);
  std::string Leader(const std::string& app);
  // Number of rows of a table (optionally with a WHERE clause).
  int64_t Count(const std::string& table, const std::string& where = "");
  // One hook commit carrying only relation bag changes.
  absl::StatusOr<int64_t> CommitBags(int64_t unit_id, int64_t seq, std::vector<domain::relation::BagChange> bags);
  // One commit with a single unit-bag change of `unit`.
  absl::StatusOr<int64_t> SetUnitBag(const std::string& unit, int64_t relation_id, const domain::Bag& set,
                                     int64_t seq);
};

inline constexpr char kAdminSecret[] = "admin-secret-for-tests";
inline constexpr char kMachineSecret[] = "machine-secret-for-tests";
domain::model::BootstrapConfig TestBootstrap();

// Charm texts used across tests.
inline constexpr char kDbMetadata[] =
    "name: db\nprovides:\n  db:\n    interface: mysql\npeers:\n  cluster:\n    interface: db-peers\n";
inline constexpr char kAppMetadata[] = "name: app\nrequires:\n  db:\n    interface: mysql\n";

}  // namespace skein::controller::testing
