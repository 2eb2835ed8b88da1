#include "controller/domain/secret/secret_store.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "controller/domain/secret/secret_id.h"
#include "lib/base/duration.h"
#include "lib/base/sha256.h"
#include "lib/base/time.h"
#include "nlohmann/json.hpp"

namespace skein::controller::domain::secret {
namespace {

constexpr const char* kSecretColumns =
    "SELECT id, model_id, secret_id, owner_kind, owner, name, label, description, rotate_policy, next_rotate, "
    "auto_prune, latest_revision, created, updated FROM secrets ";

SecretRow ReadRow(SQLite::Statement& q) {
  SecretRow s;
  s.row = q.getColumn(0).getInt64();
  s.model_id = q.getColumn(1).getInt64();
  SecretMetadata& m = s.meta;
  m.id = q.getColumn(2).getString();
  m.owner_kind = ParseOwnerKind(q.getColumn(3).getString()).value_or(OwnerKind::kModel);
  m.owner = q.getColumn(4).getString();
  m.name = q.getColumn(5).getString();
  m.label = q.getColumn(6).getString();
  m.description = q.getColumn(7).getString();
  if (std::string policy = q.getColumn(8).getString(); !policy.empty()) {
    if (auto p = ParseRotatePolicy(policy); p.ok()) m.rotate = *p;
  }
  m.next_rotate = q.getColumn(9).getString();
  m.auto_prune = q.getColumn(10).getInt() != 0;
  m.latest_revision = q.getColumn(11).getInt64();
  m.created = q.getColumn(12).getString();
  m.updated = q.getColumn(13).getString();
  return s;
}

template <typename... Args>
std::optional<SecretRow> LoadOne(Tx& tx, const char* where, const Args&... args) {
  auto q = sql::Prepare(tx.db(), (std::string(kSecretColumns) + where).c_str(), args...);
  if (!q.executeStep()) return std::nullopt;
  SecretRow s = ReadRow(q);
  s.meta.expire = [&] {
    auto e = sql::Prepare(tx.db(), "SELECT expire FROM secret_revisions WHERE secret_row = ?1 AND revision = ?2", s.row,
                          s.meta.latest_revision);
    return e.executeStep() ? e.getColumn(0).getString() : std::string();
  }();
  return s;
}

const char* SubjectKindName(SubjectKind kind) { return kind == SubjectKind::kApplication ? "application" : "unit"; }

std::string Now(Tx& tx) { return FormatRfc3339(tx.clock().WallNow()); }

}  // namespace

std::optional<SecretRow> LoadSecret(Tx& tx, int64_t model_id, const std::string& id) {
  return LoadOne(tx, "WHERE model_id = ?1 AND secret_id = ?2", model_id, id);
}

std::optional<SecretRow> LoadByOwnerLabel(Tx& tx, int64_t model_id, OwnerKind kind, const std::string& owner,
                                          const std::string& label) {
  return LoadOne(tx, "WHERE model_id = ?1 AND owner_kind = ?2 AND owner = ?3 AND label = ?4", model_id,
                 OwnerKindName(kind), owner, label);
}

std::optional<SecretRow> LoadByName(Tx& tx, int64_t model_id, const std::string& name) {
  return LoadOne(tx, "WHERE model_id = ?1 AND owner_kind = 'model' AND name = ?2", model_id, name);
}

std::vector<SecretRow> LoadModelSecrets(Tx& tx, int64_t model_id) {
  std::vector<std::string> ids;
  auto q = sql::Prepare(tx.db(), "SELECT secret_id FROM secrets WHERE model_id = ?1 ORDER BY secret_id", model_id);
  while (q.executeStep()) ids.push_back(q.getColumn(0).getString());
  std::vector<SecretRow> out;
  for (const std::string& id : ids) {
    if (auto s = LoadSecret(tx, model_id, id)) out.push_back(std::move(*s));
  }
  return out;
}

void LoadDetails(Tx& tx, const std::string& model_uuid, SecretRow& secret) {
  secret.meta.revisions.clear();
  auto r = sql::Prepare(tx.db(),
                        "SELECT revision, created, updated, expire FROM secret_revisions WHERE secret_row = ?1 "
                        "ORDER BY revision",
                        secret.row);
  while (r.executeStep()) {
    secret.meta.revisions.push_back(
        {r.getColumn(0).getInt64(), r.getColumn(1).getString(), r.getColumn(2).getString(), r.getColumn(3).getString()});
  }
  secret.meta.access.clear();
  auto g = sql::Prepare(tx.db(),
                        "SELECT subject_kind, subject, relation_id FROM secret_grants WHERE secret_row = ?1 "
                        "ORDER BY subject_kind, subject",
                        secret.row);
  while (g.executeStep()) {
    AccessInfo a;
    std::string subject = g.getColumn(1).getString();
    if (g.getColumn(0).getString() == "unit") {
      std::replace(subject.begin(), subject.end(), '/', '-');
      a.target = "unit-" + subject;
    } else {
      a.target = "application-" + subject;
    }
    int64_t relation_id = g.getColumn(2).getInt64();
    std::optional<RelationRow> relation;
    if (relation_id >= 0) relation = LookupRelation(tx, secret.model_id, relation_id);
    a.scope = relation ? "relation-" + relation->key : "model-" + model_uuid;
    a.role = "view";
    secret.meta.access.push_back(std::move(a));
  }
}

// Secret hooks (secret_hooks.h) are in the snapshots of the owner's units and the readers'
// units: every change to a secret, its revisions or its readers' tracked revisions touches both.
void TouchSecretWatchers(Tx& tx, int64_t secret_row) {
  auto owner = sql::Prepare(tx.db(),
                            "SELECT a.id FROM secrets s JOIN applications a ON a.model_id = s.model_id AND a.name = "
                            "CASE s.owner_kind WHEN 'application' THEN s.owner "
                            "WHEN 'unit' THEN substr(s.owner, 1, instr(s.owner, '/') - 1) END WHERE s.id = ?1",
                            secret_row);
  while (owner.executeStep()) tx.Touch(AppKey(owner.getColumn(0).getInt64()));
  auto readers = sql::Prepare(tx.db(),
                              "SELECT u.id FROM secret_consumers c JOIN secrets s ON s.id = c.secret_row "
                              "JOIN units u ON u.name = c.consumer AND u.model_id = s.model_id WHERE c.secret_row = ?1",
                              secret_row);
  while (readers.executeStep()) tx.Touch(UnitKey(readers.getColumn(0).getInt64()));
}

int64_t InsertSecret(Tx& tx, int64_t model_id, const SecretMetadata& m) {
  const std::string now = Now(tx);
  sql::Exec(tx.db(),
            "INSERT INTO secrets (model_id, secret_id, owner_kind, owner, name, label, description, rotate_policy, "
            "next_rotate, auto_prune, latest_revision, created, updated) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, ?11, ?11)",
            model_id, m.id, OwnerKindName(m.owner_kind), m.owner, m.name, m.label, m.description,
            m.rotate ? RotatePolicyName(*m.rotate) : "", m.next_rotate, m.auto_prune, now);
  return tx.db().getLastInsertRowid();
}

void UpdateMetadata(Tx& tx, const SecretRow& s) {
  const SecretMetadata& m = s.meta;
  sql::Exec(tx.db(),
            "UPDATE secrets SET name = ?2, label = ?3, description = ?4, rotate_policy = ?5, next_rotate = ?6, "
            "auto_prune = ?7, updated = ?8 WHERE id = ?1",
            s.row, m.name, m.label, m.description, m.rotate ? RotatePolicyName(*m.rotate) : "", m.next_rotate,
            m.auto_prune, Now(tx));
  TouchSecretWatchers(tx, s.row);
}

std::string ContentChecksum(const SecretContent& content) {
  return Sha256Hex(nlohmann::json(content).dump());
}

void AddRevision(Tx& tx, const SecretCipher& cipher, SecretRow& secret, const SecretContent& content,
                 const std::string& expire) {
  const int64_t revision = secret.meta.latest_revision + 1;
  const std::string plaintext = nlohmann::json(content).dump();
  Sealed sealed = cipher.Seal(plaintext);
  const std::string now = Now(tx);
  SQLite::Statement q(tx.db(),
                      "INSERT INTO secret_revisions (secret_row, revision, nonce, sealed, checksum, expire, created, "
                      "updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)");
  q.bind(1, secret.row);
  q.bind(2, revision);
  q.bind(3, sealed.nonce.data(), static_cast<int>(sealed.nonce.size()));
  q.bind(4, sealed.ciphertext.data(), static_cast<int>(sealed.ciphertext.size()));
  q.bind(5, ContentChecksum(content));
  q.bind(6, expire);
  q.bind(7, now);
  q.exec();
  sql::Exec(tx.db(), "UPDATE secrets SET latest_revision = ?2, updated = ?3 WHERE id = ?1", secret.row, revision,
            now);
  secret.meta.latest_revision = revision;
  secret.meta.expire = expire;
  TouchSecretWatchers(tx, secret.row);
}

absl::StatusOr<SecretContent> ReadRevision(Tx& tx, const SecretCipher& cipher, int64_t secret_row, int64_t revision) {
  auto q = sql::Prepare(tx.db(), "SELECT nonce, sealed FROM secret_revisions WHERE secret_row = ?1 AND revision = ?2",
                        secret_row, revision);
  if (!q.executeStep()) return absl::NotFoundError(absl::StrCat("secret revision ", revision, " not found"));
  Sealed sealed;
  sealed.nonce = q.getColumn(0).getString();
  sealed.ciphertext = q.getColumn(1).getString();
  auto plain = cipher.Open(sealed);
  if (!plain.ok()) return plain.status();
  nlohmann::json doc = nlohmann::json::parse(*plain, nullptr, false);
  if (!doc.is_object()) return absl::DataLossError("stored secret content is not a mapping");
  SecretContent content;
  for (const auto& [k, v] : doc.items()) {
    if (v.is_string()) content[k] = v.get<std::string>();
  }
  return content;
}

std::string LatestChecksum(Tx& tx, int64_t secret_row) {
  auto q = sql::Prepare(tx.db(),
                        "SELECT checksum FROM secret_revisions WHERE secret_row = ?1 ORDER BY revision DESC LIMIT 1",
                        secret_row);
  return q.executeStep() ? q.getColumn(0).getString() : std::string();
}

void DeleteSecret(Tx& tx, int64_t secret_row) {
  TouchSecretWatchers(tx, secret_row);
  for (const char* table : {"secret_revisions", "secret_consumers", "secret_grants"}) {
    sql::Exec(tx.db(), absl::StrCat("DELETE FROM ", table, " WHERE secret_row = ?1").c_str(), secret_row);
  }
  sql::Exec(tx.db(), "DELETE FROM secrets WHERE id = ?1", secret_row);
}

absl::Status DeleteRevision(Tx& tx, SecretRow& secret, int64_t revision) {
  TouchSecretWatchers(tx, secret.row);
  int removed = sql::Exec(tx.db(), "DELETE FROM secret_revisions WHERE secret_row = ?1 AND revision = ?2", secret.row,
                          revision);
  if (removed == 0) {
    return absl::NotFoundError(absl::StrCat("revision ", revision, " of secret \"", secret.meta.id, "\" not found"));
  }
  if (sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM secret_revisions WHERE secret_row = ?1", secret.row) == 0) {
    DeleteSecret(tx, secret.row);
  }
  return absl::OkStatus();
}

std::optional<ConsumerRow> LoadConsumer(Tx& tx, int64_t secret_row, const std::string& unit) {
  auto q = sql::Prepare(tx.db(), "SELECT label, current_revision FROM secret_consumers WHERE secret_row = ?1 AND consumer = ?2",
                        secret_row, unit);
  if (!q.executeStep()) return std::nullopt;
  return ConsumerRow{q.getColumn(0).getString(), q.getColumn(1).getInt64()};
}

void SaveConsumer(Tx& tx, int64_t secret_row, const std::string& unit, const ConsumerRow& c) {
  sql::Exec(tx.db(),
            "INSERT INTO secret_consumers (secret_row, consumer, label, current_revision) VALUES (?1, ?2, ?3, ?4) "
            "ON CONFLICT (secret_row, consumer) DO UPDATE SET label = ?3, current_revision = ?4",
            secret_row, unit, c.label, c.current_revision);
  TouchSecretWatchers(tx, secret_row);
}

std::optional<std::string> ConsumerLabelled(Tx& tx, int64_t model_id, const std::string& unit,
                                            const std::string& label) {
  auto q = sql::Prepare(tx.db(),
                        "SELECT s.secret_id FROM secret_consumers c JOIN secrets s ON s.id = c.secret_row "
                        "WHERE s.model_id = ?1 AND c.consumer = ?2 AND c.label = ?3",
                        model_id, unit, label);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

void SaveGrant(Tx& tx, int64_t secret_row, SubjectKind kind, const std::string& subject, int64_t relation_id) {
  sql::Exec(tx.db(),
            "INSERT INTO secret_grants (secret_row, subject_kind, subject, relation_id) VALUES (?1, ?2, ?3, ?4) "
            "ON CONFLICT (secret_row, subject_kind, subject) DO UPDATE SET relation_id = ?4",
            secret_row, SubjectKindName(kind), subject, relation_id);
}

void DeleteGrant(Tx& tx, int64_t secret_row, SubjectKind kind, const std::string& subject) {
  sql::Exec(tx.db(), "DELETE FROM secret_grants WHERE secret_row = ?1 AND subject_kind = ?2 AND subject = ?3",
            secret_row, SubjectKindName(kind), subject);
}

bool HasGrant(Tx& tx, int64_t secret_row, SubjectKind kind, const std::string& subject) {
  return sql::QueryInt(tx.db(), 0,
                       "SELECT 1 FROM secret_grants WHERE secret_row = ?1 AND subject_kind = ?2 AND subject = ?3",
                       secret_row, SubjectKindName(kind), subject) == 1;
}

absl::StatusOr<std::string> ResolveExpiry(const std::string& text, std::chrono::system_clock::time_point now) {
  if (auto d = ParseDuration(text); d.ok()) {
    return FormatRfc3339(now + std::chrono::duration_cast<std::chrono::system_clock::duration>(*d));
  }
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return FormatRfc3339(absl::ToChronoTime(t));
  return absl::InvalidArgumentError(
      absl::StrCat("invalid expire value \"", text, "\": give a duration (24h) or an RFC 3339 time"));
}

std::string NextRotation(RotatePolicy policy, std::chrono::system_clock::time_point now) {
  using std::chrono::hours;
  hours every{0};
  switch (policy) {
    case RotatePolicy::kNever:
      return "";
    case RotatePolicy::kHourly:
      every = hours(1);
      break;
    case RotatePolicy::kDaily:
      every = hours(24);
      break;
    case RotatePolicy::kWeekly:
      every = hours(24 * 7);
      break;
    case RotatePolicy::kMonthly:
      every = hours(24 * 30);
      break;
    case RotatePolicy::kQuarterly:
      every = hours(24 * 90);
      break;
    case RotatePolicy::kYearly:
      every = hours(24 * 365);
      break;
  }
  return FormatRfc3339(now + every);
}

}  // namespace skein::controller::domain::secret
