#pragma once

// Rows of the secret tables (schema 0015) for the secret service: loading, inserting revisions
// (sealed with the controller's key) and deleting. Internal to domain/secret.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "controller/domain/secret/cipher.h"
#include "controller/domain/secret/secret_types.h"

namespace skein::controller::domain::secret {

struct SecretRow {
  int64_t row = 0;
  int64_t model_id = 0;
  SecretMetadata meta;
};

std::optional<SecretRow> LoadSecret(Tx& tx, int64_t model_id, const std::string& id);
std::optional<SecretRow> LoadByOwnerLabel(Tx& tx, int64_t model_id, OwnerKind kind, const std::string& owner,
                                          const std::string& label);
std::optional<SecretRow> LoadByName(Tx& tx, int64_t model_id, const std::string& name);
std::vector<SecretRow> LoadModelSecrets(Tx& tx, int64_t model_id);  // by id
// Adds the revisions and the access list (with `model_uuid` for model-wide grants).
void LoadDetails(Tx& tx, const std::string& model_uuid, SecretRow& secret);

int64_t InsertSecret(Tx& tx, int64_t model_id, const SecretMetadata& meta);
// Touches the owner's application and every reader's unit (their snapshots list secret hooks).
void TouchSecretWatchers(Tx& tx, int64_t secret_row);
void UpdateMetadata(Tx& tx, const SecretRow& secret);
// Stores `content` as revision `revision` and makes it the latest; touches the units that read
// the secret (their secret-changed is due).
void AddRevision(Tx& tx, const SecretCipher& cipher, SecretRow& secret, const SecretContent& content,
                 const std::string& expire);
absl::StatusOr<SecretContent> ReadRevision(Tx& tx, const SecretCipher& cipher, int64_t secret_row, int64_t revision);
// The checksum of the latest revision (empty when there is none).
std::string LatestChecksum(Tx& tx, int64_t secret_row);
std::string ContentChecksum(const SecretContent& content);
void DeleteSecret(Tx& tx, int64_t secret_row);
// NotFound `revision N of secret "x" not found`. Removing the only revision removes the secret.
absl::Status DeleteRevision(Tx& tx, SecretRow& secret, int64_t revision);

// The reader's tracked revision and label, when it read the secret before.
struct ConsumerRow {
  std::string label;
  int64_t current_revision = 0;
};
std::optional<ConsumerRow> LoadConsumer(Tx& tx, int64_t secret_row, const std::string& unit);
void SaveConsumer(Tx& tx, int64_t secret_row, const std::string& unit, const ConsumerRow& consumer);
// The secret a reader labelled `label`.
std::optional<std::string> ConsumerLabelled(Tx& tx, int64_t model_id, const std::string& unit,
                                            const std::string& label);

enum class SubjectKind { kApplication, kUnit };
void SaveGrant(Tx& tx, int64_t secret_row, SubjectKind kind, const std::string& subject, int64_t relation_id);
void DeleteGrant(Tx& tx, int64_t secret_row, SubjectKind kind, const std::string& subject);
bool HasGrant(Tx& tx, int64_t secret_row, SubjectKind kind, const std::string& subject);

// An expiry as the tools and commands give it: RFC 3339, or a Go duration from `now`. Returned
// as RFC 3339 in seconds. InvalidArgument otherwise.
absl::StatusOr<std::string> ResolveExpiry(const std::string& text, std::chrono::system_clock::time_point now);
// When a secret with `policy` next rotates, counted from `now` (empty for never).
std::string NextRotation(RotatePolicy policy, std::chrono::system_clock::time_point now);

}  // namespace skein::controller::domain::secret
