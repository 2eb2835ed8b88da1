// The two data providers of the Kubeflow and MLflow bundles: minio answers `object-storage`
// with its credentials (kubeflow-catalog §4.1) and mysql-k8s answers `database` requests with a
// user per relation (§4.2).

#include "absl/strings/str_cat.h"
#include "agents/charms/charms.h"
#include "agents/charms/profiles.h"
#include "relations/interfaces/mysql_client.h"
#include "relations/interfaces/object_storage.h"

namespace skein::charms {
namespace {

using json = nlohmann::ordered_json;
namespace object_storage = relations::interfaces::object_storage;
namespace mysql = relations::interfaces::mysql_client;

class Minio : public StandardCharm {
 public:
  Minio() : StandardCharm(ProfileFor("minio")) {}

 protected:
  bool HandlesEndpoint(const charm::Endpoint& ep) const override { return ep.name != "object-storage"; }

  absl::Status ReconcileCharm(const sdk::Event& event, Reconcile& r) override {
    std::string secret = r.model.ConfigString("secret-key");
    if (secret.empty()) secret = AppValue(r.model, "secret-key", [] { return RandomSecret(24); });
    if (!secret.empty() && secret.size() < 8) {
      r.Block("The `secret-key` config value must be at least 8 characters long");
      return absl::OkStatus();
    }
    if (!r.leader) return absl::OkStatus();
    object_storage::Credentials credentials{r.model.ConfigString("access-key", "minio"), secret, r.model.app(),
                                            static_cast<int>(r.model.ConfigInt("port", 9000)), r.model.model_name(), false};
    return UpdateAppBags(r.model, "object-storage", object_storage::ProviderAppBag(credentials));
  }
};

class MysqlK8s : public StandardCharm {
 public:
  MysqlK8s() : StandardCharm(ProfileFor("mysql-k8s")) {}

 protected:
  bool HandlesEndpoint(const charm::Endpoint& ep) const override { return ep.name != "database"; }

  absl::Status ReconcileCharm(const sdk::Event& event, Reconcile& r) override {
    if (!r.leader) return absl::OkStatus();
    for (auto& rel : r.model.Relations("database")) {
      sdk::Bag request = rel.RemoteAppBag();
      auto database = request.find("database");
      if (database == request.end() || database->second.empty()) continue;  // not asked yet
      mysql::Credentials c;
      const std::string fqdn = absl::StrCat(r.model.app(), "-primary.", r.model.model_name(), ".svc.cluster.local");
      c.endpoints = fqdn + ":3306";
      c.read_only_endpoints = absl::StrCat(r.model.app(), "-replicas.", r.model.model_name(), ".svc.cluster.local:3306");
      c.username = mysql::UserName(rel.id(), r.model.model_uuid());
      c.password = AppValue(r.model, absl::StrCat("password-", rel.id()), [] { return RandomSecret(24); });
      c.version = "8.0.36-0ubuntu0.22.04.1";
      c.database = database->second;
      absl::Status s = rel.UpdateAppBag(mysql::ProviderAppBag(c));
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
};

}  // namespace

std::unique_ptr<sdk::Charm> NewMinio() { return std::make_unique<Minio>(); }
std::unique_ptr<sdk::Charm> NewMysqlK8s() { return std::make_unique<MysqlK8s>(); }

}  // namespace skein::charms
