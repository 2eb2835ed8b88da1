#include "controller/domain/application/charm_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/limits.h"
#include "lib/charm/charm_zip.h"
#include "spdlog/spdlog.h"

namespace skein::controller::domain::application {
namespace {

namespace fs = std::filesystem;

constexpr char kSuffix[] = ".charm";

absl::Status IoError(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat("cannot ", what, " ", path, ": ", std::strerror(errno)));
}

}  // namespace

void CharmStore::MarkUsed(const std::string& path) {
  const auto since_epoch = clock_.WallNow().time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  struct timespec now {};
  now.tv_sec = static_cast<time_t>(seconds.count());
  now.tv_nsec = static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count());
  const struct timespec times[2] = {now, now};
  ::utimensat(AT_FDCWD, path.c_str(), times, 0);
}

std::chrono::seconds CharmStore::Age(const std::string& path) const {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::chrono::seconds(0);
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(clock_.WallNow().time_since_epoch()).count();
  return std::chrono::seconds(std::max<int64_t>(0, now - static_cast<int64_t>(st.st_mtime)));
}

absl::StatusOr<UploadedCharm> ParseUploadedCharm(const charm::CharmDocuments& documents, std::string sha256,
                                                 int64_t size) {
  auto parsed = charm::ParseCharmDocuments(documents);
  if (!parsed.ok()) return parsed.status();
  UploadedCharm c;
  c.metadata_yaml = documents.metadata_yaml;
  c.config_yaml = documents.config_yaml;
  c.actions_yaml = documents.actions_yaml;
  c.metadata = std::move(parsed->metadata);
  c.config = std::move(parsed->config);
  c.sha256 = std::move(sha256);
  c.size = size;
  return c;
}

absl::StatusOr<std::unique_ptr<CharmStore>> CharmStore::Open(const std::string& dir, Clock& clock) {
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "tmp", ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create the charm store ", dir, ": ", ec.message()));
  return std::unique_ptr<CharmStore>(new CharmStore(dir, clock));
}

std::string CharmStore::PathOf(const std::string& sha256) const {
  return (fs::path(dir_) / absl::StrCat(sha256, kSuffix)).string();
}

std::string CharmStore::TempPattern() const { return (fs::path(dir_) / "tmp" / "upload-XXXXXX").string(); }

CharmStore::Upload::Upload(CharmStore* store, std::string sha256, int64_t size, std::string temp_path, int fd)
    : store_(store), sha256_(std::move(sha256)), size_(size), temp_path_(std::move(temp_path)), fd_(fd) {}

CharmStore::Upload::~Upload() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

absl::Status CharmStore::Upload::Write(std::string_view chunk) {
  if (fd_ < 0) return absl::FailedPreconditionError("charm upload already finished");
  if (received_ + static_cast<int64_t>(chunk.size()) > size_) {
    return absl::InvalidArgumentError(absl::StrCat("charm upload is bigger than the ", size_, " bytes announced"));
  }
  hash_.Update(chunk);
  size_t off = 0;
  while (off < chunk.size()) {
    ssize_t n = ::write(fd_, chunk.data() + off, chunk.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("write", temp_path_);
    off += static_cast<size_t>(n);
  }
  received_ += static_cast<int64_t>(chunk.size());
  store_->MarkUsed(temp_path_);  // an upload in progress is not left over
  return absl::OkStatus();
}

absl::StatusOr<UploadedCharm> CharmStore::Upload::Finish() {
  if (fd_ < 0) return absl::FailedPreconditionError("charm upload already finished");
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return IoError("write", temp_path_);
  if (received_ != size_) {
    return absl::InvalidArgumentError(absl::StrCat("charm upload ended after ", received_, " of ", size_, " bytes"));
  }
  const std::string digest = hash_.HexDigest();
  if (digest != sha256_) {
    return absl::InvalidArgumentError(
        absl::StrCat("charm upload does not match its SHA-256: announced ", sha256_, ", received ", digest));
  }
  auto charm = store_->Adopt(temp_path_, sha256_, size_);
  if (charm.ok()) temp_path_.clear();
  return charm;
}

absl::StatusOr<std::unique_ptr<CharmStore::Upload>> CharmStore::BeginUpload(const std::string& sha256, int64_t size) {
  if (!IsSha256Hex(sha256)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid charm sha256 \"", sha256, "\": expected 64 hex digits"));
  }
  if (size < 0) return absl::InvalidArgumentError(absl::StrCat("invalid charm size ", size));
  std::string path = TempPattern();
  int fd = ::mkstemp(path.data());
  if (fd < 0) return IoError("create", path);
  MarkUsed(path);
  return std::unique_ptr<Upload>(new Upload(this, sha256, size, path, fd));
}

absl::StatusOr<UploadedCharm> CharmStore::AddArchive(const v1::CharmArchive& archive) {
  // libzip writes no file at all for an archive without entries.
  if (archive.files().empty()) {
    return absl::InvalidArgumentError("charm has no metadata.yaml or charmcraft.yaml at its root");
  }
  std::vector<charm::PackEntry> entries;
  for (const v1::CharmFile& f : archive.files()) {
    charm::PackEntry e;
    e.path = f.path();
    e.kind = f.is_symlink() ? charm::EntryKind::kSymlink : charm::EntryKind::kFile;
    e.mode = f.mode() == 0 ? 0644 : f.mode();
    e.content = f.content();
    entries.push_back(std::move(e));
  }
  std::string path = TempPattern();
  int fd = ::mkstemp(path.data());
  if (fd < 0) return IoError("create", path);
  ::close(fd);
  // libzip writes a file of its own beside `path` and renames it over, so `path` is removed on
  // every error below.
  absl::Status written = charm::WriteCharmZip(path, entries);
  absl::StatusOr<std::string> digest = written.ok() ? Sha256OfFile(path) : absl::StatusOr<std::string>(written);
  std::error_code ec;
  const int64_t size = digest.ok() ? static_cast<int64_t>(fs::file_size(path, ec)) : 0;
  absl::StatusOr<UploadedCharm> charm = digest.ok() ? Adopt(path, *digest, size) : digest.status();
  if (!charm.ok()) ::unlink(path.c_str());
  return charm;
}

absl::StatusOr<UploadedCharm> CharmStore::Adopt(const std::string& path, const std::string& sha256, int64_t size) {
  auto charm = ReadAt(path, sha256, size);
  if (!charm.ok()) return charm.status();
  ::chmod(path.c_str(), 0644);
  const std::string final_path = PathOf(sha256);
  if (::rename(path.c_str(), final_path.c_str()) != 0) return IoError("store", final_path);
  MarkUsed(final_path);
  return charm;
}

absl::StatusOr<UploadedCharm> CharmStore::ReadAt(const std::string& path, const std::string& sha256, int64_t size) {
  auto zip = charm::CharmZip::Open(path);
  if (!zip.ok()) return zip.status();
  auto documents = charm::ReadCharmDocuments([&](const std::string& name) {
    return (*zip)->ReadSmallFile(name, limits::kCharmYaml);
  });
  if (!documents.ok()) return documents.status();
  return ParseUploadedCharm(*documents, sha256, size);
}

absl::StatusOr<UploadedCharm> CharmStore::Read(const std::string& sha256) {
  if (!IsSha256Hex(sha256)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid charm sha256 \"", sha256, "\": expected 64 hex digits"));
  }
  const std::string path = PathOf(sha256);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(
        absl::StrCat("charm ", sha256, " is not in the controller's charm store; upload it first"));
  }
  // The sweep leaves the archive alone while a deploy naming it commits.
  MarkUsed(path);
  return ReadAt(path, sha256, static_cast<int64_t>(st.st_size));
}

CharmStore::SweepResult CharmStore::Sweep(const std::set<std::string>& in_use, std::chrono::seconds grace) {
  SweepResult result;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(dir_) / "tmp", ec)) {
    if (Age(entry.path().string()) < grace) continue;
    if (fs::remove(entry.path(), ec)) ++result.uploads_removed;
  }
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file(ec) || !absl::EndsWith(name, kSuffix)) continue;
    const std::string sha256 = name.substr(0, name.size() - std::strlen(kSuffix));
    if (in_use.count(sha256) != 0 || Age(entry.path().string()) < grace) continue;
    if (fs::remove(entry.path(), ec)) {
      ++result.charms_removed;
      spdlog::info("removed charm {} from the charm store: no application uses it", sha256);
    }
  }
  return result;
}

void CharmStore::StartSweeping(InUse in_use, std::chrono::seconds interval, std::chrono::seconds grace) {
  StopSweeping();
  {
    MutexLock lock(sweeper_mu_);
    sweeper_stopping_ = false;
  }
  sweeper_ = std::thread([this, in_use = std::move(in_use), interval, grace] {
    while (true) {
      {
        MutexLock lock(sweeper_mu_);
        auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sweeper_mu_) { return sweeper_stopping_; };
        if (clock_.WaitFor(sweeper_mu_, sweeper_cv_, interval, stopping)) return;
      }
      auto used = in_use();
      if (used.ok()) {
        Sweep(*used, grace);
      } else {
        spdlog::warn("charm store sweep skipped: {}", std::string(used.status().message()));
      }
    }
  });
}

void CharmStore::StopSweeping() {
  {
    MutexLock lock(sweeper_mu_);
    sweeper_stopping_ = true;
    sweeper_cv_.NotifyAll();
  }
  if (sweeper_.joinable()) sweeper_.join();
}

CharmStore::~CharmStore() { StopSweeping(); }

}  // namespace skein::controller::domain::application
