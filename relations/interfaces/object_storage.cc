#include "relations/interfaces/object_storage.h"

#include "absl/strings/str_cat.h"
#include "relations/interfaces/sdi.h"

namespace skein::relations::interfaces::object_storage {

const std::vector<std::string>& Versions() {
  static const auto* versions = new std::vector<std::string>{"v1"};
  return *versions;
}

std::map<std::string, std::string> ProviderAppBag(const Credentials& c) {
  nlohmann::ordered_json data = {{"access-key", c.access_key},
                                 {"secret-key", c.secret_key},
                                 {"service", c.service},
                                 {"port", c.port},
                                 {"namespace", c.namespace_.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(c.namespace_)},
                                 {"secure", c.secure}};
  return sdi::WriteBag(Versions(), data);
}

std::map<std::string, std::string> RequirerAppBag() { return sdi::WriteBag(Versions(), std::nullopt); }

absl::StatusOr<Credentials> ReadCredentials(const std::map<std::string, std::string>& provider_bag) {
  auto data = sdi::ReadData(provider_bag, {"access-key", "secret-key", "service", "port", "secure"});
  if (!data.ok()) return data.status();
  const auto& d = *data;
  // The schema types: strings, a number and a boolean. A port sent as text is refused the way
  // the upstream jsonschema validation refuses it.
  for (const char* key : {"access-key", "secret-key", "service"}) {
    if (!d[key].is_string()) return absl::InvalidArgumentError(absl::StrCat("data key \"", key, "\" is not a string"));
  }
  if (!d["port"].is_number_integer()) return absl::InvalidArgumentError("data key \"port\" is not a number");
  if (!d["secure"].is_boolean()) return absl::InvalidArgumentError("data key \"secure\" is not a boolean");
  Credentials c;
  c.access_key = d["access-key"].get<std::string>();
  c.secret_key = d["secret-key"].get<std::string>();
  c.service = d["service"].get<std::string>();
  c.port = d["port"].get<int>();
  c.secure = d["secure"].get<bool>();
  if (d.contains("namespace") && d["namespace"].is_string()) c.namespace_ = d["namespace"].get<std::string>();
  return c;
}

std::string S3Endpoint(const Credentials& c, const std::string& default_namespace, bool with_scheme) {
  const std::string& ns = c.namespace_.empty() ? default_namespace : c.namespace_;
  return absl::StrCat(with_scheme ? "http://" : "", c.service, ".", ns, ":", c.port);
}

}  // namespace skein::relations::interfaces::object_storage
