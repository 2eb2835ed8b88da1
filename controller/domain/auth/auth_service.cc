#include "controller/domain/auth/auth_service.h"

#include "absl/strings/match.h"
#include "controller/domain/core/rows.h"
#include "lib/base/credential.h"
#include "lib/base/names.h"

namespace skein::controller::domain::auth {

absl::StatusOr<Principal> AuthService::Authenticate(const std::string& entity, const std::string& credential) {
  Principal p;
  p.entity = entity;
  bool ok = false;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    if (entity == kAdminTag) {
      SQLite::Statement q(tx.db(), "SELECT admin_credential_hash FROM controller WHERE id = 0");
      ok = q.executeStep() && CredentialMatches(credential, q.getColumn(0).getString());
      p.kind = Kind::kAdmin;
      return absl::OkStatus();
    }
    if (absl::StartsWith(entity, "machine-")) {
      auto m = FindMachine(tx, entity.substr(8));
      ok = m.ok() && !m->credential_hash.empty() && CredentialMatches(credential, m->credential_hash);
      p.kind = Kind::kMachine;
      p.machine_id = entity.substr(8);
      return absl::OkStatus();
    }
    auto name = ParseUnitTag(entity);
    if (!name.ok()) return absl::OkStatus();
    for (const UnitRow& u : UnitsNamed(tx, name->ToString())) {
      if (u.credential_hash.empty() || !CredentialMatches(credential, u.credential_hash)) continue;
      ok = true;
      p.kind = Kind::kUnit;
      p.machine_id = u.machine_id;
      p.unit_id = u.id;
      p.model_id = u.model_id;
      p.unit = u.name;
      p.application = u.application;
      break;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!ok) return absl::UnauthenticatedError(kBadCredentials);
  return p;
}

}  // namespace skein::controller::domain::auth
