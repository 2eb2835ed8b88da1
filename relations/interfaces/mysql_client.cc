#include "relations/interfaces/mysql_client.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace skein::relations::interfaces::mysql_client {

std::map<std::string, std::string> RequirerAppBag(const std::string& database) { return {{"database", database}}; }

std::string UserName(int64_t relation_id, const std::string& model_uuid) {
  std::string uuid = model_uuid;
  uuid.erase(std::remove(uuid.begin(), uuid.end(), '-'), uuid.end());
  return absl::StrCat("relation-", relation_id, "_", uuid).substr(0, 26);
}

std::map<std::string, std::string> ProviderAppBag(const Credentials& c) {
  return {{"endpoints", c.endpoints}, {"read-only-endpoints", c.read_only_endpoints},
          {"username", c.username},   {"password", c.password},
          {"version", c.version},     {"database", c.database}};
}

absl::StatusOr<std::string> SqlAlchemyUri(const std::map<std::string, std::string>& bag, const std::string& database) {
  for (const char* key : {"endpoints", "username", "password"}) {
    auto it = bag.find(key);
    if (it == bag.end() || it->second.empty()) {
      return absl::FailedPreconditionError("Incorrect data found in relation relational-db");
    }
  }
  std::string endpoint = bag.at("endpoints");
  endpoint = endpoint.substr(0, endpoint.find(','));
  auto colon = endpoint.rfind(':');
  if (colon == std::string::npos) return absl::FailedPreconditionError("Incorrect data found in relation relational-db");
  return absl::StrCat("mysql+pymysql://", bag.at("username"), ":", bag.at("password"), "@", endpoint.substr(0, colon),
                      ":", endpoint.substr(colon + 1), "/", database);
}

}  // namespace skein::relations::interfaces::mysql_client
