#include "tools/cli/client/charm_dir.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/base/file_read.h"
#include "lib/charm/metadata.h"
#include "lib/format/yaml_budget.h"
#include "yaml-cpp/yaml.h"

namespace skein::cli::client {
namespace fs = std::filesystem;
namespace {

constexpr char kDefaultBase[] = "ubuntu@22.04";

absl::StatusOr<std::string> ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return absl::InternalError(absl::StrCat("cannot read ", p.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A charm file loaded within the YAML budget; a Null node when it is missing or refused.
YAML::Node LoadOptionalYaml(const fs::path& path) {
  absl::StatusOr<std::string> text = ReadFileCapped(path.string(), limits::kYamlInput);
  if (!text.ok()) return YAML::Node();
  absl::StatusOr<YAML::Node> node = format::LoadYaml(*text);
  return node.ok() ? *node : YAML::Node();
}

// The base the charm declares (manifest.yaml as charmcraft packs it, or charmcraft.yaml).
std::string CharmBase(const fs::path& dir) {
  try {
    if (fs::exists(dir / "manifest.yaml")) {
      YAML::Node m = LoadOptionalYaml(dir / "manifest.yaml");
      if (m["bases"] && m["bases"].IsSequence() && m["bases"].size() > 0) {
        const YAML::Node b = m["bases"][0];
        if (b["name"] && b["channel"]) return b["name"].as<std::string>() + "@" + b["channel"].as<std::string>();
      }
    }
    if (fs::exists(dir / "charmcraft.yaml")) {
      YAML::Node c = LoadOptionalYaml(dir / "charmcraft.yaml");
      if (c["base"] && c["base"].IsScalar()) return c["base"].as<std::string>();
    }
  } catch (const YAML::Exception&) {
    // A malformed optional file only costs the default base.
  }
  return kDefaultBase;
}

}  // namespace

bool IsLocalPath(const std::string& arg) {
  if (arg.empty()) return false;
  if (arg[0] == '.' || arg[0] == '/') return true;
  std::error_code ec;
  return fs::is_directory(arg, ec);
}

absl::StatusOr<skein::v1::CharmArchive> ReadCharmDir(const std::string& dir) {
  skein::v1::CharmArchive archive;
  std::error_code ec;
  fs::path root(dir);
  std::vector<fs::path> entries;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot read ", dir, ": ", ec.message()));
  for (auto end = fs::recursive_directory_iterator(); it != end; it.increment(ec)) {
    if (ec) return absl::InternalError(absl::StrCat("cannot read ", dir, ": ", ec.message()));
    const fs::path rel = it->path().lexically_relative(root);
    const std::string name = it->path().filename().string();
    if (it->is_symlink(ec)) {
      entries.push_back(rel);
      continue;  // never followed: a link to a directory is one entry
    }
    if (it->is_directory(ec)) {
      if (name == ".git") it.disable_recursion_pending();
      continue;
    }
    if (name == ".unit-state.db") continue;
    if (it->is_regular_file(ec)) entries.push_back(rel);
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& rel : entries) {
    fs::path full = root / rel;
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0) return absl::InternalError(absl::StrCat("cannot stat ", full.string()));
    auto* file = archive.add_files();
    file->set_path(rel.generic_string());
    file->set_mode(st.st_mode & 07777);
    if (S_ISLNK(st.st_mode)) {
      file->set_is_symlink(true);
      file->set_content(fs::read_symlink(full, ec).string());
      if (ec) return absl::InternalError(absl::StrCat("cannot read link ", full.string(), ": ", ec.message()));
    } else {
      auto content = ReadFile(full);
      if (!content.ok()) return content.status();
      file->set_content(std::move(*content));
    }
  }
  return archive;
}

absl::StatusOr<LocalCharm> LoadLocalCharm(const std::string& path) {
  std::error_code ec;
  auto not_found = absl::NotFoundError(absl::StrCat("no charm found at \"", path, "\""));
  if (fs::is_regular_file(path, ec) && fs::path(path).extension() == ".charm") {
    return absl::UnimplementedError(absl::StrCat("cannot deploy \"", path,
                                                 "\": .charm archives are not supported yet; deploy the "
                                                 "unpacked charm directory instead"));
  }
  if (!fs::is_directory(path, ec) || !fs::is_regular_file(fs::path(path) / "metadata.yaml", ec)) return not_found;
  auto text = ReadFile(fs::path(path) / "metadata.yaml");
  if (!text.ok()) return text.status();
  auto metadata = charm::ParseMetadata(*text);
  if (!metadata.ok()) return metadata.status();
  LocalCharm charm;
  charm.path = path;
  charm.name = metadata->name;
  charm.base = CharmBase(path);
  auto archive = ReadCharmDir(path);
  if (!archive.ok()) return archive.status();
  charm.archive = std::move(*archive);
  return charm;
}

}  // namespace skein::cli::client
