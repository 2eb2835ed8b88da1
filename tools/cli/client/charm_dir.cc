#include "tools/cli/client/charm_dir.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/base/limits.h"
#include "lib/charm/charm_zip.h"
#include "lib/charm/documents.h"
#include "lib/format/yaml_budget.h"
#include "yaml-cpp/yaml.h"

namespace skein::cli::client {
namespace fs = std::filesystem;
namespace {

constexpr char kDefaultBase[] = "ubuntu@22.04";

// The base the charm declares (manifest.yaml as charmcraft packs it, or charmcraft.yaml).
std::string CharmBase(const charm::CharmZip& zip) {
  try {
    auto manifest = zip.ReadSmallFile("manifest.yaml", limits::kCharmYaml);
    if (manifest.ok() && *manifest) {
      auto loaded = format::LoadYaml(**manifest);
      YAML::Node m = loaded.ok() ? *loaded : YAML::Node();
      if (m["bases"] && m["bases"].IsSequence() && m["bases"].size() > 0) {
        const YAML::Node b = m["bases"][0];
        if (b["name"] && b["channel"]) return b["name"].as<std::string>() + "@" + b["channel"].as<std::string>();
      }
    }
    auto charmcraft = zip.ReadSmallFile("charmcraft.yaml", limits::kCharmYaml);
    if (charmcraft.ok() && *charmcraft) {
      auto loaded = format::LoadYaml(**charmcraft);
      YAML::Node c = loaded.ok() ? *loaded : YAML::Node();
      if (c["base"] && c["base"].IsScalar()) return c["base"].as<std::string>();
    }
  } catch (const YAML::Exception&) {
    // A malformed optional file only costs the default base.
  }
  return kDefaultBase;
}

// A new empty temporary file for an archive.
absl::StatusOr<CharmArchiveFile> TemporaryArchive() {
  std::error_code ec;
  std::string path = (fs::temp_directory_path(ec) / "skein-charm-XXXXXX.charm").string();
  int fd = ::mkstemps(path.data(), static_cast<int>(std::strlen(".charm")));
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot create a temporary file: ", std::strerror(errno)));
  ::close(fd);
  return CharmArchiveFile(path, /*temporary=*/true);
}

absl::Status Invalid(const std::string& path, const absl::Status& s) {
  if (!absl::IsInvalidArgument(s)) return s;
  return absl::InvalidArgumentError(absl::StrCat("invalid charm \"", path, "\": ", s.message()));
}

}  // namespace

CharmArchiveFile::~CharmArchiveFile() {
  if (temporary_ && !path_.empty()) ::unlink(path_.c_str());
}

CharmArchiveFile::CharmArchiveFile(CharmArchiveFile&& other) noexcept
    : path_(std::move(other.path_)), temporary_(other.temporary_) {
  other.path_.clear();
  other.temporary_ = false;
}

CharmArchiveFile& CharmArchiveFile::operator=(CharmArchiveFile&& other) noexcept {
  if (this != &other) {
    if (temporary_ && !path_.empty()) ::unlink(path_.c_str());
    path_ = std::move(other.path_);
    temporary_ = other.temporary_;
    other.path_.clear();
    other.temporary_ = false;
  }
  return *this;
}

bool IsLocalPath(const std::string& arg) {
  if (arg.empty()) return false;
  if (arg[0] == '.' || arg[0] == '/') return true;
  std::error_code ec;
  return fs::is_directory(arg, ec);
}

bool IsCharmArchive(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  // By its name even when it is not a zip, so that a damaged `.charm` is reported as a charm.
  if (fs::path(path).extension() == ".charm") return true;
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, sizeof(magic));
  // A zip starts with a local file header, or with the end record when it is empty.
  return in.gcount() == 4 && magic[0] == 'P' && magic[1] == 'K' &&
         ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6));
}

absl::StatusOr<LocalCharm> LoadLocalCharm(const std::string& path) {
  std::error_code ec;
  auto not_found = absl::NotFoundError(absl::StrCat("no charm found at \"", path, "\""));
  LocalCharm charm;
  charm.path = path;
  if (fs::is_directory(path, ec)) {
    if (!fs::is_regular_file(fs::path(path) / "metadata.yaml", ec) &&
        !fs::is_regular_file(fs::path(path) / "charmcraft.yaml", ec)) {
      return not_found;
    }
    auto entries = charm::ListCharmDir(path);
    if (!entries.ok()) return entries.status();
    auto archive = TemporaryArchive();
    if (!archive.ok()) return archive.status();
    if (absl::Status s = charm::WriteCharmZip(archive->path(), *entries); !s.ok()) return s;
    charm.archive = std::move(*archive);
  } else if (fs::is_regular_file(path, ec)) {
    charm.archive = CharmArchiveFile(path, /*temporary=*/false);
  } else {
    return not_found;
  }
  auto zip = charm::CharmZip::Open(charm.archive.path());
  if (!zip.ok()) return Invalid(path, zip.status());
  auto documents = charm::ReadCharmDocuments(
      [&](const std::string& name) { return (*zip)->ReadSmallFile(name, limits::kCharmYaml); });
  if (!documents.ok()) return Invalid(path, documents.status());
  auto parsed = charm::ParseCharmDocuments(*documents);
  if (!parsed.ok()) return Invalid(path, parsed.status());
  charm.name = parsed->metadata.name;
  charm.base = CharmBase(**zip);
  charm.metadata = std::move(parsed->metadata);
  charm.config = std::move(parsed->config);
  return charm;
}

absl::StatusOr<CharmArchiveFile> PackCharmFiles(const std::map<std::string, std::string>& files) {
  std::vector<charm::PackEntry> entries;
  for (const auto& [path, content] : files) {
    charm::PackEntry e;
    e.path = path;
    e.mode = path == "dispatch" ? 0755 : 0644;
    e.content = content;
    entries.push_back(std::move(e));
  }
  auto archive = TemporaryArchive();
  if (!archive.ok()) return archive.status();
  if (absl::Status s = charm::WriteCharmZip(archive->path(), entries); !s.ok()) return s;
  return archive;
}

}  // namespace skein::cli::client
