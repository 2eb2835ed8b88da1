// Packing charm archives (charm_zip.h).

#include <sys/stat.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "lib/charm/charm_zip.h"

namespace skein::charm {
namespace {

namespace fs = std::filesystem;

// 1980-01-02 UTC: every entry gets this time (the zip format cannot go below 1980), so that
// packing the same files twice gives the same archive.
constexpr time_t kEntryTime = 315619200;

uint32_t TypeBits(EntryKind kind) {
  switch (kind) {
    case EntryKind::kDirectory:
      return S_IFDIR;
    case EntryKind::kSymlink:
      return S_IFLNK;
    case EntryKind::kFile:
      break;
  }
  return S_IFREG;
}

}  // namespace

absl::Status WriteCharmZip(const std::string& out_path, const std::vector<PackEntry>& entries) {
  int code = 0;
  ::zip* archive = zip_open(out_path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (archive == nullptr) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    absl::Status s = absl::InternalError(absl::StrCat("cannot write ", out_path, ": ", zip_error_strerror(&error)));
    zip_error_fini(&error);
    return s;
  }
  auto fail = [&](const std::string& what) {
    absl::Status s = absl::InternalError(absl::StrCat("cannot pack ", what, " into ", out_path, ": ", zip_strerror(archive)));
    zip_discard(archive);
    return s;
  };
  for (const PackEntry& e : entries) {
    zip_int64_t index;
    if (e.kind == EntryKind::kDirectory) {
      index = zip_dir_add(archive, e.path.c_str(), ZIP_FL_ENC_UTF_8);
    } else {
      // Sources read lazily, when zip_close writes the archive: a big file is streamed from disk.
      zip_source_t* source = e.source_path.empty() || e.kind == EntryKind::kSymlink
                                 ? zip_source_buffer(archive, e.content.data(), e.content.size(), 0)
                                 : zip_source_file(archive, e.source_path.c_str(), 0, 0);
      if (source == nullptr) return fail(e.path);
      index = zip_file_add(archive, e.path.c_str(), source, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
      if (index < 0) {
        zip_source_free(source);
        return fail(e.path);
      }
      if (e.kind == EntryKind::kSymlink && zip_set_file_compression(archive, index, ZIP_CM_STORE, 0) != 0) {
        return fail(e.path);
      }
    }
    if (index < 0) return fail(e.path);
    const uint32_t mode = TypeBits(e.kind) | (e.kind == EntryKind::kSymlink ? 0777 : (e.mode & 0777));
    if (zip_file_set_external_attributes(archive, index, 0, ZIP_OPSYS_UNIX, mode << 16) != 0 ||
        zip_file_set_mtime(archive, index, kEntryTime, 0) != 0) {
      return fail(e.path);
    }
  }
  if (zip_close(archive) != 0) return fail("the charm");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PackEntry>> ListCharmDir(const std::string& dir) {
  std::vector<PackEntry> entries;
  const fs::path root(dir);
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot read ", dir, ": ", ec.message()));
  for (auto end = fs::recursive_directory_iterator(); it != end; it.increment(ec)) {
    if (ec) return absl::InternalError(absl::StrCat("cannot read ", dir, ": ", ec.message()));
    const fs::path full = it->path();
    const std::string name = full.filename().string();
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0) {
      return absl::InternalError(absl::StrCat("cannot read ", full.string(), ": ", std::strerror(errno)));
    }
    PackEntry e;
    e.path = full.lexically_relative(root).generic_string();
    e.mode = st.st_mode & 0777;
    if (S_ISLNK(st.st_mode)) {
      e.kind = EntryKind::kSymlink;
      e.content = fs::read_symlink(full, ec).string();
      if (ec) return absl::InternalError(absl::StrCat("cannot read link ", full.string(), ": ", ec.message()));
    } else if (S_ISDIR(st.st_mode)) {
      if (name == ".git") {
        it.disable_recursion_pending();
        continue;
      }
      e.kind = EntryKind::kDirectory;
    } else if (S_ISREG(st.st_mode)) {
      if (name == ".unit-state.db") continue;
      e.source_path = full.string();
    } else {
      continue;  // sockets, fifos and devices are no part of a charm
    }
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(), [](const PackEntry& a, const PackEntry& b) { return a.path < b.path; });
  return entries;
}

}  // namespace skein::charm
