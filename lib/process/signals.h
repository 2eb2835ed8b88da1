#pragma once

#include <signal.h>

namespace skein::process {

// Blocks SIGTERM, SIGINT and SIGUSR1 in the calling thread (and every thread it starts later) so
// that one thread can take them with sigwait, and ignores SIGPIPE (a closed socket must not kill
// a daemon). Returns the blocked set for that sigwait. Call first thing in main().
sigset_t BlockShutdownSignals();

}  // namespace skein::process
