#include "tools/cli/bootstrap/local_files.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "yaml-cpp/yaml.h"

namespace skein::cli::bootstrap {

std::string BootstrapYaml(const BootstrapConfig& c) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "controller-name" << YAML::Value << c.controller_name;
  out << YAML::Key << "controller-uuid" << YAML::Value << c.controller_uuid;
  out << YAML::Key << "admin-credential-hash" << YAML::Value << c.admin_credential_hash;
  out << YAML::Key << "machine-0-credential-hash" << YAML::Value << c.machine0_credential_hash;
  out << YAML::Key << "machine-0-hostname" << YAML::Value << c.machine0_hostname;
  out << YAML::Key << "machine-0-address" << YAML::Value << c.machine0_address;
  if (!c.machine0_unit_uids.empty()) out << YAML::Key << "machine-0-unit-uids" << YAML::Value << c.machine0_unit_uids;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string HostName() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

absl::Status MakePrivateDir(const std::string& dir) {
  std::error_code ec;
  bool created = std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  if (created) ::chmod(dir.c_str(), 0700);
  return absl::OkStatus();
}

}  // namespace skein::cli::bootstrap
