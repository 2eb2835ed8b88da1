// The model's SSH keys (`add-ssh-key`, `remove-ssh-key`, `ssh-keys`). On the local substrate
// nobody logs in with them (ssh runs the command on this host); they are kept as Juju keeps
// them so that suites which add a key and list it again see it.

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "controller/domain/core/sql.h"
#include "controller/domain/machine/machine_service.h"
#include "lib/base/sha256.h"

namespace skein::controller::domain::machine {
namespace {

absl::Status InvalidKey(const std::string& text) {
  return absl::InvalidArgumentError(absl::StrCat("invalid ssh key: ", text));
}

std::vector<SshKey> KeysOfModel(Tx& tx, int64_t model_id) {
  SQLite::Statement q = sql::Prepare(tx.db(), "SELECT fingerprint, comment, key FROM ssh_keys WHERE model_id = ? "
                                              "ORDER BY rowid", model_id);
  std::vector<SshKey> out;
  while (q.executeStep()) {
    out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString()});
  }
  return out;
}

}  // namespace

absl::StatusOr<SshKey> ParseSshKey(const std::string& text) {
  std::string line(absl::StripAsciiWhitespace(text));
  std::vector<std::string> fields = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (fields.size() < 2 || (!absl::StartsWith(fields[0], "ssh-") && !absl::StartsWith(fields[0], "ecdsa-"))) {
    return InvalidKey(text);
  }
  std::string blob;
  if (!absl::Base64Unescape(fields[1], &blob) || blob.empty()) return InvalidKey(text);
  SshKey key;
  // ssh-keygen -l: SHA256 of the decoded blob in unpadded base64.
  std::string encoded = absl::Base64Escape(absl::HexStringToBytes(Sha256Hex(blob)));
  key.fingerprint = absl::StrCat("SHA256:", absl::StripSuffix(absl::StripSuffix(encoded, "="), "="));
  std::vector<std::string> rest(fields.begin() + 2, fields.end());
  key.comment = absl::StrJoin(rest, " ");
  key.key = line;
  return key;
}

absl::StatusOr<std::vector<SshKey>> MachineService::AddSshKeys(const std::string& model,
                                                               const std::vector<std::string>& keys) {
  std::vector<SshKey> parsed;
  for (const std::string& text : keys) {
    auto key = ParseSshKey(text);
    if (!key.ok()) return key.status();
    parsed.push_back(std::move(*key));
  }
  absl::Status s = db_->Write("add-ssh-key", [&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    for (const SshKey& key : parsed) {
      if (sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM ssh_keys WHERE model_id = ? AND fingerprint = ?", m->id,
                        key.fingerprint) > 0) {
        return absl::AlreadyExistsError(
            absl::StrCat("duplicate ssh key: ", key.comment.empty() ? key.fingerprint : key.comment));
      }
      sql::Exec(tx.db(), "INSERT INTO ssh_keys(model_id, fingerprint, comment, key) VALUES (?, ?, ?, ?)", m->id,
                key.fingerprint, key.comment, key.key);
      tx.Record(m->id, "ssh-key", key.fingerprint, "add");
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return parsed;
}

absl::Status MachineService::RemoveSshKeys(const std::string& model, const std::vector<std::string>& ids) {
  return db_->Write("remove-ssh-key", [&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    std::vector<SshKey> keys = KeysOfModel(tx, m->id);
    for (const std::string& id : ids) {
      const std::string wanted(absl::StripAsciiWhitespace(id));
      auto match = std::find_if(keys.begin(), keys.end(), [&](const SshKey& k) {
        return k.fingerprint == wanted || (!k.comment.empty() && k.comment == wanted) || k.key == wanted;
      });
      if (match == keys.end()) return absl::NotFoundError(absl::StrCat("invalid ssh key: ", id));
      sql::Exec(tx.db(), "DELETE FROM ssh_keys WHERE model_id = ? AND fingerprint = ?", m->id, match->fingerprint);
      tx.Record(m->id, "ssh-key", match->fingerprint, "remove");
      keys.erase(match);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<SshKey>> MachineService::ListSshKeys(const std::string& model) {
  std::vector<SshKey> out;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    out = KeysOfModel(tx, m->id);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace skein::controller::domain::machine
