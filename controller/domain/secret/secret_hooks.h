#pragma once

// What a unit's secret hooks are about (juju-semantics §1.2 step 5, §11), read into its
// snapshot (controller/watch/snapshots.cc), and what a secret-rotate hook's commit changes.
//   - secret-changed: a secret the unit reads has a newer revision than the one it tracks;
//   - secret-remove: a revision of a secret the unit owns is neither the latest nor tracked by
//     any reader (application secrets: the leader's hook);
//   - secret-rotate: an owned secret with a rotation policy falls due;
//   - secret-expired: an owned revision with an expiry falls due.
// The agent runs each hook once per event; rotation and expiry times are wall-clock times the
// agent compares with its own clock.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "controller/domain/core/db.h"
#include "controller/domain/core/rows.h"

namespace skein::controller::domain::secret {

struct SecretHookEvent {
  std::string uri;       // `secret:<id>`
  std::string label;     // the reader's own label, or the owner's
  int64_t revision = 0;  // changed: the latest; remove, expired: the revision; rotate: 0
  std::chrono::system_clock::time_point due{};  // rotate, expired
};

struct UnitSecretHooks {
  std::vector<SecretHookEvent> changed;
  std::vector<SecretHookEvent> obsolete;
  std::vector<SecretHookEvent> rotate;
  std::vector<SecretHookEvent> expired;
};

// The events for `unit` of `app` (`leader`: it manages the application's secrets).
UnitSecretHooks SecretHooksForUnit(Tx& tx, const UnitRow& unit, const AppRow& app);

// After a committed secret-rotate hook of `unit` for `uri`: the next rotation is one period of
// the secret's policy from now. NotFound for a secret the unit does not manage.
absl::Status SecretRotatedInTx(Tx& tx, const UnitRow& unit, const AppRow& app, const std::string& uri);

}  // namespace skein::controller::domain::secret
