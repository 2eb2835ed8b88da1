#pragma once

// The port `skein bootstrap` gives the controller. It is stored in controller/address and kept
// for good: agents and the CLI dial it, and a restarted controller binds it again. So it lies
// below the kernel's ephemeral range, where no outgoing connection is handed it while the
// controller is down.

#include <random>
#include <string>

#include "absl/status/statusor.h"

namespace skein::cli::bootstrap {

// The first port of the ephemeral range in `range_text` (the text of
// /proc/sys/net/ipv4/ip_local_port_range, `32768\t60999`); 32768 when it does not parse.
int EphemeralPortStart(const std::string& range_text);

// The ports to pick from: [first, last], below both 32768 and `ephemeral_start`.
struct PortRange {
  int first = 0;
  int last = 0;
};
PortRange ControllerPortRange(int ephemeral_start);

// A random port of `range` that 127.0.0.1 can listen on right now. Another process may take it
// before the controller binds it; bootstrap then picks again. Unavailable when every try was
// taken.
absl::StatusOr<int> PickControllerPort(const PortRange& range, std::mt19937& rng);

// ControllerPortRange of this host's ephemeral range.
PortRange HostControllerPortRange();

}  // namespace skein::cli::bootstrap
