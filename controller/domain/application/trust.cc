// `skein trust`: whether an application may read the cloud credential (credential-get) and, on
// Kubernetes, gets the wider cluster roles. Juju keeps it as application config, so `skein
// config app trust=true` reaches SetTrustInTx through SetConfigInTx as well.

#include "absl/strings/str_cat.h"
#include "controller/domain/application/application_service.h"
#include "controller/domain/application/internal.h"
#include "controller/domain/core/sql.h"
#include "lib/base/go_bool.h"

namespace skein::controller::domain::application {

absl::StatusOr<bool> ParseTrustValue(const std::string& text) {
  if (std::optional<bool> trust = ParseGoBool(text)) return *trust;
  return absl::InvalidArgumentError(absl::StrCat(kTrustKey, ": expected bool, got string(\"", text, "\")"));
}

void SetTrustInTx(Tx& tx, const ModelRow& model, const AppRow& app, bool trust) {
  if (app.trust == trust) return;
  sql::Exec(tx.db(), "UPDATE applications SET trust = ? WHERE id = ?", trust ? 1 : 0, app.id);
  tx.Touch(AppKey(app.id));
  tx.Record(model.id, "application", app.name, trust ? "trust" : "untrust");
}

absl::Status ApplicationService::SetTrust(const std::string& model, const std::string& app, bool trust) {
  return db_->Write("set-trust", [&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    auto a = FindApp(tx, m->id, app);
    if (!a.ok()) return a.status();
    SetTrustInTx(tx, *m, *a, trust);
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::domain::application
