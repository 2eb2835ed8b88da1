#include "agents/unit/conf/agent_conf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "yaml-cpp/yaml.h"

namespace skein::agent {

absl::StatusOr<AgentConf> ReadAgentConf(const std::string& path) {
  if (!std::filesystem::exists(path)) return absl::NotFoundError(absl::StrCat("agent config ", path, " not found"));
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cannot parse ", path, ": ", e.what()));
  }
  if (!doc.IsMap()) return absl::InvalidArgumentError(absl::StrCat(path, " is not a YAML mapping"));
  auto get = [&doc](const char* key) { return doc[key] ? doc[key].as<std::string>("") : std::string(); };
  AgentConf conf{get("controller"), get("entity"), get("credential"), get("unit"), get("machine-id"),
                 get("model-uuid")};
  for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"controller", &conf.controller},
                                   {"entity", &conf.entity},
                                   {"credential", &conf.credential}}) {
    if (value->empty()) return absl::InvalidArgumentError(absl::StrCat(path, " has no ", key));
  }
  return conf;
}

absl::Status WriteAgentConf(const std::string& path, const AgentConf& conf) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "controller" << YAML::Value << conf.controller;
  out << YAML::Key << "entity" << YAML::Value << conf.entity;
  out << YAML::Key << "credential" << YAML::Value << conf.credential;
  if (!conf.unit.empty()) out << YAML::Key << "unit" << YAML::Value << conf.unit;
  out << YAML::Key << "machine-id" << YAML::Value << YAML::DoubleQuoted << conf.machine_id;
  if (!conf.model_uuid.empty()) out << YAML::Key << "model-uuid" << YAML::Value << conf.model_uuid;
  out << YAML::EndMap;
  std::string text = std::string(out.c_str()) + "\n";

  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot write ", tmp, ": ", std::strerror(errno)));
  ::fchmod(fd, 0600);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace skein::agent
