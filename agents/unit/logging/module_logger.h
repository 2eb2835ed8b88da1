#pragma once

// Loggers named after Juju log modules (`juju.worker.uniter`, `unit.app/0.install`). Each is a
// copy of the default logger under another name, so it writes to the same sinks (the agent's
// log file and, once attached, the controller pipeline) and the module shows in every line.

#include <memory>
#include <string>

#include "spdlog/logger.h"

namespace skein::agent {

// Thread-safe; loggers are cached per module for the current default logger.
std::shared_ptr<spdlog::logger> ModuleLogger(const std::string& module);

}  // namespace skein::agent
