#pragma once

// The machine agents of `add-machine` on the local substrate: each runs on this host with its
// own data dir, $SKEIN_DATA/machine-<id>, next to machine 0's, and is started the way bootstrap
// started machine 0's (under skein-supervisor when machine 0's agent is, so it restarts, and
// kill-controller stops it with the others: it finds every machine-<id> dir).

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/base/unit_uids.h"
#include "tools/cli/bootstrap/bootstrap.h"

namespace skein::cli::bootstrap {

// The dir of machine `id`'s agent in `data_dir`.
std::string LocalMachineDir(const std::string& data_dir, const std::string& id);

// The uid ranges for `count` new machines when machine 0's units run under their own uids (read
// from its agent.conf): default ranges that no other machine of data_dir uses and that meet no
// host user (CheckUidRangeIsFree). nullopt for each when machine 0 has no separation.
// FailedPrecondition when no free range is left.
absl::StatusOr<std::vector<std::optional<UidRange>>> NewMachineUnitUids(const BootstrapOptions& o, int count);

struct LocalMachine {
  std::string id;
  std::string credential;
  std::string controller;  // address
  std::string ca_cert;
  std::optional<UidRange> unit_uids;
};

// Writes machine-<id>/agent.conf and starts its agent, supervised when machine 0's is, waiting
// until it is ready (o.ready_timeout). On failure what was started and written is removed.
absl::Status StartLocalMachine(const BootstrapOptions& o, const LocalMachine& machine);

// Stops machine `id`'s agent and what it left, then removes its dir. Internal when the dir
// cannot be removed.
absl::Status StopLocalMachine(const BootstrapOptions& o, const std::string& id);

}  // namespace skein::cli::bootstrap
