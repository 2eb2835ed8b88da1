#pragma once

// Helpers for the packed-charm tests and the charm transfer benchmark: charm directories
// written by the test, packed by python3's zipfile (a packer that is not skein's, laid out as
// charmcraft packs: Unix modes in the external attributes, symlinks as S_IFLNK entries), and
// the peak memory of skein's daemons.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {

// Writes a file (parents created) with `mode`.
void WriteTestFile(const std::string& path, const std::string& content, unsigned mode = 0644);

// Writes `size` pseudo-random bytes (incompressible) to `path`; returns their SHA-256.
std::string WriteRandomFile(const std::string& path, uint64_t size, uint32_t seed);

// Packs the directory `dir` into the zip `out` with python3's zipfile. `stored`: no
// compression (fast for random data). Internal with python's output when it fails.
absl::Status PackWithZipfile(const std::string& dir, const std::string& out, bool stored);

// Peak resident set (VmHWM, KiB) of a process; -1 when it cannot be read.
int64_t PeakRssKiB(int pid);

// The controller's pid (its pid file), or -1.
int ControllerPid(const Cluster& cluster);
// The pid of the unit agent (`skein-agent`) of the first unit of `app`, found among the
// processes under the cluster's SKEIN_DATA by its command line; -1 when none.
int UnitAgentPid(const Cluster& cluster, const std::string& app);

struct CharmMemoryFigures {
  int64_t controller_small_kib = 0;  // controller VmHWM after deploying the small charm
  int64_t controller_large_kib = 0;  // ... and after the large one
  int64_t agent_small_kib = 0;       // VmHWM of the small charm's unit agent, once it started
  int64_t agent_large_kib = 0;       // ... of the large charm's unit agent
  double large_deploy_seconds = 0;   // `skein deploy` of the large charm until its unit is active
};

// Deploys a charm carrying `small_bytes` of random data, then one carrying `large_bytes`, each
// packed by zipfile without compression, into the cluster's current model (bootstrapped, with
// a model), waits for each unit to be active and reads the peak memory of the controller and
// of each unit agent. Errors name the step that failed.
absl::StatusOr<CharmMemoryFigures> MeasureCharmTransferMemory(const Cluster& cluster, uint64_t small_bytes,
                                                              uint64_t large_bytes);

}  // namespace skein::e2e
