#pragma once

// Complete snapshots for agent streams (DESIGN §4: level-triggered, versioned), each with the
// change keys it depends on, and the sequencer that decides whether a rebuilt snapshot is worth
// sending.

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "google/protobuf/util/message_differencer.h"
#include "skein/v1/agent.pb.h"

namespace skein::controller::watch {

template <typename Snapshot>
struct View {
  Snapshot snapshot;  // version = the newest change_log seq at build time
  std::set<std::string> keys;
};

// Everything the uniter needs (agent.proto UnitSnapshot). NotFound `unit "x" not found` once
// the unit was removed.
absl::StatusOr<View<v1::UnitSnapshot>> BuildUnitSnapshot(domain::Db& db, int64_t unit_id);

// Units placed on the machine across all models (alive or dying), in natural order.
absl::StatusOr<View<v1::MachineSnapshot>> BuildMachineSnapshot(domain::Db& db, const std::string& machine_id);

// Model config as agents see it: Juju's defaults overlaid with the model's settings.
std::map<std::string, std::string> ModelConfigWithDefaults(const nlohmann::json& model_config);

// Hands out a snapshot only when it differs from the last one handed out (ignoring versions),
// with a version above every earlier one.
template <typename Snapshot>
class Sequencer {
 public:
  std::optional<Snapshot> Next(Snapshot snapshot) {
    int64_t version = snapshot.version();
    snapshot.set_version(0);
    if (last_ && google::protobuf::util::MessageDifferencer::Equals(*last_, snapshot)) return std::nullopt;
    last_ = snapshot;
    last_version_ = std::max(version, last_version_ + 1);
    snapshot.set_version(last_version_);
    return snapshot;
  }

 private:
  std::optional<Snapshot> last_;
  int64_t last_version_ = 0;
};

}  // namespace skein::controller::watch
