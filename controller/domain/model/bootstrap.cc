#include "controller/domain/model/bootstrap.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "yaml-cpp/yaml.h"

namespace skein::controller::domain::model {

absl::StatusOr<BootstrapConfig> LoadBootstrapFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("bootstrap file ", path, " not found"));
  std::stringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("bootstrap file ", path, ": ", e.what()));
  }
  if (!root.IsMap()) return absl::InvalidArgumentError(absl::StrCat("bootstrap file ", path, ": not a map"));
  BootstrapConfig cfg;
  auto get = [&](const char* key, std::string* out, bool required) -> absl::Status {
    if (root[key] && root[key].IsScalar()) {
      *out = root[key].as<std::string>();
    } else if (required) {
      return absl::InvalidArgumentError(absl::StrCat("bootstrap file ", path, ": missing \"", key, "\""));
    }
    return absl::OkStatus();
  };
  for (auto [key, out, required] : {std::tuple{"controller-name", &cfg.controller_name, false},
                                    std::tuple{"controller-uuid", &cfg.controller_uuid, true},
                                    std::tuple{"admin-credential-hash", &cfg.admin_credential_hash, true},
                                    std::tuple{"machine-0-credential-hash", &cfg.machine0_credential_hash, true},
                                    std::tuple{"machine-0-hostname", &cfg.machine0_hostname, false},
                                    std::tuple{"machine-0-address", &cfg.machine0_address, false},
                                    std::tuple{"machine-0-unit-uids", &cfg.machine0_unit_uids, false}}) {
    absl::Status s = get(key, out, required);
    if (!s.ok()) return s;
  }
  if (cfg.machine0_hostname.empty()) cfg.machine0_hostname = "localhost";
  return cfg;
}

}  // namespace skein::controller::domain::model
