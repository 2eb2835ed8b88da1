#include "relations/interfaces/ingress.h"

#include "absl/strings/str_cat.h"
#include "relations/interfaces/sdi.h"

namespace skein::relations::interfaces {
namespace {

absl::Status RequireString(const nlohmann::ordered_json& data, const char* key) {
  if (!data[key].is_string()) return absl::InvalidArgumentError(absl::StrCat("data key \"", key, "\" is not a string"));
  return absl::OkStatus();
}

absl::Status RequireInteger(const nlohmann::ordered_json& data, const char* key) {
  if (!data[key].is_number_integer()) {
    return absl::InvalidArgumentError(absl::StrCat("data key \"", key, "\" is not an integer"));
  }
  return absl::OkStatus();
}

std::string OptionalString(const nlohmann::ordered_json& data, const char* key) {
  return data.contains(key) && data[key].is_string() ? data[key].get<std::string>() : "";
}

}  // namespace

namespace ingress {

const std::vector<std::string>& ProviderVersions() {
  static const auto* versions = new std::vector<std::string>{"v1", "v2"};
  return *versions;
}

const std::vector<std::string>& RequirerVersions() {
  static const auto* versions = new std::vector<std::string>{"v1"};
  return *versions;
}

std::map<std::string, std::string> RequirerAppBag(const Route& route) {
  // Key order does not matter on the wire: the SDI dump sorts keys as PyYAML does.
  nlohmann::ordered_json data = {{"prefix", route.prefix}};
  if (!route.rewrite.empty()) data["rewrite"] = route.rewrite;
  data["service"] = route.service;
  if (!route.namespace_.empty()) data["namespace"] = route.namespace_;
  data["port"] = route.port;
  return sdi::WriteBag(RequirerVersions(), data);
}

std::map<std::string, std::string> ProviderAppBag() { return sdi::WriteBag(ProviderVersions(), std::nullopt); }

absl::StatusOr<Route> ReadRoute(const std::map<std::string, std::string>& requirer_bag) {
  auto data = sdi::ReadData(requirer_bag, {"service", "port", "prefix"});
  if (!data.ok()) return data.status();
  for (const char* key : {"service", "prefix"}) {
    absl::Status s = RequireString(*data, key);
    if (!s.ok()) return s;
  }
  absl::Status s = RequireInteger(*data, "port");
  if (!s.ok()) return s;
  Route r;
  r.prefix = (*data)["prefix"].get<std::string>();
  r.rewrite = OptionalString(*data, "rewrite");
  r.service = (*data)["service"].get<std::string>();
  r.namespace_ = OptionalString(*data, "namespace");
  r.port = (*data)["port"].get<int>();
  return r;
}

std::string EffectiveRewrite(const Route& route) { return route.rewrite.empty() ? route.prefix : route.rewrite; }

std::string DestinationHost(const Route& route, const std::string& provider_model) {
  return absl::StrCat(route.service, ".", route.namespace_.empty() ? provider_model : route.namespace_,
                      ".svc.cluster.local");
}

}  // namespace ingress

namespace ingress_auth {

const std::vector<std::string>& Versions() {
  static const auto* versions = new std::vector<std::string>{"v1"};
  return *versions;
}

AuthService OidcGatekeeper(const std::string& app, int port) {
  return AuthService{app, port, {"cookie", "X-Auth-Token"}, {"kubeflow-userid"}};
}

std::map<std::string, std::string> RequirerAppBag(const AuthService& auth) {
  nlohmann::ordered_json data = {{"service", auth.service},
                                 {"port", auth.port},
                                 {"allowed-request-headers", auth.allowed_request_headers},
                                 {"allowed-response-headers", auth.allowed_response_headers}};
  return sdi::WriteBag(Versions(), data);
}

std::map<std::string, std::string> ProviderAppBag() { return sdi::WriteBag(Versions(), std::nullopt); }

absl::StatusOr<AuthService> ReadAuthService(const std::map<std::string, std::string>& requirer_bag) {
  auto data = sdi::ReadData(requirer_bag, {"service", "port"});
  if (!data.ok()) return data.status();
  absl::Status s = RequireString(*data, "service");
  if (s.ok()) s = RequireInteger(*data, "port");
  if (!s.ok()) return s;
  AuthService a;
  a.service = (*data)["service"].get<std::string>();
  a.port = (*data)["port"].get<int>();
  auto strings = [&](const char* key) {
    std::vector<std::string> out;
    if (data->contains(key) && (*data)[key].is_array()) {
      for (const auto& v : (*data)[key]) {
        if (v.is_string()) out.push_back(v.get<std::string>());
      }
    }
    return out;
  };
  a.allowed_request_headers = strings("allowed-request-headers");
  a.allowed_response_headers = strings("allowed-response-headers");
  return a;
}

}  // namespace ingress_auth
}  // namespace skein::relations::interfaces
