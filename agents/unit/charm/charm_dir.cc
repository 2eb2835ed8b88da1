#include "agents/unit/charm/charm_dir.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/charm/charm_zip.h"

namespace skein::agent {
namespace {

namespace fs = std::filesystem;

absl::Status IoError(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat("cannot ", what, " ", path, ": ", std::strerror(errno)));
}

absl::Status FsError(const std::string& what, const std::string& path, const std::error_code& ec) {
  return absl::InternalError(absl::StrCat("cannot ", what, " ", path, ": ", ec.message()));
}

// The top-level names the archive puts in a charm dir (`hooks` for `hooks/install`).
std::set<std::string> TopLevelNames(const charm::CharmZip& archive) {
  std::set<std::string> names;
  for (const charm::ArchiveEntry& entry : archive.entries()) {
    std::string top = entry.path.substr(0, entry.path.find('/'));
    if (!top.empty()) names.insert(top);
  }
  return names;
}

// The names a charm dir's manifest lists; nullopt when it has none (a dir written before
// manifests existed).
std::optional<std::set<std::string>> ReadManifest(const fs::path& dir) {
  std::ifstream in(dir / kCharmManifest);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::set<std::string> names;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) names.emplace(line);
  return names;
}

absl::Status WriteManifest(const fs::path& dir, const std::set<std::string>& names) {
  std::ofstream out(dir / kCharmManifest, std::ios::trunc);
  out << absl::StrJoin(names, "\n") << "\n";
  out.close();
  if (!out) return IoError("write", (dir / kCharmManifest).string());
  return absl::OkStatus();
}

// Copies what the old charm wrote into its dir into the staged new one: every entry the old
// manifest does not list (without one, every entry the new charm does not bring). The new
// charm's own files win over anything of the same name.
absl::Status CarryOverCharmState(const fs::path& live, const fs::path& staged, const std::set<std::string>& incoming) {
  std::error_code ec;
  if (!fs::exists(live, ec)) return absl::OkStatus();
  std::optional<std::set<std::string>> old_files = ReadManifest(live);
  for (const fs::directory_entry& entry : fs::directory_iterator(live, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == kCharmManifest || incoming.count(name) > 0) continue;
    if (old_files.has_value() && old_files->count(name) > 0) continue;
    fs::copy(entry.path(), staged / name,
             fs::copy_options::recursive | fs::copy_options::copy_symlinks | fs::copy_options::overwrite_existing, ec);
    if (ec) return FsError("keep", entry.path().string(), ec);
  }
  if (ec) return FsError("read", live.string(), ec);
  return absl::OkStatus();
}

// Puts `staged` in place of `live` with one rename where the filesystem can exchange two
// directories; elsewhere with two renames, which an interrupted swap undoes on the next one
// (RecoverInterruptedSwap). Afterwards `staged` holds the old charm, or `previous` does.
absl::Status Exchange(const fs::path& staged, const fs::path& live, const fs::path& previous) {
  if (!fs::exists(live)) {
    if (::rename(staged.c_str(), live.c_str()) != 0) return IoError("install", live.string());
    return absl::OkStatus();
  }
  if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, live.c_str(), RENAME_EXCHANGE) == 0) return absl::OkStatus();
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) return IoError("swap in", live.string());
  if (::rename(live.c_str(), previous.c_str()) != 0) return IoError("move aside", live.string());
  if (::rename(staged.c_str(), live.c_str()) != 0) return IoError("install", live.string());
  return absl::OkStatus();
}

// A two-rename swap cut short leaves no charm dir and the old one aside: put it back.
absl::Status RecoverInterruptedSwap(const fs::path& live, const fs::path& previous) {
  std::error_code ec;
  if (!fs::exists(live, ec) && fs::exists(previous, ec)) {
    if (::rename(previous.c_str(), live.c_str()) != 0) return IoError("restore", live.string());
  }
  fs::remove_all(previous, ec);
  if (ec) return FsError("remove", previous.string(), ec);
  return absl::OkStatus();
}

}  // namespace

absl::Status SwapInCharm(const std::string& zip_path, const std::string& dir, const std::function<void()>& swapped) {
  const fs::path live(dir);
  const fs::path staged(dir + ".next");
  const fs::path previous(dir + ".prev");
  if (absl::Status s = RecoverInterruptedSwap(live, previous); !s.ok()) return s;
  std::error_code ec;
  fs::remove_all(staged, ec);
  if (ec) return FsError("remove", staged.string(), ec);
  auto archive = charm::CharmZip::Open(zip_path);
  if (!archive.ok()) return archive.status();
  if (absl::Status s = (*archive)->ExtractTo(staged.string()); !s.ok()) {
    fs::remove_all(staged, ec);
    return s;
  }
  const std::set<std::string> incoming = TopLevelNames(**archive);
  if (absl::Status s = WriteManifest(staged, incoming); !s.ok()) return s;
  if (absl::Status s = CarryOverCharmState(live, staged, incoming); !s.ok()) return s;
  if (absl::Status s = Exchange(staged, live, previous); !s.ok()) return s;
  if (swapped) swapped();
  fs::remove_all(staged, ec);
  fs::remove_all(previous, ec);
  return absl::OkStatus();
}

absl::Status CreateToolsDir(const std::string& tools_dir, const std::string& tool_binary,
                            const std::vector<std::string>& names) {
  std::error_code ec;
  fs::create_directories(tools_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", tools_dir, ": ", ec.message()));
  std::set<std::string> wanted(names.begin(), names.end());
  for (const auto& entry : fs::directory_iterator(tools_dir, ec)) {
    if (wanted.count(entry.path().filename().string()) == 0) fs::remove_all(entry.path(), ec);
  }
  for (const std::string& name : wanted) {
    fs::path link = fs::path(tools_dir) / name;
    std::string tmp = link.string() + ".skein-tmp";
    ::unlink(tmp.c_str());
    if (::symlink(tool_binary.c_str(), tmp.c_str()) != 0) return IoError("link", tmp);
    if (::rename(tmp.c_str(), link.c_str()) != 0) return IoError("link", link.string());
  }
  return absl::OkStatus();
}

}  // namespace skein::agent
