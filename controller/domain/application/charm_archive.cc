#include "controller/domain/application/charm_archive.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"

namespace skein::controller::domain::application {

absl::StatusOr<UploadedCharm> ReadCharmArchive(const v1::CharmArchive& archive) {
  UploadedCharm c;
  bool has_metadata = false;
  for (const v1::CharmFile& f : archive.files()) {
    if (f.is_symlink()) continue;
    if (f.path() == "metadata.yaml") {
      c.metadata_yaml = f.content();
      has_metadata = true;
    } else if (f.path() == "config.yaml") {
      c.config_yaml = f.content();
    } else if (f.path() == "actions.yaml") {
      c.actions_yaml = f.content();
    }
  }
  if (!has_metadata) return absl::InvalidArgumentError("charm has no metadata.yaml");
  auto md = charm::ParseMetadata(c.metadata_yaml);
  if (!md.ok()) return md.status();
  auto cfg = charm::ParseConfigSchema(c.config_yaml);
  if (!cfg.ok()) return cfg.status();
  auto actions = charm::ParseActions(c.actions_yaml);
  if (!actions.ok()) return actions.status();
  c.metadata = std::move(*md);
  c.config = std::move(*cfg);
  // CharmArchive has no map fields, so its serialization is deterministic.
  c.archive = archive.SerializeAsString();
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(c.archive.data()), c.archive.size(), digest);
  c.sha256 = absl::BytesToHexString(std::string(reinterpret_cast<char*>(digest), sizeof(digest)));
  return c;
}

}  // namespace skein::controller::domain::application
