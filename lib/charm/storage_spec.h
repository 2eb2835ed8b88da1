#pragma once

// The `storage:` section of metadata.yaml (juju-semantics §9.1) and the storage directives of
// `deploy --storage name=directive` (`2`, `10G`, `rootfs,2,10G`: a pool, a count and a size in
// any order). skein runs machines on the local substrate only: every storage instance is a
// directory, `block` storage too (there is no loop device; the charm gets a directory where Juju
// would give it a device path, README "Storage").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace YAML {
class Node;
}  // namespace YAML

namespace skein::charm {

enum class StorageKind { kFilesystem, kBlock };
std::string StorageKindName(StorageKind kind);  // "filesystem" | "block"
std::optional<StorageKind> ParseStorageKind(const std::string& name);

struct StorageSpec {
  std::string name;
  StorageKind kind = StorageKind::kFilesystem;
  std::string description;
  std::string location;  // filesystem only: where Juju would mount it (informational here)
  bool shared = false;
  bool read_only = false;
  uint64_t minimum_size_mib = 0;
  // `multiple: {range: ...}`: how many instances a unit may have. Without `multiple` exactly one.
  int count_min = 1;
  std::optional<int> count_max = 1;  // nullopt = no upper bound (`2-`, `2+`)
  std::vector<std::string> properties;  // `transient` is the only one Juju knows

  bool transient() const;
};

// Parses the value of `storage:` (a map name -> spec). InvalidArgument naming the storage and the
// field, e.g. `storage "data": type must be filesystem or block, not "disk"`,
// `storage "data": invalid multiple range "x" (expected N, N-M, N- or N+)`,
// `storage "data": location is not valid for block storage`.
absl::StatusOr<std::vector<StorageSpec>> ParseStorageSection(const YAML::Node& section);

// Sizes as Juju writes them: a number with an optional suffix M, G, T, P or E (binary, MiB by
// default, `10G` = 10240). InvalidArgument `invalid size "x"`.
absl::StatusOr<uint64_t> ParseSizeMiB(const std::string& text);

// One `--storage name=directive` value, every part optional.
struct StorageDirective {
  std::string name;
  std::string pool;                    // empty = the default pool (`rootfs`)
  std::optional<int> count;            // empty = the spec's minimum count
  std::optional<uint64_t> size_mib;    // empty = the spec's minimum size
};

// Parses `name=directive`. InvalidArgument with the fix, e.g.
// `invalid storage directive "data": expected name=[pool,][count,][size] such as data=2,10G`.
absl::StatusOr<StorageDirective> ParseStorageDirective(const std::string& text);

}  // namespace skein::charm
