#pragma once

// The port-range syntax of open-port/close-port (Juju's network.ParsePortRange), shared by the
// tools and the unit agent.

#include <string>

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

}  // namespace skein::agent::tools
