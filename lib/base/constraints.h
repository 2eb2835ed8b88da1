#pragma once

// The one parser of Juju's constraints (`set-model-constraints mem=1G cores=2`, and a bundle's
// `constraints:` text): the keys Juju 3.6 knows, each with its type, and the canonical text they
// are stored in. Sizes (mem, root-disk) are MiB, with Juju's M/G/T/P suffixes (M when none).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace skein {

struct Constraints {
  std::optional<std::string> arch;
  std::optional<std::string> container;
  std::optional<uint64_t> cores;
  std::optional<uint64_t> cpu_power;
  std::optional<double> mem;        // MiB
  std::optional<double> root_disk;  // MiB
  std::optional<std::string> root_disk_source;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::string> instance_role;
  std::optional<std::string> instance_type;
  std::optional<std::vector<std::string>> spaces;
  std::optional<std::string> virt_type;
  std::optional<std::vector<std::string>> zones;
  std::optional<bool> allocate_public_ip;
  std::optional<std::string> image_id;

  bool operator==(const Constraints&) const = default;
};

// One set constraint with its typed value, as `model-constraints --format json` prints it.
// A size is a double: whole MiB print as integers (mem=1G reads back 1024).
using ConstraintValue = std::variant<std::string, uint64_t, double, bool, std::vector<std::string>>;
struct ConstraintField {
  std::string key;
  ConstraintValue value;
};

// A size that is a whole number of MiB, which Juju prints as an integer; nullopt otherwise.
std::optional<uint64_t> WholeMib(double mib);

// Every key Juju 3.6 knows, in the order Juju prints them.
const std::vector<std::string>& ConstraintKeys();

// Parses `key=value` items separated by spaces (several arguments joined with spaces parse the
// same). An empty value leaves the key unset, as in Juju. InvalidArgument:
//   `unknown constraint "x" (valid constraints: arch, container, ...)`,
//   `malformed constraint "x": expected key=value`,
//   `bad "mem" constraint: must be a non-negative float with optional M/G/T/P suffix` (root-disk too),
//   `bad "cores" constraint: must be a non-negative integer` (cpu-power too),
//   `bad "allocate-public-ip" constraint: must be true or false`,
//   `bad "arch" constraint: "x" not recognized` (amd64, arm64, ppc64el, s390x, riscv64),
//   `bad "container" constraint: invalid container type "x"` (lxd, kvm),
//   `bad "x" constraint: already set`.
absl::StatusOr<Constraints> ParseConstraints(std::string_view text);

// The set constraints in Juju's order.
std::vector<ConstraintField> ConstraintFields(const Constraints& constraints);

// The canonical text (`arch=amd64 cores=2 mem=1024M`), which ParseConstraints reads back equal;
// empty when nothing is set.
std::string FormatConstraints(const Constraints& constraints);

}  // namespace skein
