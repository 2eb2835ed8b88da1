#pragma once

// Opened ports of units (juju-semantics §3.3 open-port/close-port/opened-ports). A unit opens a
// range for every endpoint (`endpoint` empty, shown as `*`) or for named endpoints.
//
// Ports are kept per unit, as Juju does on Kubernetes, and not checked for conflicts between
// units: on the local substrate every unit shares the host (machine 0), so a check made for
// machines would refuse the second unit of any application that opens a port.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "controller/domain/core/db.h"
#include "controller/domain/core/rows.h"

namespace skein::controller::domain::hook {

struct PortRange {
  std::string protocol;  // tcp | udp | icmp
  int from = 0;          // 0 for icmp
  int to = 0;
  bool operator==(const PortRange&) const = default;
};

struct PortChange {
  bool open = true;
  PortRange range;
  std::vector<std::string> endpoints;  // empty = every endpoint
};

struct OpenedPort {
  std::string endpoint;  // empty = every endpoint
  PortRange range;
};

// `80/tcp`, `1000-2000/udp`, `icmp` (Juju's form in status and opened-ports).
std::string FormatPortRange(const PortRange& range);

// InvalidArgument naming the bad range: protocol not tcp/udp/icmp, a port outside 1..65535,
// from above to, or an icmp range with ports.
absl::Status ValidatePortRange(const PortRange& range);

// The unit's opened ports, sorted by protocol (tcp, udp, icmp), port, then endpoint.
std::vector<OpenedPort> OpenedPorts(Tx& tx, int64_t unit_id);

// A range with the endpoints it is open on (none = every endpoint), as opened-ports shows it.
struct OpenedRange {
  PortRange range;
  std::vector<std::string> endpoints;
};

// The unit's opened ports grouped by range, in OpenedPorts' order. A range open on every
// endpoint has no endpoints listed, even if it was also opened on named ones (Juju shows it as
// `*`).
std::vector<OpenedRange> OpenedRanges(Tx& tx, int64_t unit_id);

// The distinct ranges the unit has open on any endpoint, formatted and sorted as above (what
// `status` shows as `open-ports` and `show-unit` as `opened-ports`).
std::vector<std::string> OpenPortStrings(Tx& tx, int64_t unit_id);

// Applies a hook's open-port/close-port calls in order, part of the caller's transaction.
// Opening what is open and closing what is closed are no-ops; close without endpoints closes
// the range on every endpoint. InvalidArgument from ValidatePortRange.
absl::Status ApplyPortChanges(Tx& tx, const UnitRow& unit, const std::vector<PortChange>& changes);

}  // namespace skein::controller::domain::hook
