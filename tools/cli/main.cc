// skein: the CLI of a Juju-style operator lifecycle manager. Only wiring lives here.

#include <string>
#include <vector>

#include "tools/cli/commands/cli.h"
#include "tools/cli/commands/command.h"
#include "tools/cli/commands/environment.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  skein::cli::commands::Environment env = skein::cli::commands::ProcessEnvironment();
  env.program = skein::cli::commands::ProgramName(argv[0]);
  return skein::cli::commands::RunCli(args, env);
}
