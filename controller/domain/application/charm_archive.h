#pragma once

// A charm as uploaded by the CLI: its files, and what the controller reads from them.

#include <string>

#include "absl/status/statusor.h"
#include "lib/charm/config.h"
#include "lib/charm/metadata.h"
#include "skein/v1/common.pb.h"

namespace skein::controller::domain::application {

struct UploadedCharm {
  std::string metadata_yaml;
  std::string config_yaml;
  std::string actions_yaml;
  charm::Metadata metadata;
  charm::ConfigSchema config;
  std::string archive;  // the serialized CharmArchive, as stored and served by GetCharm
  std::string sha256;   // hex digest of `archive`
};

// InvalidArgument `charm has no metadata.yaml`, or the parse error of metadata.yaml,
// config.yaml or actions.yaml.
absl::StatusOr<UploadedCharm> ReadCharmArchive(const v1::CharmArchive& archive);

}  // namespace skein::controller::domain::application
