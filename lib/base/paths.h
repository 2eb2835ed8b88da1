#pragma once

// Where skein keeps its files. `$SKEIN_DATA` (default `~/.local/share/skein`) holds:
//
//   client.yaml                 the CLI's controllers, admin credential and current model
//   controller/                 skein-controller: controller.db, controller.log, address (kept
//                               across restarts), controller.lock, pid
//   machine-0/                  skein-machine-agent of machine 0: agent.conf, log, pid
//     agents/unit-app-0/        one dir per unit agent: agent.conf, state.db, agent.socket,
//                               charm/ (writable, persistent), tools/ (hook-tool links)

#include <string>

namespace skein {

std::string SkeinDataDir();
// Directory holding the running executable (for finding sibling binaries).
std::string ExecutableDir();

}  // namespace skein
