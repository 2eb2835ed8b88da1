#include "controller/provisioner/application_scale.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "lib/base/status_macros.h"

namespace skein::controller::provisioner {

absl::StatusOr<ScaleResult> ScaleApplication(domain::Db& db, domain::application::ApplicationService& applications,
                                             const std::string& model, const std::string& app, int scale) {
  if (scale < 0) return absl::InvalidArgumentError("the scale must not be negative");
  std::vector<domain::UnitRow> alive;
  std::vector<std::string> dying;
  RETURN_IF_ERROR(db.Read([&](domain::Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(domain::ModelRow m, domain::FindModel(tx, model));
    if (domain::sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM models WHERE id = ? AND cloud <> 'localhost'", m.id) ==
        0) {
      return absl::FailedPreconditionError(absl::StrCat("model \"", model,
                                                        "\" is not on a Kubernetes cloud: use add-unit and remove-unit"));
    }
    ASSIGN_OR_RETURN(domain::AppRow a, domain::FindApp(tx, m.id, app));
    for (domain::UnitRow& u : domain::UnitsOfApp(tx, a.id)) {
      if (u.life == domain::Life::kAlive) {
        alive.push_back(std::move(u));
      } else {
        dying.push_back(u.name);
      }
    }
    return absl::OkStatus();
  }));
  ScaleResult result;
  const int current = static_cast<int>(alive.size());
  if (scale > current) {
    if (!dying.empty()) {
      return absl::FailedPreconditionError(absl::StrCat("application \"", app, "\" still has dying units (",
                                                        absl::StrJoin(dying, ", "),
                                                        "): scale it up once they are gone"));
    }
    ASSIGN_OR_RETURN(result.added, applications.AddUnit(model, app, scale - current));
  } else if (scale < current) {
    std::sort(alive.begin(), alive.end(),
              [](const domain::UnitRow& a, const domain::UnitRow& b) { return a.number > b.number; });
    for (int i = 0; i < current - scale; ++i) result.removed.push_back(alive[i].name);
    RETURN_IF_ERROR(applications.RemoveUnits(model, result.removed).status());
  }
  return result;
}

}  // namespace skein::controller::provisioner
