#pragma once

// Where skein keeps its files. `$SKEIN_DATA` (default `$XDG_DATA_HOME/skein`, else
// `/var/lib/skein` for root and `~/.local/share/skein` for others) holds:
//
//   client.yaml                 the CLI's controllers, admin credential and current model
//   controller/                 skein-controller: controller.db, controller.log, address (kept
//                               across restarts), controller.lock, pid
//   machine-0/                  skein-machine-agent of machine 0: agent.conf, log, pid
//     agents/<model-uuid>/      the unit agents of one model: a machine hosts units of every
//                               model, and two models may both have `app/0`
//       unit-app-0/             one dir per unit agent: agent.conf (with the model UUID),
//                               state.db, agent.log, agent.pid, charm/ (writable, persistent),
//                               tools/ (hook-tool links)
//       storage/data-0/         storage instance `data/0` of the model (issue 15): made by the
//                               machine agent for the unit it is attached to, owned by that
//                               unit's uid, kept when the unit goes unless --destroy-storage
//
// A unit agent's socket is not under $SKEIN_DATA but in a short private runtime directory
// named by a hash of (agent dir, model UUID, unit): see lib/base/runtime_dir.h.

#include <string>

#include "lib/base/names.h"

namespace skein {

std::string SkeinDataDir();
// Directory holding the running executable (for finding sibling binaries).
std::string ExecutableDir();

// Whether a user other than the owners can reach `path`: every directory from / down to it lets
// others pass (o+x). Unit agents run under their own uids need it for their dir and binaries.
// On false, `blocker` (when given) names the first directory that does not.
bool ReachableByOthers(const std::string& path, std::string* blocker = nullptr);

// `<agents_dir>/<model_uuid>/unit-<app>-<n>`: the directory of one unit agent (see above).
std::string UnitAgentDir(const std::string& agents_dir, const std::string& model_uuid, const UnitName& unit);

// `<model_dir>/storage/<name>-<n>` (model_dir = `<agents_dir>/<model-uuid>`): the directory of the
// model's storage instance `<name>/<n>` (see above). Empty when `storage_id` is not of that form,
// so that an id never names a path outside the model's storage dir.
std::string StorageDir(const std::string& model_dir, const std::string& storage_id);

}  // namespace skein
