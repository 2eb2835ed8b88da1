#pragma once

// The uids that unit agents and their hooks run under (privilege separation, issue 14). On a
// machine bootstrapped as root, every unit gets its own unprivileged uid (and a group with the
// same number) from one range of 65,536 ids, so that a charm cannot read the controller's files,
// the admin credential, the machine agent's credential or another unit's directory.
//
// The range belongs to skein alone: bootstrap refuses one that meets a user or group of the host
// (/etc/passwd, /etc/group) or a subordinate id range given to a user for containers
// (/etc/subuid, /etc/subgid). The default starts at 0x70000000, above the ranges systemd hands to
// containers (up to 0x6FFFFFFF) and Debian's subordinate ids, and below systemd's foreign range
// (0x7FFE0000) and the ids that read as negative numbers.

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace skein {

struct UidRange {
  static constexpr uint32_t kSize = 65536;
  static constexpr uint32_t kLowestDefault = 0x70000000;
  static constexpr uint32_t kDefaults = (0x7FFE0000 - kLowestDefault) / kSize;  // 4,094
  uint32_t first = kLowestDefault;

  uint32_t last() const { return first + (kSize - 1); }
  bool Contains(uint32_t id) const { return id >= first && id <= last(); }
  // `1879048192-1879113727`, as bootstrap.yaml and status show it.
  std::string ToString() const;
};

// The `index`-th default range (taken modulo kDefaults).
UidRange DefaultUidRange(uint32_t index);
// The index of the default range for the controller whose data dir is `data_dir`.
uint32_t DefaultUidRangeIndex(const std::string& data_dir);

// `--unit-uids FIRST`: a number with FIRST >= 65536 and the whole range below 0x7FFF0000.
// InvalidArgument naming the bounds otherwise.
absl::StatusOr<UidRange> ParseUidRangeFirst(const std::string& text);

// Where the host's users and subordinate ids are listed (tests point these at temp files).
struct HostIdFiles {
  std::string passwd = "/etc/passwd";
  std::string group = "/etc/group";
  std::string subuid = "/etc/subuid";
  std::string subgid = "/etc/subgid";
};

// OK when no id of `range` is a user's or group's id, nor inside a subordinate range; a missing
// file lists nothing. FailedPrecondition naming the first clash and the fix, e.g.
// `uid range 100000-165535 meets the subordinate uids of "alice" (100000-165535) in
// /etc/subuid; choose another first uid with --unit-uids FIRST`.
absl::Status CheckUidRangeIsFree(const UidRange& range, const HostIdFiles& files = {});

}  // namespace skein
