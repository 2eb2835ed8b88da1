// The charm store (controller/domain/application/charm_store.h): uploads in chunks checked by
// size and SHA-256, archives refused before they are kept, temporary files that never stay,
// the sweep, and archives moved out of the database.

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "controller/domain/application/charm_store.h"
#include "controller/domain/core/sql.h"
#include "gtest/gtest.h"
#include "lib/base/sha256.h"
#include "lib/charm/charm_zip.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

namespace fs = std::filesystem;
using domain::application::CharmStore;
using testing::DomainEnv;
using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A charm archive made by the packer, as bytes.
std::string Zip(const TempDir& dir, const std::vector<charm::PackEntry>& entries) {
  const std::string path = dir.path() + "/made.charm";
  EXPECT_TRUE(charm::WriteCharmZip(path, entries).ok());
  return ReadFile(path);
}

charm::PackEntry File(const std::string& path, const std::string& content) {
  charm::PackEntry e;
  e.path = path;
  e.content = content;
  return e;
}

std::unique_ptr<CharmStore> OpenStore(const TempDir& dir, Clock& clock = RealClock()) {
  auto store = CharmStore::Open(dir.path() + "/charms", clock);
  EXPECT_TRUE(store.ok()) << store.status();
  return std::move(*store);
}

int FilesIn(const std::string& dir) {
  int n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

// Sends `bytes` in chunks of `chunk` bytes, announcing `sha256` and `size`.
absl::StatusOr<domain::application::UploadedCharm> Upload(CharmStore& store, const std::string& bytes,
                                                          const std::string& sha256, int64_t size, size_t chunk) {
  auto upload = store.BeginUpload(sha256, size);
  if (!upload.ok()) return upload.status();
  for (size_t off = 0; off < bytes.size(); off += chunk) {
    if (absl::Status s = (*upload)->Write(bytes.substr(off, chunk)); !s.ok()) return s;
  }
  return (*upload)->Finish();
}

TEST(CharmStoreTest, ChunkedUploadIsVerifiedAndStoredByDigest) {
  TempDir dir;
  auto store = OpenStore(dir);
  const std::string zip = Zip(dir, {File("metadata.yaml", "name: demo\n"), File("config.yaml", "options: {}\n")});
  auto charm = Upload(*store, zip, Sha256Hex(zip), static_cast<int64_t>(zip.size()), 100);
  ASSERT_TRUE(charm.ok()) << charm.status();
  EXPECT_EQ(charm->metadata.name, "demo");
  EXPECT_EQ(charm->sha256, Sha256Hex(zip));
  EXPECT_EQ(charm->size, static_cast<int64_t>(zip.size()));
  EXPECT_EQ(ReadFile(store->PathOf(charm->sha256)), zip);
  EXPECT_EQ(FilesIn(dir.path() + "/charms/tmp"), 0);
  auto again = store->Read(charm->sha256);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->metadata.name, "demo");
}

TEST(CharmStoreTest, HashMismatchIsRefusedAndLeavesNothing) {
  TempDir dir;
  auto store = OpenStore(dir);
  const std::string zip = Zip(dir, {File("metadata.yaml", "name: demo\n")});
  const std::string wrong = Sha256Hex("something else");
  auto charm = Upload(*store, zip, wrong, static_cast<int64_t>(zip.size()), 64);
  ASSERT_FALSE(charm.ok());
  EXPECT_EQ(charm.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(charm.status().message(), "charm upload does not match its SHA-256: announced " + wrong +
                                          ", received " + Sha256Hex(zip));
  EXPECT_EQ(FilesIn(dir.path() + "/charms/tmp"), 0) << "the temporary file stayed";
  EXPECT_EQ(FilesIn(dir.path() + "/charms"), 0);
  EXPECT_EQ(store->Read(wrong).status().code(), absl::StatusCode::kNotFound);
}

TEST(CharmStoreTest, WrongSizesAndAbandonedUploadsLeaveNothing) {
  TempDir dir;
  auto store = OpenStore(dir);
  const std::string zip = Zip(dir, {File("metadata.yaml", "name: demo\n")});
  const int64_t size = static_cast<int64_t>(zip.size());
  auto longer = Upload(*store, zip + "x", Sha256Hex(zip), size, 1 << 20);
  EXPECT_EQ(longer.status().message(), "charm upload is bigger than the " + std::to_string(size) + " bytes announced");
  auto shorter = Upload(*store, zip.substr(0, 10), Sha256Hex(zip), size, 1 << 20);
  EXPECT_EQ(shorter.status().message(), "charm upload ended after 10 of " + std::to_string(size) + " bytes");
  {
    auto abandoned = store->BeginUpload(Sha256Hex(zip), size);
    ASSERT_TRUE(abandoned.ok());
    ASSERT_TRUE((*abandoned)->Write(zip.substr(0, 5)).ok());
    EXPECT_EQ(FilesIn(dir.path() + "/charms/tmp"), 1);
  }
  EXPECT_EQ(FilesIn(dir.path() + "/charms/tmp"), 0);
  EXPECT_EQ(store->BeginUpload("not-a-digest", 1).status().message(),
            "invalid charm sha256 \"not-a-digest\": expected 64 hex digits");
}

TEST(CharmStoreTest, InvalidCharmsAreNotKept) {
  TempDir dir;
  auto store = OpenStore(dir);
  charm::PackEntry link;
  link.path = "evil";
  link.kind = charm::EntryKind::kSymlink;
  link.content = "/etc/passwd";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {Zip(dir, {File("metadata.yaml", "name: demo\n"), link}), "symlink \"evil\" -> \"/etc/passwd\" points outside"},
      {Zip(dir, {File("dispatch", "#!/bin/sh\n")}), "charm has no metadata.yaml or charmcraft.yaml at its root"},
      {Zip(dir, {File("metadata.yaml", "name: demo\n"), File("actions.yaml", std::string(2 << 20, '#'))}),
       "actions.yaml (2097152 bytes) exceeds the 1 MiB limit of a charm's YAML file"},
      {"not a zip at all", "is not a charm archive (zip)"},
  };
  for (const auto& [bytes, error] : cases) {
    auto charm = Upload(*store, bytes, Sha256Hex(bytes), static_cast<int64_t>(bytes.size()), 1 << 20);
    ASSERT_FALSE(charm.ok()) << error;
    // An over-cap file is refused like every other over-cap value (lib/base/limits.h).
    const absl::StatusCode code = absl::StrContains(error, "exceeds") ? absl::StatusCode::kResourceExhausted
                                                                      : absl::StatusCode::kInvalidArgument;
    EXPECT_EQ(charm.status().code(), code) << charm.status();
    EXPECT_NE(std::string(charm.status().message()).find(error), std::string::npos) << charm.status();
  }
  EXPECT_EQ(FilesIn(dir.path() + "/charms"), 0);
  EXPECT_EQ(FilesIn(dir.path() + "/charms/tmp"), 0);
}

TEST(CharmStoreTest, SweepKeepsWhatIsUsedOrRecent) {
  TempDir dir;
  SimulatedClock clock;
  auto store = OpenStore(dir, clock);
  auto used = store->AddArchive(testing::MakeCharm("name: used\n"));
  auto unused = store->AddArchive(testing::MakeCharm("name: unused\n"));
  ASSERT_TRUE(used.ok() && unused.ok());
  auto pending = store->BeginUpload(used->sha256, 100);
  ASSERT_TRUE(pending.ok());
  clock.Advance(std::chrono::minutes(59));
  auto recent = store->Sweep({used->sha256}, std::chrono::hours(1));
  EXPECT_EQ(recent.charms_removed, 0) << "an archive a deploy may be about to name was removed";
  EXPECT_EQ(recent.uploads_removed, 0) << "an upload 59 minutes old was removed";
  clock.Advance(std::chrono::minutes(1));
  auto swept = store->Sweep({used->sha256}, std::chrono::hours(1));
  EXPECT_EQ(swept.charms_removed, 1);
  EXPECT_EQ(swept.uploads_removed, 1);
  EXPECT_TRUE(fs::exists(store->PathOf(used->sha256)));
  EXPECT_FALSE(fs::exists(store->PathOf(unused->sha256)));
}

TEST(CharmStoreTest, ArchivesInTheDatabaseMoveIntoTheStore) {
  DomainEnv env;
  env.Deploy("db", testing::MakeCharm(testing::kDbMetadata), 1);
  env.Deploy("gone", testing::MakeCharm("name: gone\n"), 0);
  // Rows as written before migration 0008: the serialized CharmArchive in `archive`.
  const std::string legacy = testing::MakeCharm(testing::kDbMetadata).SerializeAsString();
  ASSERT_TRUE(env.db->Write("legacy", [&](domain::Tx& tx) -> absl::Status {
    SQLite::Statement q(tx.db(), "UPDATE charms SET archive = ?, sha256 = 'old' WHERE name = 'db'");
    q.bind(1, legacy.data(), static_cast<int>(legacy.size()));
    q.exec();
    domain::sql::Exec(tx.db(), "UPDATE charms SET archive = X'00' WHERE name = 'gone'");
    domain::sql::Exec(tx.db(), "DELETE FROM applications WHERE name = 'gone'");
    return absl::OkStatus();
  }).ok());
  TempDir dir;
  auto store = OpenStore(dir);
  auto moved = env.apps->MoveArchivesToStore(*store);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(*moved, 1);
  EXPECT_EQ(env.Count("charms", "length(archive) > 0"), 0);
  const std::string sha256 = env.App("db").charm_sha256;
  EXPECT_NE(sha256, "old");
  auto stored = store->Read(sha256);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->metadata.name, "db");
  auto in_use = env.apps->CharmsInUse();
  ASSERT_TRUE(in_use.ok());
  EXPECT_EQ(*in_use, std::set<std::string>{sha256});
}

}  // namespace
}  // namespace skein::controller
