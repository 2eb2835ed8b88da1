#include "relations/interfaces/gateway_info.h"

namespace skein::relations::interfaces::gateway_info {

std::map<std::string, std::string> ProviderAppBag(const Gateway& gateway) {
  return {{"gateway_name", gateway.name},
          {"gateway_namespace", gateway.namespace_},
          {"gateway_up", gateway.up ? "true" : "false"}};
}

absl::StatusOr<Gateway> Read(const std::map<std::string, std::string>& provider_bag) {
  auto name = provider_bag.find("gateway_name");
  auto ns = provider_bag.find("gateway_namespace");
  if (name == provider_bag.end() || ns == provider_bag.end() || name->second.empty() || ns->second.empty()) {
    return absl::NotFoundError("gateway_name and gateway_namespace not sent yet");
  }
  auto up = provider_bag.find("gateway_up");
  // A provider that does not say is taken as up, as the library's default is.
  return Gateway{name->second, ns->second, up == provider_bag.end() || up->second != "false"};
}

}  // namespace skein::relations::interfaces::gateway_info
