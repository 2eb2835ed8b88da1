#pragma once

// The port-range syntax of open-port/close-port (Juju's network.ParsePortRange), shared by the
// tools and the unit agent.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "agents/unit/hook/hook_context.h"

namespace skein::agent::tools {

// `80`, `80/tcp`, `1000-2000/UDP`, `icmp`; the text is lower-cased first (as ops and Juju do).
// InvalidArgument with Juju's texts:
//   invalid port "x": strconv.Atoi: parsing "x": invalid syntax
//   invalid port range "1-2-3"
//   invalid protocol "sctp", expected "tcp", "udp", or "icmp"
//   invalid port range 20-10/tcp
//   port range bounds must be between 1 and 65535, got 0-0
absl::StatusOr<PortRange> ParsePortRange(const std::string& text);

// `80/tcp`, `1000-2000/udp`, `icmp`.
std::string PortRangeString(const PortRange& range);

// Juju's PortRange.LessThan: by first port (icmp, which has none, first), last port, protocol.
bool PortRangeLess(const PortRange& a, const PortRange& b);

// A hook's open-port (true) or close-port (false) call.
using PortChange = std::pair<bool, PortRange>;

// The unit's opened ports as a hook sees them, as Juju 3.6 shows them to opened-ports: the
// ports committed before the hook with the hook's own calls applied in order, the way the
// controller applies them at commit (controller/domain/hook/ports.h ApplyPortChanges). Opening
// adds the range on the named endpoints (none: on every endpoint); closing without endpoints
// closes the range everywhere, with endpoints only on those. One entry per range; a range open
// on every endpoint has no endpoints, otherwise they are sorted.
std::vector<PortRange> MergePortChanges(const std::vector<PortRange>& committed, const std::vector<PortChange>& changes);

}  // namespace skein::agent::tools
