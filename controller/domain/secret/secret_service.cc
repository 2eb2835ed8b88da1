// SecretService: the hook tools' side (a unit as owner or reader).

#include "controller/domain/secret/secret_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "controller/domain/secret/secret_id.h"
#include "controller/domain/secret/secret_store.h"
#include "lib/base/status_macros.h"

namespace skein::controller::domain::secret {
namespace {

constexpr char kNotLeader[] = "this unit is not the leader";
constexpr char kPermissionDenied[] = "permission denied";

// The calling unit, its model and application.
struct Caller {
  UnitRow unit;
  ModelRow model;
  AppRow app;
  bool leader() const { return app.leader_unit == unit.name; }
};

absl::StatusOr<Caller> LoadCaller(Tx& tx, int64_t unit_id) {
  Caller c;
  ASSIGN_OR_RETURN(c.unit, FindUnitById(tx, unit_id));
  ASSIGN_OR_RETURN(c.model, FindModelById(tx, c.unit.model_id));
  ASSIGN_OR_RETURN(c.app, FindAppById(tx, c.unit.application_id));
  return c;
}

bool Owns(const Caller& c, const SecretMetadata& m) {
  return (m.owner_kind == OwnerKind::kApplication && m.owner == c.app.name) ||
         (m.owner_kind == OwnerKind::kUnit && m.owner == c.unit.name);
}

// The owner may change the secret: a unit-owned secret's unit, an application-owned secret's
// leader.
absl::Status CheckManage(const Caller& c, const SecretMetadata& m) {
  if (!Owns(c, m)) return absl::PermissionDeniedError(kPermissionDenied);
  if (m.owner_kind == OwnerKind::kApplication && !c.leader()) return absl::PermissionDeniedError(kNotLeader);
  return absl::OkStatus();
}

bool CanRead(Tx& tx, const Caller& c, const SecretRow& s) {
  return Owns(c, s.meta) || HasGrant(tx, s.row, SubjectKind::kApplication, c.app.name) ||
         HasGrant(tx, s.row, SubjectKind::kUnit, c.unit.name);
}

// The secret an URI names in the caller's model.
absl::StatusOr<SecretRow> ByUri(Tx& tx, const Caller& c, const std::string& uri) {
  ASSIGN_OR_RETURN(ParsedUri parsed, ParseSecretUri(uri));
  if (!parsed.model_uuid.empty() && parsed.model_uuid != c.model.uuid) return SecretNotFound(uri);
  auto s = LoadSecret(tx, c.model.id, parsed.id);
  if (!s) return SecretNotFound(uri);
  return *s;
}

// The secret a label names for the caller: its own (or its application's) label first, then
// its label as a reader.
absl::StatusOr<SecretRow> ByLabel(Tx& tx, const Caller& c, const std::string& label) {
  if (auto s = LoadByOwnerLabel(tx, c.model.id, OwnerKind::kUnit, c.unit.name, label)) return *s;
  if (auto s = LoadByOwnerLabel(tx, c.model.id, OwnerKind::kApplication, c.app.name, label)) return *s;
  if (auto id = ConsumerLabelled(tx, c.model.id, c.unit.name, label)) {
    if (auto s = LoadSecret(tx, c.model.id, *id)) return *s;
  }
  return SecretNotFound(label);
}

absl::StatusOr<SecretRow> Resolve(Tx& tx, const Caller& c, const SecretRef& ref) {
  if (!ref.uri.empty()) return ByUri(tx, c, ref.uri);
  if (!ref.label.empty()) return ByLabel(tx, c, ref.label);
  return absl::InvalidArgumentError("need a secret URI or a label");
}

// AlreadyExists when another secret of the same owner has `label`.
absl::Status CheckLabelFree(Tx& tx, int64_t model_id, OwnerKind kind, const std::string& owner,
                            const std::string& label, const std::string& except_id) {
  if (label.empty()) return absl::OkStatus();
  auto other = LoadByOwnerLabel(tx, model_id, kind, owner, label);
  if (other && other->meta.id != except_id) {
    return absl::AlreadyExistsError(absl::StrCat("secret with label \"", label, "\" already exists"));
  }
  return absl::OkStatus();
}

// Applies the metadata of `u` to `m` (content is the caller's business).
absl::Status ApplyMetadata(Tx& tx, const SecretUpdate& u, SecretMetadata& m, std::string* expire) {
  if (u.label) m.label = *u.label;
  if (u.description) m.description = *u.description;
  if (u.rotate) {
    m.rotate = *u.rotate;
    m.next_rotate = NextRotation(*u.rotate, tx.clock().WallNow());
  }
  if (u.expire) {
    if (u.expire->empty()) {
      *expire = "";
    } else {
      ASSIGN_OR_RETURN(*expire, ResolveExpiry(*u.expire, tx.clock().WallNow()));
    }
  }
  return absl::OkStatus();
}

// The relation `relation_id` of the caller's application and the application on its other side.
absl::StatusOr<std::string> RemoteAppOf(Tx& tx, const Caller& c, int64_t relation_id, const std::string& unit) {
  std::optional<RelationRow> relation = LookupRelation(tx, c.model.id, relation_id);
  if (!relation || !relation->Involves(c.app.id)) {
    return absl::NotFoundError(absl::StrCat("relation ", relation_id, " not found"));
  }
  const EndpointRow* remote = relation->Remote(c.app.id);
  if (!unit.empty()) {
    auto u = FindUnit(tx, c.model.id, unit);
    if (!u.ok() || u->application != remote->application) {
      return absl::InvalidArgumentError(absl::StrCat("unit \"", unit, "\" is not in relation ", relation_id,
                                                     ": name a unit of ", remote->application));
    }
  }
  return remote->application;
}

}  // namespace

std::vector<ChangedSecret> ChangedForConsumer(Tx& tx, int64_t model_id, const std::string& unit) {
  std::vector<ChangedSecret> out;
  auto q = sql::Prepare(tx.db(),
                        "SELECT s.secret_id, c.label, s.latest_revision FROM secret_consumers c "
                        "JOIN secrets s ON s.id = c.secret_row WHERE s.model_id = ?1 AND c.consumer = ?2 "
                        "AND c.current_revision < s.latest_revision ORDER BY s.secret_id",
                        model_id, unit);
  while (q.executeStep()) out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt64()});
  return out;
}

absl::StatusOr<std::string> SecretService::AddOwned(int64_t unit_id, OwnerKind owner, const SecretUpdate& update) {
  if (owner == OwnerKind::kModel) return absl::InvalidArgumentError("a charm's secret is owned by its application or unit");
  if (!update.content || update.content->empty()) return absl::InvalidArgumentError("missing secret value");
  RETURN_IF_ERROR(CheckContentKeys(*update.content));
  std::string id;
  RETURN_IF_ERROR(db_->Write("AddSecret", [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Caller c, LoadCaller(tx, unit_id));
    if (owner == OwnerKind::kApplication && !c.leader()) return absl::PermissionDeniedError(kNotLeader);
    SecretRow s;
    s.model_id = c.model.id;
    s.meta.id = NewSecretId(tx.clock().WallNow());
    s.meta.owner_kind = owner;
    s.meta.owner = owner == OwnerKind::kApplication ? c.app.name : c.unit.name;
    std::string expire;
    RETURN_IF_ERROR(ApplyMetadata(tx, update, s.meta, &expire));
    RETURN_IF_ERROR(CheckLabelFree(tx, c.model.id, owner, s.meta.owner, s.meta.label, ""));
    s.row = InsertSecret(tx, c.model.id, s.meta);
    AddRevision(tx, cipher_, s, *update.content, expire);
    id = s.meta.id;
    return absl::OkStatus();
  }));
  return id;
}

absl::Status SecretService::UpdateOwned(int64_t unit_id, const SecretRef& ref, const SecretUpdate& update) {
  if (update.content) RETURN_IF_ERROR(CheckContentKeys(*update.content));
  return db_->Write("UpdateSecret", [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Caller c, LoadCaller(tx, unit_id));
    ASSIGN_OR_RETURN(SecretRow s, ByUri(tx, c, ref.uri));
    RETURN_IF_ERROR(CheckManage(c, s.meta));
    std::string expire = s.meta.expire;
    RETURN_IF_ERROR(ApplyMetadata(tx, update, s.meta, &expire));
    RETURN_IF_ERROR(CheckLabelFree(tx, c.model.id, s.meta.owner_kind, s.meta.owner, s.meta.label, s.meta.id));
    UpdateMetadata(tx, s);
    if (update.content && !update.content->empty() && ContentChecksum(*update.content) != LatestChecksum(tx, s.row)) {
      AddRevision(tx, cipher_, s, *update.content, expire);
    } else if (update.expire) {
      sql::Exec(tx.db(), "UPDATE secret_revisions SET expire = ?3 WHERE secret_row = ?1 AND revision = ?2", s.row,
                s.meta.latest_revision, expire);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<RevealedContent> SecretService::GetContent(int64_t unit_id, const SecretRef& ref, bool peek,
                                                          bool refresh) {
  if (peek && refresh) return absl::InvalidArgumentError("specify one of --peek or --refresh but not both");
  RevealedContent out;
  RETURN_IF_ERROR(db_->Write("GetSecretContent", [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Caller c, LoadCaller(tx, unit_id));
    ASSIGN_OR_RETURN(SecretRow s, Resolve(tx, c, ref));
    if (!CanRead(tx, c, s)) return absl::PermissionDeniedError(kPermissionDenied);
    const bool set_label = !ref.uri.empty() && !ref.label.empty();
    if (Owns(c, s.meta)) {
      out.revision = s.meta.latest_revision;
      if (set_label && s.meta.label != ref.label) {
        RETURN_IF_ERROR(CheckLabelFree(tx, c.model.id, s.meta.owner_kind, s.meta.owner, ref.label, s.meta.id));
        s.meta.label = ref.label;
        UpdateMetadata(tx, s);
      }
    } else {
      std::optional<ConsumerRow> consumer = LoadConsumer(tx, s.row, c.unit.name);
      ConsumerRow next = consumer.value_or(ConsumerRow{"", s.meta.latest_revision});
      if (refresh) next.current_revision = s.meta.latest_revision;
      if (set_label) next.label = ref.label;
      out.revision = peek ? s.meta.latest_revision : next.current_revision;
      if (!consumer || consumer->current_revision != next.current_revision || consumer->label != next.label) {
        SaveConsumer(tx, s.row, c.unit.name, next);
      }
    }
    ASSIGN_OR_RETURN(out.content, ReadRevision(tx, cipher_, s.row, out.revision));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<SecretMetadata> SecretService::Info(int64_t unit_id, const SecretRef& ref) {
  SecretMetadata out;
  RETURN_IF_ERROR(db_->Read([&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Caller c, LoadCaller(tx, unit_id));
    ASSIGN_OR_RETURN(SecretRow s, Resolve(tx, c, ref));
    if (!Owns(c, s.meta)) return SecretNotFound(ref.uri.empty() ? ref.label : ref.uri);
    LoadDetails(tx, c.model.uuid, s);
    out = std::move(s.meta);
    return absl::OkStatus();
  }));
  return out;
}

absl::Status SecretService::Grant(int64_t unit_id, const std::string& uri, int64_t relation_id,
                                  const std::string& unit) {
  return db_->Write("GrantSecret", [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Caller c, LoadCaller(tx, unit_id));
    ASSIGN_OR_RETURN(SecretRow s, ByUri(tx, c, uri));
    RETURN_IF_ERROR(CheckManage(c, s.meta));
    ASSIGN_OR_RETURN(std::string remote_app, RemoteAppOf(tx, c, relation_id, unit));
    if (unit.empty()) {
      SaveGrant(tx, s.row, SubjectKind::kApplication, remote_app, relation_id);
    } else {
      SaveGrant(tx, s.row, SubjectKind::kUnit, unit, relation_id);
    }
    return absl::OkStatus();
  });
}

absl::Status SecretService::Revoke(int64_t unit_id, const std::string& uri, int64_t relation_id,
                                   const std::string& unit) {
  return db_->Write("RevokeSecret", [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Caller c, LoadCaller(tx, unit_id));
    ASSIGN_OR_RETURN(SecretRow s, ByUri(tx, c, uri));
    RETURN_IF_ERROR(CheckManage(c, s.meta));
    ASSIGN_OR_RETURN(std::string remote_app, RemoteAppOf(tx, c, relation_id, unit));
    if (unit.empty()) {
      DeleteGrant(tx, s.row, SubjectKind::kApplication, remote_app);
    } else {
      DeleteGrant(tx, s.row, SubjectKind::kUnit, unit);
    }
    return absl::OkStatus();
  });
}

absl::Status SecretService::RemoveOwned(int64_t unit_id, const std::string& uri, std::optional<int64_t> revision) {
  return db_->Write("RemoveSecret", [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Caller c, LoadCaller(tx, unit_id));
    ASSIGN_OR_RETURN(SecretRow s, ByUri(tx, c, uri));
    RETURN_IF_ERROR(CheckManage(c, s.meta));
    if (revision) return DeleteRevision(tx, s, *revision);
    DeleteSecret(tx, s.row);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<std::string>> SecretService::OwnedIds(int64_t unit_id) {
  std::vector<std::string> out;
  RETURN_IF_ERROR(db_->Read([&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Caller c, LoadCaller(tx, unit_id));
    auto q = sql::Prepare(tx.db(),
                          "SELECT secret_id FROM secrets WHERE model_id = ?1 AND ((owner_kind = 'application' AND "
                          "owner = ?2) OR (owner_kind = 'unit' AND owner = ?3)) ORDER BY secret_id",
                          c.model.id, c.app.name, c.unit.name);
    while (q.executeStep()) out.push_back("secret:" + q.getColumn(0).getString());
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace skein::controller::domain::secret
