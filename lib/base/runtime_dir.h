#pragma once

// Short private directories for the unix sockets of unit agents. A socket path may hold at most
// 107 bytes, while an agent's directory grows with $SKEIN_DATA, the model UUID and the
// application name; so sockets live apart from the agent directory, in
//
//   <base>/<key>/agent.socket
//
// where <base> is chosen the way systemd-style tools choose a runtime directory:
//   $XDG_RUNTIME_DIR/skein  when XDG_RUNTIME_DIR is an absolute path to a directory owned by us,
//                           closed to other users (mode 0700), writable, and short enough
//                           for the longest socket path below;
//   /tmp/skein-<uid>        otherwise;
// and <key> is the first 16 hex characters of SHA-256(agent dir, model UUID, unit name), so the
// path is stable across agent restarts, unique per unit agent, and its length depends on
// neither $SKEIN_DATA nor the application name. Every directory is created 0700 and refused
// when it is a symlink, not ours, or open to other users.

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace skein {

// sockaddr_un::sun_path holds 108 bytes including the terminating NUL.
inline constexpr size_t kMaxSocketPathLength = 107;
inline constexpr char kAgentSocketName[] = "agent.socket";

// The base directory, created (0700) when missing. FailedPrecondition naming the directory and
// the fix when it exists but is a symlink, not a directory, another user's, or open to others.
absl::StatusOr<std::string> RuntimeBaseDir();

// `<base>/<key>` for one unit agent (see above), without creating anything. `agent_dir` is made
// absolute and normal first, so every caller gets the same path for the same agent.
std::string UnitRuntimeDir(const std::string& agent_dir, const std::string& model_uuid, const std::string& unit);

// UnitRuntimeDir(), created 0700 with its base and checked as above. Returns the path.
absl::StatusOr<std::string> MakeUnitRuntimeDir(const std::string& agent_dir, const std::string& model_uuid,
                                               const std::string& unit);

// Removes UnitRuntimeDir() with what is in it; fine when it does not exist. A path that is not a
// directory of ours is left alone (FailedPrecondition).
absl::Status RemoveUnitRuntimeDir(const std::string& agent_dir, const std::string& model_uuid,
                                  const std::string& unit);

// A unit agent run under its own uid (privilege separation, lib/base/unit_uids.h) has no
// XDG_RUNTIME_DIR, so its base is `/tmp/skein-<uid>`. Another user could take that name in /tmp
// first; so the machine agent (root) makes it before it starts the agent, 0700 and owned by
// `uid`, replacing whatever else is there, and removes it when the unit leaves.
std::string RuntimeBaseOfUid(uid_t uid);
// UnitRuntimeDir() of a unit agent run under `uid` (for root, which looks at it from outside).
std::string UnitRuntimeDirOfUid(uid_t uid, const std::string& agent_dir, const std::string& model_uuid,
                                const std::string& unit);
absl::Status PrepareRuntimeBaseOfUid(uid_t uid, gid_t gid);
absl::Status RemoveRuntimeBaseOfUid(uid_t uid);

// `<runtime dir>/agent.socket`.
std::string AgentSocketPath(const std::string& runtime_dir);

}  // namespace skein
