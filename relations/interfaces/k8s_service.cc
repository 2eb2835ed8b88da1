#include "relations/interfaces/k8s_service.h"

#include "absl/strings/str_cat.h"
#include "relations/interfaces/sdi.h"

namespace skein::relations::interfaces::k8s_service {

const std::vector<std::string>& Versions() {
  static const auto* versions = new std::vector<std::string>{"v1"};
  return *versions;
}

std::map<std::string, std::string> ProviderSdiBag(const Service& service) {
  return sdi::WriteBag(Versions(), nlohmann::ordered_json{{"service-name", service.name}, {"service-port", service.port}});
}

std::map<std::string, std::string> RequirerSdiBag() { return sdi::WriteBag(Versions(), std::nullopt); }

absl::StatusOr<Service> ReadSdi(const std::map<std::string, std::string>& provider_bag) {
  auto data = sdi::ReadData(provider_bag, {"service-name", "service-port"});
  if (!data.ok()) return data.status();
  for (const char* key : {"service-name", "service-port"}) {
    if (!(*data)[key].is_string()) {
      return absl::InvalidArgumentError(absl::StrCat("data key \"", key, "\" is not a string"));
    }
  }
  return Service{(*data)["service-name"].get<std::string>(), (*data)["service-port"].get<std::string>()};
}

std::map<std::string, std::string> ProviderInfoBag(const Service& service) {
  return {{"svc_name", service.name}, {"svc_port", service.port}};
}

absl::StatusOr<Service> ReadInfo(const std::map<std::string, std::string>& provider_bag) {
  auto name = provider_bag.find("svc_name");
  auto port = provider_bag.find("svc_port");
  if (name == provider_bag.end() || port == provider_bag.end() || name->second.empty() || port->second.empty()) {
    return absl::NotFoundError("svc_name and svc_port not sent yet");
  }
  return Service{name->second, port->second};
}

}  // namespace skein::relations::interfaces::k8s_service
