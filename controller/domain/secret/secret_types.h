#pragma once

// The secrets model (juju-semantics §3.3, §11) as plain types: who owns a secret, what each
// revision holds, who may read it and which revision each reader tracks.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace skein::controller::domain::secret {

enum class OwnerKind { kApplication, kUnit, kModel };
// `application`, `unit`, `model`: the stored form and secret-info-get's `owner`.
const char* OwnerKindName(OwnerKind kind);
absl::StatusOr<OwnerKind> ParseOwnerKind(const std::string& text);

// Key to value, decoded (what secret-get prints).
using SecretContent = std::map<std::string, std::string>;

// Juju's rotate policies and how far apart their rotations are.
enum class RotatePolicy { kNever, kHourly, kDaily, kWeekly, kMonthly, kQuarterly, kYearly };
const char* RotatePolicyName(RotatePolicy policy);
// InvalidArgument `invalid secret rotate policy "x"` naming the valid ones.
absl::StatusOr<RotatePolicy> ParseRotatePolicy(const std::string& text);

struct RevisionInfo {
  int64_t revision = 0;
  std::string created;  // RFC 3339, seconds
  std::string updated;
  std::string expire;   // empty = never
};

// One reader's permission, as show-secret and secret-info-get list it.
struct AccessInfo {
  std::string target;  // `application-foo`, `unit-foo-0`
  std::string scope;   // `relation-<key>` or `model-<uuid>`
  std::string role;    // `view`
};

struct SecretMetadata {
  std::string id;  // the bare 20-character id
  OwnerKind owner_kind = OwnerKind::kModel;
  std::string owner;  // application or unit name; empty for the model
  std::string name;   // user secrets
  std::string label;  // the owner's label (or, for a reader, its own label)
  std::string description;
  std::optional<RotatePolicy> rotate;
  std::string next_rotate;  // RFC 3339; empty when it does not rotate
  std::string expire;       // of the latest revision; empty = never
  bool auto_prune = false;
  int64_t latest_revision = 0;
  std::string created, updated;
  std::vector<RevisionInfo> revisions;  // oldest first
  std::vector<AccessInfo> access;
};

// What secret-add / secret-set may change; unset fields are left alone.
struct SecretUpdate {
  std::optional<std::string> label;
  std::optional<std::string> description;
  std::optional<std::string> expire;  // RFC 3339, or a Go duration from now
  std::optional<RotatePolicy> rotate;
  std::optional<SecretContent> content;
};

// What secret-get names: an URI (`secret:<id>`, `secret://<model-uuid>/<id>` or the bare id),
// a label, or both (then the label is set).
struct SecretRef {
  std::string uri;
  std::string label;
};

struct RevealedContent {
  int64_t revision = 0;
  SecretContent content;
};

// A reader whose tracked revision is older than the latest (secret-changed), for the unit's
// snapshot.
struct ChangedSecret {
  std::string id;
  std::string label;     // the reader's label
  int64_t revision = 0;  // the latest
};

// InvalidArgument unless every key matches `^[a-z](?:-?[a-z0-9]){2,}$` (Juju's rule).
absl::Status CheckContentKeys(const SecretContent& content);

}  // namespace skein::controller::domain::secret
