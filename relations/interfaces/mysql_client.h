#pragma once

// `mysql_client` between mysql-k8s (`database`, provides) and its clients (mlflow-server
// `relational-db`, kfp-api, katib-db-manager) through charms.data_platform_libs'
// data_interfaces (kubeflow-catalog §4.2): the requirer's leader asks for a database in its app
// bag; the provider's leader answers with endpoints and credentials in its app bag.

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace skein::relations::interfaces::mysql_client {

// The requirer's app bag: `database` = the name it wants.
std::map<std::string, std::string> RequirerAppBag(const std::string& database);

struct Credentials {
  std::string endpoints;            // `host:3306` (comma-separated list format)
  std::string read_only_endpoints;  // the replicas' service
  std::string username;
  std::string password;
  std::string version;              // MySQL server version
  std::string database;             // echo of the requested name
};

// The user name mysql-k8s creates: `relation-<id>_<model uuid without dashes>`, cut to 26
// characters.
std::string UserName(int64_t relation_id, const std::string& model_uuid);

// The provider's app bag.
std::map<std::string, std::string> ProviderAppBag(const Credentials& credentials);

// What mlflow-server builds from the first relation's data:
// `mysql+pymysql://<username>:<password>@<host>:<port>/<database>`. FailedPrecondition
// `Incorrect data found in relation relational-db` (its Waiting message) when a key is missing.
absl::StatusOr<std::string> SqlAlchemyUri(const std::map<std::string, std::string>& provider_bag,
                                          const std::string& database);

}  // namespace skein::relations::interfaces::mysql_client
