#include "lib/kube/kubeconfig.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/base/file_read.h"
#include "lib/base/limits.h"
#include "lib/base/status_macros.h"
#include "lib/format/output.h"
#include "lib/format/yaml_json.h"
#include "nlohmann/json.hpp"

namespace skein::kube {
namespace {

using nlohmann::json;

// A certificate, key, CA or token file a kubeconfig names; real ones are a few KiB.
constexpr limits::Cap kCredentialFile{1 * limits::kMiB, "a kubeconfig credential file"};

std::string StringField(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// The entry named `name` of a kubeconfig list (clusters, users, contexts): its inner object
// (`cluster`, `user`, `context`), or nullptr.
const json* FindNamed(const json& doc, const char* list, const char* inner, const std::string& name) {
  auto it = doc.find(list);
  if (it == doc.end() || !it->is_array()) return nullptr;
  for (const json& entry : *it) {
    if (entry.is_object() && StringField(entry, "name") == name) {
      auto body = entry.find(inner);
      static const json kEmpty = json::object();
      return body != entry.end() && body->is_object() ? &*body : &kEmpty;
    }
  }
  return nullptr;
}

std::string Resolve(const std::string& path, const std::string& base_dir) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return absl::StrCat(absl::StripSuffix(base_dir, "/"), "/", path);
}

// The PEM or token from `<key>-data` (base64) or the file `<key>`, whichever the entry has;
// empty when it has neither.
absl::StatusOr<std::string> DataOrFile(const json& entry, const std::string& key, const std::string& base_dir,
                                       const std::string& what) {
  std::string data = StringField(entry, (key + "-data").c_str());
  if (!data.empty()) {
    std::string decoded;
    if (!absl::Base64Unescape(data, &decoded)) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": ", key, "-data is not valid base64"));
    }
    return decoded;
  }
  std::string file = StringField(entry, key.c_str());
  if (file.empty()) return std::string();
  auto content = ReadFileCapped(Resolve(file, base_dir), kCredentialFile);
  if (!content.ok()) {
    return absl::Status(content.status().code(), absl::StrCat(what, ": ", content.status().message()));
  }
  return *std::move(content);
}

}  // namespace

absl::StatusOr<ClusterConfig> ParseKubeconfig(const std::string& yaml_text, const std::string& context,
                                              const std::string& base_dir) {
  auto parsed = format::YamlToJson(yaml_text, format::YamlDialect::kKubernetes);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read the kubeconfig: ", parsed.status().message()));
  }
  const json& doc = *parsed;
  if (!doc.is_object()) return absl::InvalidArgumentError("the kubeconfig is not a YAML mapping");

  std::string context_name = context.empty() ? StringField(doc, "current-context") : context;
  if (context_name.empty()) {
    return absl::InvalidArgumentError("the kubeconfig has no current-context: name the context to use");
  }
  const json* ctx = FindNamed(doc, "contexts", "context", context_name);
  if (ctx == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("context \"", context_name, "\" not found in the kubeconfig"));
  }
  std::string cluster_name = StringField(*ctx, "cluster");
  const json* cluster = FindNamed(doc, "clusters", "cluster", cluster_name);
  if (cluster == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("cluster \"", cluster_name, "\" of context \"", context_name,
                                                   "\" not found in the kubeconfig"));
  }
  std::string user_name = StringField(*ctx, "user");
  const json* user = FindNamed(doc, "users", "user", user_name);
  if (user == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("user \"", user_name, "\" of context \"", context_name, "\" not found in the kubeconfig"));
  }

  ClusterConfig config;
  config.ns = StringField(*ctx, "namespace");
  config.server = StringField(*cluster, "server");
  if (config.server.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("cluster \"", cluster_name, "\" has no server in the kubeconfig"));
  }
  auto insecure = cluster->find("insecure-skip-tls-verify");
  config.insecure_skip_tls_verify = insecure != cluster->end() && insecure->is_boolean() && insecure->get<bool>();
  std::string cluster_what = absl::StrCat("cluster \"", cluster_name, "\"");
  ASSIGN_OR_RETURN(config.ca_pem, DataOrFile(*cluster, "certificate-authority", base_dir, cluster_what));

  // Credentials that need a program or a protocol skein does not have are refused by name rather
  // than ignored, so that add-k8s fails at once instead of every call failing later.
  std::string user_what = absl::StrCat("user \"", user_name, "\"");
  if (user->contains("exec")) {
    return absl::InvalidArgumentError(
        absl::StrCat(user_what, " uses an exec plugin, which skein does not run: give it a token or client certificate"));
  }
  if (user->contains("auth-provider")) {
    return absl::InvalidArgumentError(absl::StrCat(
        user_what, " uses an auth-provider plugin, which skein does not run: give it a token or client certificate"));
  }
  config.token = StringField(*user, "token");
  if (config.token.empty()) {
    std::string token_file = StringField(*user, "tokenFile");
    if (!token_file.empty()) {
      auto token = ReadFileCapped(Resolve(token_file, base_dir), kCredentialFile);
      if (!token.ok()) {
        return absl::Status(token.status().code(), absl::StrCat(user_what, ": ", token.status().message()));
      }
      config.token = std::string(absl::StripAsciiWhitespace(*token));
    }
  }
  ASSIGN_OR_RETURN(config.client_cert_pem, DataOrFile(*user, "client-certificate", base_dir, user_what));
  ASSIGN_OR_RETURN(config.client_key_pem, DataOrFile(*user, "client-key", base_dir, user_what));
  if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(user_what, " has a client certificate without its key or a key without its certificate"));
  }
  if (config.token.empty() && config.client_cert_pem.empty()) {
    if (user->contains("username") || user->contains("password")) {
      return absl::InvalidArgumentError(absl::StrCat(
          user_what, " uses a username and password, which skein does not send: give it a token or client certificate"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat(user_what, " has no credential: give it a token or client certificate"));
  }
  return config;
}

absl::StatusOr<ClusterConfig> InClusterConfig(const std::string& dir, const std::string& host,
                                              const std::string& port) {
  if (host.empty() || port.empty()) {
    return absl::FailedPreconditionError(
        "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not both set: this is not a pod of a cluster");
  }
  ClusterConfig config;
  // An IPv6 address needs brackets in a URL.
  config.server = host.find(':') == std::string::npos ? absl::StrCat("https://", host, ":", port)
                                                      : absl::StrCat("https://[", host, "]:", port);
  ASSIGN_OR_RETURN(std::string token, ReadFileCapped(absl::StrCat(dir, "/token"), kCredentialFile));
  config.token = std::string(absl::StripAsciiWhitespace(token));
  ASSIGN_OR_RETURN(config.ca_pem, ReadFileCapped(absl::StrCat(dir, "/ca.crt"), kCredentialFile));
  // The namespace file is there in every pod, but a caller that names the namespace itself
  // does not need it.
  auto ns = ReadFileCapped(absl::StrCat(dir, "/namespace"), kCredentialFile);
  if (ns.ok()) config.ns = std::string(absl::StripAsciiWhitespace(*ns));
  return config;
}

std::string RenderKubeconfig(const ClusterConfig& config, const std::string& name) {
  nlohmann::ordered_json cluster;
  cluster["server"] = config.server;
  if (!config.ca_pem.empty()) cluster["certificate-authority-data"] = absl::Base64Escape(config.ca_pem);
  if (config.insecure_skip_tls_verify) cluster["insecure-skip-tls-verify"] = true;
  nlohmann::ordered_json user = nlohmann::ordered_json::object();
  if (!config.token.empty()) user["token"] = config.token;
  if (!config.client_cert_pem.empty()) {
    user["client-certificate-data"] = absl::Base64Escape(config.client_cert_pem);
    user["client-key-data"] = absl::Base64Escape(config.client_key_pem);
  }
  nlohmann::ordered_json context;
  context["cluster"] = name;
  context["user"] = name;
  if (!config.ns.empty()) context["namespace"] = config.ns;

  nlohmann::ordered_json doc;
  doc["apiVersion"] = "v1";
  doc["kind"] = "Config";
  doc["clusters"] = nlohmann::ordered_json::array({{{"name", name}, {"cluster", cluster}}});
  doc["users"] = nlohmann::ordered_json::array({{{"name", name}, {"user", user}}});
  doc["contexts"] = nlohmann::ordered_json::array({{{"name", name}, {"context", context}}});
  doc["current-context"] = name;
  return format::OrderedToYaml(doc);
}

}  // namespace skein::kube
