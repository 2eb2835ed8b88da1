#pragma once

// The `gate` test charm, written by the test so that each revision can differ, and the bundle
// that deploys it beside kv-provider (`server`): the upgrade tests and the controller's
// fault-injection tests refresh it through bundle revisions.

#include <string>

namespace skein::e2e {

// A local charm whose upgrade-charm hook fails while its `upgrade-gate` option is `closed` (and
// config-changed while `config-gate` is), and which appends every hook it runs to its
// `log-path`. `VERSION` says which revision of the charm a unit runs (its workload message is
// `version <VERSION>`).
void WriteGateCharm(const std::string& dir, const std::string& version);

// `gate` (the charm at ./gate beside the bundle) and `server` (kv-provider), one unit each,
// related over `kv` when `related`. A non-empty `gate_log` / `server_log` sets that
// application's `log-path`.
std::string GateBundle(bool related, const std::string& gate_log = "", const std::string& server_log = "");

}  // namespace skein::e2e
