#pragma once

// Deterministic crash points for the crash-recovery tests (DESIGN §5: local state persists after
// every operation step, so a `kill -9` anywhere resumes correctly). The agent reads
// SKEIN_AGENT_FAULT=<point>[:<hook-or-action-name>] once at start; when the named point is
// reached (for that hook or action, or for any when no name is given) the agent records that the
// fault fired in `<agent-dir>/fault-fired-<point>` and kills itself with SIGKILL. The marker makes
// each fault fire once per unit, so the restarted agent goes on normally.
//
// Points: `during-hook` (the hook process is running: its second hook-tool call),
// `after-hook-before-commit` (the hook exited 0, CommitHook not sent), `after-commit-before-persist`
// (CommitHook acknowledged, local state not saved), `during-action` (the action process is running).

#include <string>

namespace skein::agent::fault {

inline constexpr char kEnvVar[] = "SKEIN_AGENT_FAULT";
inline constexpr char kDuringHook[] = "during-hook";
inline constexpr char kAfterHookBeforeCommit[] = "after-hook-before-commit";
inline constexpr char kAfterCommitBeforePersist[] = "after-commit-before-persist";
inline constexpr char kDuringAction[] = "during-action";

// Reads `spec` (the env var's value; empty = no fault) for the agent in `agent_dir`.
void Configure(const std::string& agent_dir, const std::string& spec);
// Configure(agent_dir, getenv(SKEIN_AGENT_FAULT)).
void ConfigureFromEnvironment(const std::string& agent_dir);

// True when `point` is armed for `name` and has not fired yet for this unit.
bool Armed(const std::string& point, const std::string& name);

// Fires the fault (marker file, then SIGKILL: never returns) when Armed(point, name).
void Reached(const std::string& point, const std::string& name);

}  // namespace skein::agent::fault
