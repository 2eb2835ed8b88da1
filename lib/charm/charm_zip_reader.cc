// Reading and extracting charm archives (charm_zip.h).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/charm/archive_paths.h"
#include "lib/charm/charm_zip.h"

namespace skein::charm {
namespace {

namespace fs = std::filesystem;

// Longer link targets than the kernel's PATH_MAX cannot be links.
constexpr uint64_t kMaxLinkTarget = 4095;
// How much of a file is read from the archive and written to disk at a time.
constexpr size_t kBlock = 256 * 1024;

std::string ZipErrorText(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

absl::Status IoError(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat("cannot ", what, " ", path, ": ", std::strerror(errno)));
}

// The entry's kind and permission bits from its external attributes: a Unix zip has the mode
// in the high 16 bits; anything else gets 0755 directories and 0644 files.
void KindAndMode(bool named_as_dir, zip_uint8_t opsys, zip_uint32_t attributes, ArchiveEntry* e) {
  const uint32_t unix_mode = attributes >> 16;
  e->kind = named_as_dir ? EntryKind::kDirectory : EntryKind::kFile;
  e->mode = named_as_dir ? 0755 : 0644;
  if (opsys != ZIP_OPSYS_UNIX || unix_mode == 0) {
    if ((attributes & 0x10) != 0) e->kind = EntryKind::kDirectory;  // MS-DOS directory bit
    if (e->kind == EntryKind::kDirectory) e->mode = 0755;
    return;
  }
  if (S_ISLNK(unix_mode) && !named_as_dir) e->kind = EntryKind::kSymlink;
  if (S_ISDIR(unix_mode)) e->kind = EntryKind::kDirectory;
  if ((unix_mode & 0777) != 0) e->mode = unix_mode & 0777;
}

// Makes `root/rel` a real directory, component by component: a link or file in the way is
// replaced, so nothing below it is written through a link left on disk.
absl::Status EnsureDirectory(const fs::path& root, const std::string& rel) {
  fs::path at = root;
  for (const fs::path& part : fs::path(rel)) {
    at /= part;
    struct stat st {};
    if (::lstat(at.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) continue;
      if (::unlink(at.c_str()) != 0) return IoError("replace", at.string());
    } else if (errno != ENOENT) {
      return IoError("inspect", at.string());
    }
    if (::mkdir(at.c_str(), 0755) != 0 && errno != EEXIST) return IoError("create", at.string());
  }
  return absl::OkStatus();
}

// Puts the finished temporary `tmp` at `target`, removing a directory that was there.
absl::Status Replace(const fs::path& tmp, const fs::path& target) {
  struct stat st {};
  if (::lstat(target.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    std::error_code ec;
    fs::remove_all(target, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot replace ", target.string(), ": ", ec.message()));
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    absl::Status s = IoError("write", target.string());
    ::unlink(tmp.c_str());
    return s;
  }
  return absl::OkStatus();
}

fs::path TempBeside(const fs::path& target) {
  return target.parent_path() / absl::StrCat(".skein-extract-", target.filename().string());
}

}  // namespace

absl::StatusOr<std::unique_ptr<CharmZip>> CharmZip::Open(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return absl::NotFoundError(absl::StrCat("no charm archive at \"", path, "\""));
  int code = 0;
  ::zip* archive = zip_open(path.c_str(), ZIP_RDONLY, &code);
  if (archive == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", path, "\" is not a charm archive (zip): ", ZipErrorText(code)));
  }
  std::unique_ptr<CharmZip> charm(new CharmZip(archive));
  if (absl::Status s = charm->Index(); !s.ok()) return s;
  return charm;
}

CharmZip::~CharmZip() { zip_discard(zip_); }

absl::Status CharmZip::Index() {
  const zip_int64_t count = zip_get_num_entries(zip_, 0);
  std::map<std::string, std::string> links;
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip_, static_cast<zip_uint64_t>(i), 0, &st) != 0 || (st.valid & ZIP_STAT_NAME) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("charm archive entry ", i, " cannot be read: ",
                                                     zip_strerror(zip_)));
    }
    const std::string raw = st.name;
    ArchiveEntry e;
    e.index = static_cast<uint64_t>(i);
    auto path = NormaliseEntryPath(raw);
    if (!path.ok()) return path.status();
    e.path = *path;
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    zip_file_get_external_attributes(zip_, e.index, 0, &opsys, &attributes);
    KindAndMode(absl::EndsWith(raw, "/"), opsys, attributes, &e);
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 && st.encryption_method != ZIP_EM_NONE) {
      return absl::InvalidArgumentError(absl::StrCat("charm entry \"", raw, "\" is encrypted; pack the charm without a password"));
    }
    if ((st.valid & ZIP_STAT_SIZE) != 0) e.size = st.size;
    if (e.kind == EntryKind::kSymlink) {
      if (e.size > kMaxLinkTarget) {
        return absl::InvalidArgumentError(absl::StrCat("symlink \"", e.path, "\" has a target longer than ",
                                                       kMaxLinkTarget, " bytes"));
      }
      auto target = ReadWhole(e, kMaxLinkTarget);
      if (!target.ok()) return target.status();
      e.link_target = std::move(*target);
      links[e.path] = e.link_target;
    }
    if (by_path_.count(e.path) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("charm entry \"", e.path, "\" appears more than once"));
    }
    by_path_[e.path] = entries_.size();
    entries_.push_back(std::move(e));
  }
  // Nothing may lie below a link or a file: on disk it would be written through the link.
  for (const ArchiveEntry& e : entries_) {
    for (size_t slash = e.path.find('/'); slash != std::string::npos; slash = e.path.find('/', slash + 1)) {
      const ArchiveEntry* parent = Find(e.path.substr(0, slash));
      if (parent == nullptr || parent->kind == EntryKind::kDirectory) continue;
      return absl::InvalidArgumentError(absl::StrCat("charm entry \"", e.path, "\" lies inside ",
                                                     parent->kind == EntryKind::kSymlink ? "symlink" : "file", " \"",
                                                     parent->path, "\""));
    }
  }
  return CheckLinksStayInside(links);
}

const ArchiveEntry* CharmZip::Find(const std::string& path) const {
  auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : &entries_[it->second];
}

absl::StatusOr<std::optional<std::string>> CharmZip::ReadSmallFile(const std::string& path, const limits::Cap& cap) const {
  const ArchiveEntry* e = Find(path);
  if (e == nullptr || e->kind != EntryKind::kFile) return std::nullopt;
  if (e->size > cap.bytes) return limits::SizeError(cap, e->path, e->size);
  return ReadWhole(*e, cap.bytes);
}

absl::StatusOr<std::string> CharmZip::ReadWhole(const ArchiveEntry& e, uint64_t max_bytes) const {
  if (e.size > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(e.path, " in the charm is ", e.size,
                                                   " bytes, more than the limit of ", max_bytes, " bytes"));
  }
  zip_file_t* file = zip_fopen_index(zip_, e.index, 0);
  if (file == nullptr) {
    return absl::InternalError(absl::StrCat("cannot read ", e.path, " in the charm: ", zip_strerror(zip_)));
  }
  std::string content(e.size, '\0');
  // One byte more than announced is asked for, so that an entry whose header lies about its
  // size is caught rather than read without end.
  char probe = 0;
  uint64_t got = 0;
  zip_int64_t n = 1;
  while (got < content.size() && n > 0) {
    n = zip_fread(file, content.data() + got, content.size() - got);
    if (n > 0) got += static_cast<uint64_t>(n);
  }
  zip_int64_t extra = n >= 0 ? zip_fread(file, &probe, 1) : 0;
  std::string error = n < 0 || extra < 0 ? zip_file_strerror(file) : "";
  zip_fclose(file);
  if (n < 0 || extra < 0) return absl::InternalError(absl::StrCat("cannot read ", e.path, " in the charm: ", error));
  if (got != e.size || extra != 0) {
    return absl::InternalError(absl::StrCat("cannot read ", e.path, " in the charm: its size does not match the archive"));
  }
  return content;
}

absl::Status CharmZip::ExtractTo(const std::string& dir) const {
  const fs::path root(dir);
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  for (const ArchiveEntry& e : entries_) {
    if (e.kind != EntryKind::kDirectory) continue;
    if (absl::Status s = EnsureDirectory(root, e.path); !s.ok()) return s;
    // The owner keeps write access, or later entries could not be put inside.
    ::chmod((root / e.path).c_str(), e.mode | 0700);
  }
  std::vector<char> block(kBlock);
  for (const ArchiveEntry& e : entries_) {
    if (e.kind != EntryKind::kFile) continue;
    const fs::path target = root / e.path;
    if (absl::Status s = EnsureDirectory(root, fs::path(e.path).parent_path().string()); !s.ok()) return s;
    const fs::path tmp = TempBeside(target);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return IoError("write", tmp.string());
    zip_file_t* file = zip_fopen_index(zip_, e.index, 0);
    absl::Status status;
    if (file == nullptr) status = absl::InternalError(absl::StrCat("cannot read ", e.path, " in the charm: ", zip_strerror(zip_)));
    while (status.ok()) {
      zip_int64_t n = zip_fread(file, block.data(), block.size());
      if (n < 0) {
        // A CRC mismatch shows here, at the end of the entry.
        status = absl::InternalError(absl::StrCat("cannot read ", e.path, " in the charm: ", zip_file_strerror(file)));
        break;
      }
      if (n == 0) break;
      for (zip_int64_t off = 0; off < n && status.ok();) {
        ssize_t w = ::write(fd, block.data() + off, static_cast<size_t>(n - off));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) status = IoError("write", tmp.string());
        if (w > 0) off += w;
      }
    }
    if (file != nullptr) zip_fclose(file);
    // Mode explicitly, not through the umask: hooks must be executable exactly as packed.
    if (status.ok() && ::fchmod(fd, e.mode) != 0) status = IoError("chmod", tmp.string());
    if (::close(fd) != 0 && status.ok()) status = IoError("write", tmp.string());
    if (!status.ok()) {
      ::unlink(tmp.c_str());
      return status;
    }
    if (absl::Status s = Replace(tmp, target); !s.ok()) return s;
  }
  for (const ArchiveEntry& e : entries_) {
    if (e.kind != EntryKind::kSymlink) continue;
    const fs::path target = root / e.path;
    if (absl::Status s = EnsureDirectory(root, fs::path(e.path).parent_path().string()); !s.ok()) return s;
    const fs::path tmp = TempBeside(target);
    ::unlink(tmp.c_str());
    if (::symlink(e.link_target.c_str(), tmp.c_str()) != 0) return IoError("link", target.string());
    if (absl::Status s = Replace(tmp, target); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace skein::charm
