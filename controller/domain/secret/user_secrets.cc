// SecretService: user secrets and the listings (`add-secret`, `update-secret`, `remove-secret`,
// `grant-secret`, `revoke-secret`, `secrets`, `show-secret`).

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/secret/secret_id.h"
#include "controller/domain/secret/secret_service.h"
#include "controller/domain/secret/secret_store.h"
#include "lib/base/status_macros.h"

namespace skein::controller::domain::secret {
namespace {

// The secret `identifier` names in the model: an URI or bare id, else a user secret's name.
absl::StatusOr<SecretRow> Identify(Tx& tx, const ModelRow& model, const std::string& identifier) {
  if (auto parsed = ParseSecretUri(identifier); parsed.ok()) {
    if (!parsed->model_uuid.empty() && parsed->model_uuid != model.uuid) return SecretNotFound(identifier);
    if (auto s = LoadSecret(tx, model.id, parsed->id)) return *s;
  }
  if (auto s = LoadByName(tx, model.id, identifier)) return *s;
  return SecretNotFound(identifier);
}

absl::StatusOr<SecretRow> IdentifyUserSecret(Tx& tx, const ModelRow& model, const std::string& identifier) {
  ASSIGN_OR_RETURN(SecretRow s, Identify(tx, model, identifier));
  if (s.meta.owner_kind != OwnerKind::kModel) {
    return absl::FailedPreconditionError(
        absl::StrCat("secret \"", identifier, "\" is owned by ", s.meta.owner, ": only user secrets change here"));
  }
  return s;
}

absl::Status CheckNameFree(Tx& tx, int64_t model_id, const std::string& name, const std::string& except_id) {
  if (name.empty()) return absl::InvalidArgumentError("a user secret needs a name");
  auto other = LoadByName(tx, model_id, name);
  if (other && other->meta.id != except_id) {
    return absl::AlreadyExistsError(absl::StrCat("secret with name \"", name, "\" already exists"));
  }
  return absl::OkStatus();
}

// Whether `owner` (as `secrets --owner` takes it) names the secret's owner.
bool OwnerMatches(const SecretMetadata& m, const std::string& owner, const std::string& model_name) {
  if (owner.empty()) return true;
  if (m.owner_kind == OwnerKind::kModel) return owner == "model" || owner == model_name || owner == "<model>";
  std::string tag = m.owner;
  std::replace(tag.begin(), tag.end(), '/', '-');
  tag = absl::StrCat(OwnerKindName(m.owner_kind), "-", tag);
  return owner == m.owner || owner == tag;
}

}  // namespace

absl::StatusOr<std::string> SecretService::AddUserSecret(const std::string& model, const std::string& name,
                                                         const std::string& description,
                                                         const SecretContent& content) {
  if (content.empty()) return absl::InvalidArgumentError("missing secret value");
  RETURN_IF_ERROR(CheckContentKeys(content));
  std::string id;
  RETURN_IF_ERROR(db_->Write("AddUserSecret", [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(ModelRow m, FindModel(tx, model));
    RETURN_IF_ERROR(CheckNameFree(tx, m.id, name, ""));
    SecretRow s;
    s.model_id = m.id;
    s.meta.id = NewSecretId(tx.clock().WallNow());
    s.meta.owner_kind = OwnerKind::kModel;
    s.meta.name = name;
    s.meta.description = description;
    s.row = InsertSecret(tx, m.id, s.meta);
    AddRevision(tx, cipher_, s, content, "");
    id = s.meta.id;
    return absl::OkStatus();
  }));
  return id;
}

absl::Status SecretService::UpdateUserSecret(const std::string& model, const std::string& identifier,
                                             const UserUpdate& update) {
  if (update.content) RETURN_IF_ERROR(CheckContentKeys(*update.content));
  return db_->Write("UpdateUserSecret", [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(ModelRow m, FindModel(tx, model));
    ASSIGN_OR_RETURN(SecretRow s, IdentifyUserSecret(tx, m, identifier));
    if (update.name) {
      RETURN_IF_ERROR(CheckNameFree(tx, m.id, *update.name, s.meta.id));
      s.meta.name = *update.name;
    }
    if (update.description) s.meta.description = *update.description;
    if (update.auto_prune) s.meta.auto_prune = *update.auto_prune;
    UpdateMetadata(tx, s);
    if (update.content && !update.content->empty() && ContentChecksum(*update.content) != LatestChecksum(tx, s.row)) {
      AddRevision(tx, cipher_, s, *update.content, "");
    }
    return absl::OkStatus();
  });
}

absl::Status SecretService::RemoveUserSecret(const std::string& model, const std::string& identifier,
                                             std::optional<int64_t> revision) {
  return db_->Write("RemoveUserSecret", [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(ModelRow m, FindModel(tx, model));
    ASSIGN_OR_RETURN(SecretRow s, IdentifyUserSecret(tx, m, identifier));
    if (revision) return DeleteRevision(tx, s, *revision);
    DeleteSecret(tx, s.row);
    return absl::OkStatus();
  });
}

absl::Status SecretService::GrantUserSecret(const std::string& model, const std::string& identifier,
                                            const std::vector<std::string>& applications) {
  return db_->Write("GrantUserSecret", [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(ModelRow m, FindModel(tx, model));
    ASSIGN_OR_RETURN(SecretRow s, IdentifyUserSecret(tx, m, identifier));
    for (const std::string& app : applications) {
      RETURN_IF_ERROR(FindApp(tx, m.id, app).status());
      SaveGrant(tx, s.row, SubjectKind::kApplication, app, -1);
    }
    return absl::OkStatus();
  });
}

absl::Status SecretService::RevokeUserSecret(const std::string& model, const std::string& identifier,
                                             const std::vector<std::string>& applications) {
  return db_->Write("RevokeUserSecret", [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(ModelRow m, FindModel(tx, model));
    ASSIGN_OR_RETURN(SecretRow s, IdentifyUserSecret(tx, m, identifier));
    for (const std::string& app : applications) {
      RETURN_IF_ERROR(FindApp(tx, m.id, app).status());
      DeleteGrant(tx, s.row, SubjectKind::kApplication, app);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<SecretMetadata>> SecretService::List(const std::string& model, const std::string& owner) {
  std::vector<SecretMetadata> out;
  RETURN_IF_ERROR(db_->Read([&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(ModelRow m, FindModel(tx, model));
    for (SecretRow& s : LoadModelSecrets(tx, m.id)) {
      if (!OwnerMatches(s.meta, owner, m.name)) continue;
      LoadDetails(tx, m.uuid, s);
      out.push_back(std::move(s.meta));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<SecretService::Shown> SecretService::Show(const std::string& model, const std::string& identifier,
                                                         bool reveal, std::optional<int64_t> revision) {
  Shown out;
  RETURN_IF_ERROR(db_->Read([&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(ModelRow m, FindModel(tx, model));
    ASSIGN_OR_RETURN(SecretRow s, Identify(tx, m, identifier));
    LoadDetails(tx, m.uuid, s);
    if (reveal) {
      RevealedContent content;
      content.revision = revision.value_or(s.meta.latest_revision);
      auto read = ReadRevision(tx, cipher_, s.row, content.revision);
      if (!read.ok() && absl::IsNotFound(read.status())) {
        return absl::NotFoundError(
            absl::StrCat("revision ", content.revision, " of secret \"", identifier, "\" not found"));
      }
      RETURN_IF_ERROR(read.status());
      content.content = std::move(*read);
      out.content = std::move(content);
    }
    out.metadata = std::move(s.meta);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace skein::controller::domain::secret
