#include "controller/domain/relation/relation_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "controller/domain/core/lifecycle.h"
#include "controller/domain/core/sql.h"
#include "relations/endpoint_inference.h"

namespace skein::controller::domain::relation {

using relations::AmbiguousMessage;
using relations::CheckNamedEndpoints;
using relations::CompatiblePairs;
using relations::EndpointSpec;
using relations::ParseEndpointSpec;
using relations::Side;
namespace {

struct Resolved {
  ModelRow model;
  AppRow a;
  AppRow b;
  EndpointSpec spec_a;
  EndpointSpec spec_b;
  std::vector<std::pair<Side, Side>> pairs;
};

std::vector<EndpointRow> RowsOf(const Resolved& r, const std::pair<Side, Side>& pair) {
  auto row = [](const AppRow& app, const charm::Endpoint& ep) {
    return EndpointRow{app.id, app.name, ep.name, ep.role, ep.interface, ep.scope};
  };
  return {row(r.a, pair.first.endpoint), row(r.b, pair.second.endpoint)};
}

absl::StatusOr<Resolved> Resolve(Tx& tx, const std::string& model, const std::vector<std::string>& endpoints,
                                 bool require_alive) {
  if (endpoints.size() != 2) return absl::InvalidArgumentError("a relation must involve two applications");
  Resolved r;
  auto m = FindModel(tx, model);
  if (!m.ok()) return m.status();
  if (require_alive && m->life != Life::kAlive) return absl::FailedPreconditionError(ModelDying(model));
  r.model = *m;
  auto sa = ParseEndpointSpec(endpoints[0]);
  if (!sa.ok()) return sa.status();
  auto sb = ParseEndpointSpec(endpoints[1]);
  if (!sb.ok()) return sb.status();
  r.spec_a = *sa;
  r.spec_b = *sb;
  if (r.spec_a.application == r.spec_b.application) {
    return absl::InvalidArgumentError(absl::StrCat("cannot relate application \"", r.spec_a.application, "\" to itself"));
  }
  for (auto [spec, out] : {std::pair{&r.spec_a, &r.a}, std::pair{&r.spec_b, &r.b}}) {
    auto app = FindApp(tx, r.model.id, spec->application);
    if (!app.ok()) return app.status();
    if (require_alive && app->life != Life::kAlive) {
      return absl::FailedPreconditionError(absl::StrCat("application \"", app->name, "\" is not alive"));
    }
    *out = *app;
  }
  auto ca = tx.Charm(r.a.charm_id);
  if (!ca.ok()) return ca.status();
  auto cb = tx.Charm(r.b.charm_id);
  if (!cb.ok()) return cb.status();
  if (absl::Status s = CheckNamedEndpoints(r.spec_a, (*ca)->metadata, r.spec_b, (*cb)->metadata); !s.ok()) return s;
  r.pairs = CompatiblePairs(r.spec_a, (*ca)->metadata, r.spec_b, (*cb)->metadata);
  return r;
}

}  // namespace

absl::StatusOr<IntegrateResult> IntegrateInTx(Tx& tx, const std::string& model, const std::vector<std::string>& endpoints) {
  IntegrateResult result;
  auto r = Resolve(tx, model, endpoints, /*require_alive=*/true);
  if (!r.ok()) return r.status();
  if (r->pairs.empty()) return absl::InvalidArgumentError("no relations found");
  if (r->pairs.size() > 1) return absl::InvalidArgumentError(AmbiguousMessage(r->spec_a, r->spec_b, r->pairs));
  std::vector<EndpointRow> rows = RowsOf(*r, r->pairs.front());
  std::string key = RelationKeyOf(rows);
  if (LookupRelationByKey(tx, r->model.id, key)) {
    return absl::AlreadyExistsError(
        absl::StrCat("cannot add relation \"", key, "\": relation ", key, " already exists"));
  }
  const std::pair<Side, Side>& pair = r->pairs.front();
  for (const auto& [side, app_id] : {std::pair{&pair.first, r->a.id}, std::pair{&pair.second, r->b.id}}) {
    int limit = side->endpoint.limit;
    if (limit <= 0) continue;
    int64_t used = sql::QueryInt(tx.db(), 0,
                                 "SELECT COUNT(*) FROM relation_endpoints WHERE application_id = ? AND endpoint = ?",
                                 app_id, side->endpoint.name);
    if (used >= limit) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot add relation \"", key, "\": establishing a new relation for ", side->Spec(),
          " would exceed its maximum relation limit of ", limit, " (quota limit exceeded)"));
    }
  }
  auto created = CreateRelation(tx, r->model.id, rows);
  if (!created.ok()) return created.status();
  result.relation_id = created->relation_id;
  result.key = created->key;
  return result;
}

absl::StatusOr<IntegrateResult> RelationService::Integrate(const std::string& model,
                                                           const std::vector<std::string>& endpoints) {
  IntegrateResult result;
  absl::Status s = db_->Write("integrate", [&](Tx& tx) -> absl::Status {
    auto done = IntegrateInTx(tx, model, endpoints);
    if (!done.ok()) return done.status();
    result = std::move(*done);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<int64_t> RemoveRelationInTx(Tx& tx, const std::string& model, const std::vector<std::string>& endpoints) {
  std::optional<RelationRow> target;
  int64_t id = 0;
  if (endpoints.size() == 1 && absl::SimpleAtoi(endpoints[0], &id)) {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    target = LookupRelation(tx, m->id, id);
    if (!target) return absl::NotFoundError(absl::StrCat("relation ", id, " not found"));
    if (target->is_peer) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot remove relation \"", target->key, "\": is a peer relation"));
    }
  } else {
    auto r = Resolve(tx, model, endpoints, /*require_alive=*/false);
    if (!r.ok()) return r.status();
    if (r->pairs.empty()) return absl::InvalidArgumentError("no relations found");
    std::vector<std::pair<Side, Side>> existing;
    for (const auto& pair : r->pairs) {
      if (auto rel = LookupRelationByKey(tx, r->model.id, RelationKeyOf(RowsOf(*r, pair)))) {
        existing.push_back(pair);
        target = rel;
      }
    }
    if (existing.size() > 1) return absl::InvalidArgumentError(AmbiguousMessage(r->spec_a, r->spec_b, existing));
    if (existing.empty()) {
      if (r->pairs.size() > 1) return absl::InvalidArgumentError(AmbiguousMessage(r->spec_a, r->spec_b, r->pairs));
      return absl::NotFoundError(
          absl::StrCat("relation \"", RelationKeyOf(RowsOf(*r, r->pairs.front())), "\" not found"));
    }
  }
  DestroyRelation(tx, *target);
  CleanupDying(tx, target->model_id);
  return target->relation_id;
}

absl::StatusOr<int64_t> RelationService::RemoveRelation(const std::string& model,
                                                        const std::vector<std::string>& endpoints) {
  int64_t removed = -1;
  absl::Status s = db_->Write("remove-relation", [&](Tx& tx) -> absl::Status {
    auto done = RemoveRelationInTx(tx, model, endpoints);
    if (!done.ok()) return done.status();
    removed = *done;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return removed;
}

}  // namespace skein::controller::domain::relation
