#include "tools/cli/client/client_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "lib/base/file_write.h"
#include "yaml-cpp/yaml.h"

namespace skein::cli::client {

std::string ClientConfigPath(const std::string& data_dir) { return data_dir + "/client.yaml"; }

std::string NoControllersMessage() {
  return "No controllers registered.\n\n"
         "Please either create a new controller using \"skein bootstrap\" or point SKEIN_DATA at\n"
         "the data directory of an existing one.";
}

absl::StatusOr<ClientConfig> LoadClientConfig(const std::string& data_dir) {
  ClientConfig config;
  std::string path = ClientConfigPath(data_dir);
  std::ifstream in(path);
  if (!in) return config;
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    YAML::Node root = YAML::Load(ss.str());
    if (!root || root.IsNull()) return config;
    if (!root.IsMap()) return absl::InvalidArgumentError(absl::StrCat("cannot parse ", path, ": not a mapping"));
    if (root["current-controller"]) config.current_controller = root["current-controller"].as<std::string>("");
    if (const YAML::Node controllers = root["controllers"]; controllers && controllers.IsMap()) {
      for (const auto& kv : controllers) {
        ControllerEntry e;
        const YAML::Node& n = kv.second;
        if (n["address"]) e.address = n["address"].as<std::string>("");
        if (n["uuid"]) e.uuid = n["uuid"].as<std::string>("");
        if (n["admin-credential"]) e.admin_credential = n["admin-credential"].as<std::string>("");
        if (n["current-model"]) e.current_model = n["current-model"].as<std::string>("");
        if (n["ca-cert"]) e.ca_cert = n["ca-cert"].as<std::string>("");
        config.controllers[kv.first.as<std::string>()] = e;
      }
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cannot parse ", path, ": ", e.what()));
  }
  return config;
}

absl::Status SaveClientConfig(const std::string& data_dir, const ClientConfig& config) {
  std::error_code ec;
  if (!std::filesystem::exists(data_dir)) {
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot create ", data_dir, ": ", ec.message()));
    ::chmod(data_dir.c_str(), 0700);
  }
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "current-controller" << YAML::Value << config.current_controller;
  out << YAML::Key << "controllers" << YAML::Value;
  if (config.controllers.empty()) {
    out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
  } else {
    out << YAML::BeginMap;
    for (const auto& [name, e] : config.controllers) {
      out << YAML::Key << name << YAML::Value << YAML::BeginMap;
      out << YAML::Key << "address" << YAML::Value << e.address;
      out << YAML::Key << "uuid" << YAML::Value << e.uuid;
      out << YAML::Key << "admin-credential" << YAML::Value << e.admin_credential;
      out << YAML::Key << "current-model" << YAML::Value << e.current_model;
      out << YAML::Key << "ca-cert" << YAML::Value << YAML::Literal << e.ca_cert;
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  std::string text = std::string(out.c_str()) + "\n";

  return WriteFileAtomic(ClientConfigPath(data_dir), text, 0600);
}

absl::StatusOr<std::pair<std::string, ControllerEntry>> CurrentController(const ClientConfig& config) {
  if (config.controllers.empty()) return absl::NotFoundError(NoControllersMessage());
  auto it = config.controllers.find(config.current_controller);
  if (it == config.controllers.end()) it = config.controllers.begin();
  return *it;
}

}  // namespace skein::cli::client
