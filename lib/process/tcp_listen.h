#pragma once

// Whether a TCP address can be listened on: the controller checks its address before serving,
// and bootstrap picks the controller's port with it.

#include <string>

#include "absl/status/status.h"

namespace skein::process {

// OK when a listening socket could bind `address` (`HOST:PORT`, `[::1]:PORT`) now, with
// SO_REUSEADDR as gRPC binds (so connections of a killed predecessor in TIME_WAIT do not
// count). Unavailable `address HOST:PORT in use` when another socket is bound there;
// InvalidArgument for an address that does not parse; Internal for other errors.
absl::Status CheckCanListen(const std::string& address);

}  // namespace skein::process
