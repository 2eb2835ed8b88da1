#pragma once

// Secrets (juju-semantics §3.3, §11): named operations for the hook tools (a unit acting as an
// owner or a reader) and for the CLI's user secrets (owned by the model). Content is encrypted
// with the controller's key before it reaches the database (cipher.h) and is never logged.
//
// Who may do what, as in Juju 3.6:
//   - an application-owned secret is managed by the application's leader (`this unit is not
//     the leader` otherwise) and read by every unit of the application;
//   - a unit-owned secret by that unit only;
//   - anyone else reads a secret only with a grant to its application or to itself
//     (`permission denied`); the owner grants over a relation with the reader's application,
//     and a user grants a user secret to applications model-wide.
// Errors naming a secret that does not exist (or that the caller cannot see) say
// `secret "x" not found`, which ops turns into SecretNotFoundError.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "controller/domain/secret/cipher.h"
#include "controller/domain/secret/secret_types.h"

namespace skein::controller::domain::secret {

// Secrets a unit reads whose latest revision is newer than the one it tracks (secret-changed
// is due), by id.
std::vector<ChangedSecret> ChangedForConsumer(Tx& tx, int64_t model_id, const std::string& unit);

class SecretService {
 public:
  SecretService(Db* db, SecretCipher cipher) : db_(db), cipher_(std::move(cipher)) {}

  // --- The hook tools; `unit_id` is the calling unit's row.

  // secret-add. Content is required. Returns the bare id. AlreadyExists `secret with label "L"
  // already exists`; PermissionDenied `this unit is not the leader` for an application-owned
  // secret added by a follower; InvalidArgument for a bad key, expiry or an owner kind of model.
  absl::StatusOr<std::string> AddOwned(int64_t unit_id, OwnerKind owner, const SecretUpdate& update);
  // secret-set: metadata changes apply; new content adds a revision only when it differs from
  // the latest (Juju compares checksums).
  absl::Status UpdateOwned(int64_t unit_id, const SecretRef& ref, const SecretUpdate& update);
  // secret-get. Owners read the latest revision. A reader tracks a revision: its first read
  // starts tracking the latest, `refresh` moves it to the latest, `peek` reads the latest
  // without moving. A label with an URI sets the caller's label (the owner's label for an
  // owner). InvalidArgument when both peek and refresh are set.
  absl::StatusOr<RevealedContent> GetContent(int64_t unit_id, const SecretRef& ref, bool peek, bool refresh);
  // secret-info-get: owners only (others get `secret "x" not found`).
  absl::StatusOr<SecretMetadata> Info(int64_t unit_id, const SecretRef& ref);
  // secret-grant / secret-revoke over relation `relation_id` to its other application, or only
  // to `unit` of it. NotFound `relation N not found`; InvalidArgument when the unit is not of the
  // relation's remote application.
  absl::Status Grant(int64_t unit_id, const std::string& uri, int64_t relation_id, const std::string& unit);
  absl::Status Revoke(int64_t unit_id, const std::string& uri, int64_t relation_id, const std::string& unit);
  // secret-remove: one revision, or the whole secret. NotFound `revision N of secret "x" not
  // found`.
  absl::Status RemoveOwned(int64_t unit_id, const std::string& uri, std::optional<int64_t> revision);
  // secret-ids: URIs (`secret:<id>`) of the secrets the unit or its application owns.
  absl::StatusOr<std::vector<std::string>> OwnedIds(int64_t unit_id);

  // --- User secrets (the CLI). `identifier` is an URI, a bare id or the secret's name.

  // add-secret. AlreadyExists `secret with name "x" already exists`.
  absl::StatusOr<std::string> AddUserSecret(const std::string& model, const std::string& name,
                                            const std::string& description, const SecretContent& content);
  struct UserUpdate {
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<bool> auto_prune;
    std::optional<SecretContent> content;
  };
  // update-secret: only user secrets (NotFound for a charm's).
  absl::Status UpdateUserSecret(const std::string& model, const std::string& identifier, const UserUpdate& update);
  absl::Status RemoveUserSecret(const std::string& model, const std::string& identifier,
                                std::optional<int64_t> revision);
  // grant-secret / revoke-secret: the applications must exist (`application "x" not found`).
  absl::Status GrantUserSecret(const std::string& model, const std::string& identifier,
                               const std::vector<std::string>& applications);
  absl::Status RevokeUserSecret(const std::string& model, const std::string& identifier,
                                const std::vector<std::string>& applications);
  // secrets: every secret of the model, or those of `owner` (`<model>`/`model`, an application,
  // a unit, or their tags `application-x`, `unit-x-0`), by id.
  absl::StatusOr<std::vector<SecretMetadata>> List(const std::string& model, const std::string& owner);
  // show-secret; `reveal` adds the content of `revision` (the latest when unset).
  struct Shown {
    SecretMetadata metadata;
    std::optional<RevealedContent> content;
  };
  absl::StatusOr<Shown> Show(const std::string& model, const std::string& identifier, bool reveal,
                             std::optional<int64_t> revision);

 private:
  Db* db_;
  SecretCipher cipher_;
};

}  // namespace skein::controller::domain::secret
