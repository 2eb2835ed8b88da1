#pragma once

// The `skein` super-command: picks the command, parses its flags with Juju's conventions and
// maps outcomes to exit codes:
//   0  success, and --help (printed to stdout)
//   1  the command failed at run time (`ERROR <message>` on stderr; the controller's words)
//   2  bad flags or arguments (`ERROR <message>` on stderr)

#include <string>
#include <vector>

#include "tools/cli/commands/environment.h"

namespace skein::cli::commands {

// `args` excludes argv[0].
int RunCli(const std::vector<std::string>& args, Environment& env);

}  // namespace skein::cli::commands
