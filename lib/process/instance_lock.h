#pragma once

// One daemon per data directory: an exclusive flock(2) on a lock file in it, held for the
// process's lifetime. The kernel drops the lock when the process exits however it exits
// (kill -9 included), so a stale lock file never blocks a restart.

#include <sys/types.h>

#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace skein::process {

class InstanceLock {
 public:
  // Locks `path` (created with mode 0600) without waiting and records our pid in it.
  // FailedPrecondition when another process holds it: `<who> (pid N) is already running on
  // <dir>` (the pid is left out if the holder has not recorded it yet); Internal when the file
  // cannot be opened or locked.
  static absl::StatusOr<InstanceLock> Acquire(const std::string& path, const std::string& who);

  InstanceLock(InstanceLock&& other) noexcept;
  InstanceLock& operator=(InstanceLock&& other) noexcept;
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;
  // Releases the lock (the file stays: removing it would race with the next holder).
  ~InstanceLock();

 private:
  explicit InstanceLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace skein::process
