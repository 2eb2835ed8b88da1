#pragma once

// The controller's charm store: every charm archive (a zip, as `charmcraft pack` makes it) as a
// file named by its SHA-256, `<dir>/<sha256>.charm`. Archives arrive in chunks (UploadCharm)
// and are hashed while they are written to a temporary file under `<dir>/tmp`; only an archive
// whose size and digest match what the client announced, and that is a valid charm, is renamed
// into place. Nothing here holds a whole archive in memory. The database keeps only a charm's
// metadata, digest and size (charms.sha256, charms.size).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/statusor.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"
#include "lib/base/sha256.h"
#include "lib/charm/config.h"
#include "lib/charm/documents.h"
#include "lib/charm/metadata.h"
#include "skein/v1/common.pb.h"

namespace skein::controller::domain::application {

// A charm in the store, with what the controller reads from it.
struct UploadedCharm {
  std::string metadata_yaml;
  std::string config_yaml;
  std::string actions_yaml;
  charm::Metadata metadata;
  charm::ConfigSchema config;
  std::string sha256;  // hex digest of the archive: its name in the store
  int64_t size = 0;    // bytes
};

// The documents of a charm parsed into an UploadedCharm (errors as charm::ParseCharmDocuments).
absl::StatusOr<UploadedCharm> ParseUploadedCharm(const charm::CharmDocuments& documents, std::string sha256,
                                                 int64_t size);

class CharmStore {
 public:
  // Creates `dir` and `dir/tmp`. Internal when it cannot. Ages and the sweep's period are
  // measured on `clock`: every file the store writes or reads gets its modification time from
  // it, so that the sweep compares times of one clock.
  static absl::StatusOr<std::unique_ptr<CharmStore>> Open(const std::string& dir, Clock& clock);

  // One archive arriving in chunks. Destroying it before a successful Finish removes what was
  // written.
  class Upload {
   public:
    ~Upload();
    Upload(const Upload&) = delete;
    Upload& operator=(const Upload&) = delete;

    // Appends and hashes a chunk. InvalidArgument `charm upload is bigger than the N bytes
    // announced`; Internal on a write error.
    absl::Status Write(std::string_view chunk);
    // Verifies size and digest, checks the archive (CharmStore::Read's errors), and moves it
    // into the store. InvalidArgument `charm upload ended after N of M bytes` or `charm upload
    // does not match its SHA-256: announced X, received Y`.
    absl::StatusOr<UploadedCharm> Finish();

   private:
    friend class CharmStore;
    Upload(CharmStore* store, std::string sha256, int64_t size, std::string temp_path, int fd);

    CharmStore* store_;
    const std::string sha256_;
    const int64_t size_;
    std::string temp_path_;  // "" once moved into the store
    int fd_;
    int64_t received_ = 0;
    Sha256 hash_;
  };

  // InvalidArgument `invalid charm sha256 "x"` or a negative size; Internal when no temporary
  // file can be made.
  absl::StatusOr<std::unique_ptr<Upload>> BeginUpload(const std::string& sha256, int64_t size);

  // Packs a charm sent inline (DeployRequest.charm, the format before archives) into the store.
  absl::StatusOr<UploadedCharm> AddArchive(const v1::CharmArchive& archive);

  // The stored charm with this digest, read and checked again; marks it as just used, so the
  // sweep gives a deploy that names it time to commit. NotFound `charm <sha256> is not in the
  // controller's charm store; upload it first`; InvalidArgument for an archive that is not a
  // valid charm (its entries, a missing or oversized document, metadata that does not parse).
  absl::StatusOr<UploadedCharm> Read(const std::string& sha256);

  // `<dir>/<sha256>.charm` (whether or not it exists).
  std::string PathOf(const std::string& sha256) const;

  struct SweepResult {
    int charms_removed = 0;
    int uploads_removed = 0;
  };
  // Removes archives whose digest is not in `in_use` and temporary upload files, each only when
  // untouched for at least `grace` (an upload in progress, or one a deploy is about to name,
  // is newer).
  SweepResult Sweep(const std::set<std::string>& in_use, std::chrono::seconds grace);

  // Sweeps every `interval` on a thread of its own, asking `in_use` each time (a sweep is
  // skipped when it fails), until StopSweeping or destruction.
  using InUse = std::function<absl::StatusOr<std::set<std::string>>()>;
  void StartSweeping(InUse in_use, std::chrono::seconds interval, std::chrono::seconds grace);
  void StopSweeping();
  ~CharmStore();

 private:
  CharmStore(std::string dir, Clock& clock) : dir_(std::move(dir)), clock_(clock) {}
  // Sets the file's modification time to now, which is what the sweep's grace counts from.
  void MarkUsed(const std::string& path);
  // How long ago the file was last written or marked used.
  std::chrono::seconds Age(const std::string& path) const;
  // Checks the archive at `path` and moves it to PathOf(sha256).
  absl::StatusOr<UploadedCharm> Adopt(const std::string& path, const std::string& sha256, int64_t size);
  absl::StatusOr<UploadedCharm> ReadAt(const std::string& path, const std::string& sha256, int64_t size);
  std::string TempPattern() const;

  const std::string dir_;
  Clock& clock_;
  Mutex sweeper_mu_;
  CondVar sweeper_cv_;
  bool sweeper_stopping_ ABSL_GUARDED_BY(sweeper_mu_) = false;
  std::thread sweeper_;  // started and joined by the owner's thread only
};

}  // namespace skein::controller::domain::application
