#include "relations/interfaces/dex_oidc.h"

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "relations/interfaces/sdi.h"

namespace skein::relations::interfaces {
namespace oidc_client {

const std::vector<std::string>& Versions() {
  static const auto* versions = new std::vector<std::string>{"v1"};
  return *versions;
}

Client OidcGatekeeper(const std::string& secret) {
  return Client{"authservice-oidc", "Ambassador Auth OIDC", {"/authservice/oidc/callback"}, secret};
}

std::map<std::string, std::string> ProviderAppBag(const Client& c) {
  return sdi::WriteBag(Versions(), nlohmann::ordered_json{
                                       {"id", c.id}, {"name", c.name}, {"redirectURIs", c.redirect_uris}, {"secret", c.secret}});
}

std::map<std::string, std::string> RequirerAppBag() { return sdi::WriteBag(Versions(), std::nullopt); }

absl::StatusOr<Client> ReadClient(const std::map<std::string, std::string>& provider_bag) {
  auto data = sdi::ReadData(provider_bag, {"id", "redirectURIs", "secret"});
  if (!data.ok()) return data.status();
  const auto& d = *data;
  if (!d["id"].is_string() || !d["secret"].is_string() || !d["redirectURIs"].is_array()) {
    return absl::InvalidArgumentError("id and secret must be strings and redirectURIs a list");
  }
  Client c;
  c.id = d["id"].get<std::string>();
  c.name = d.contains("name") && d["name"].is_string() ? d["name"].get<std::string>() : "";
  for (const auto& uri : d["redirectURIs"]) {
    if (uri.is_string()) c.redirect_uris.push_back(uri.get<std::string>());
  }
  c.secret = d["secret"].get<std::string>();
  return c;
}

}  // namespace oidc_client

namespace dex_oidc_config {

std::string IssuerUrl(const std::string& app, const std::string& model) {
  return absl::StrCat("http://", app, ".", model, ".svc:5556/dex");
}

std::map<std::string, std::string> ProviderAppBag(const std::string& issuer_url) { return {{"issuer-url", issuer_url}}; }

absl::StatusOr<std::string> ReadIssuerUrl(const std::map<std::string, std::string>& provider_bag) {
  auto it = provider_bag.find("issuer-url");
  if (it == provider_bag.end() || it->second.empty()) return absl::NotFoundError("issuer-url not sent yet");
  return it->second;
}

}  // namespace dex_oidc_config
}  // namespace skein::relations::interfaces
