#pragma once

// What a command may touch of the outside world, gathered in one place so that tests can run
// commands in-process with string streams, a temporary $SKEIN_DATA and chosen TTY answers.

#include <chrono>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/base/clock.h"
#include "tools/cli/bootstrap/systemd_units.h"

namespace skein::cli::commands {

struct Environment {
  // The name usage lines and help print: `juju` when the binary is run through a link of that
  // name (a charm's test suite drives `juju`), else `skein`.
  std::string program = "skein";
  std::ostream* out = nullptr;  // data
  std::ostream* err = nullptr;  // progress, warnings, errors
  std::istream* in = nullptr;   // only read to answer a prompt on a terminal
  std::string data_dir;         // $SKEIN_DATA
  std::string bin_dir;          // where the daemons are (next to skein)
  bool stdin_tty = false;
  bool stdout_tty = false;
  bool stderr_tty = false;
  bool no_color = false;        // NO_COLOR set or TERM=dumb
  std::chrono::milliseconds ready_timeout{30000};
  std::chrono::milliseconds kill_grace{15000};
  // Where commands read the time and wait (the real clock in ProcessEnvironment). Not owned.
  Clock* clock = &RealClock();
  // Local store directories searched before the embedded store (SKEIN_STORE_PATH, `:`-separated).
  std::vector<std::string> store_path;
  // Knobs for tests, handed by `skein bootstrap` to the controller it starts: a shorter
  // leadership lease (SKEIN_LEASE_DURATION, e.g. `2s`; empty = the controller's 60 s).
  std::string controller_lease_duration;
  // Where `bootstrap --service=systemd` writes its units and kill-controller removes them
  // (SKEIN_SYSTEMD_DIR; tests point it at a temp dir).
  std::string systemd_dir = bootstrap::kDefaultSystemdDir;
  // The kubeconfig `add-k8s` reads without --kubeconfig: the first file of $KUBECONFIG, else
  // ~/.kube/config ("" when neither is known).
  std::string default_kubeconfig;

  // Colour on stdout: only on a terminal, never with NO_COLOR or TERM=dumb.
  bool ColorStdout() const { return stdout_tty && !no_color; }
  bool ColorStderr() const { return stderr_tty && !no_color; }
};

// The environment of this process: std::cout/cerr/cin, SkeinDataDir(), ExecutableDir(), isatty,
// and the variables above, read once.
Environment ProcessEnvironment();

// Asks `question` on stderr and reads the answer from stdin, only when stdin is a terminal.
// Returns true for y/yes. Never call it when stdin is not a terminal.
bool AskYesNo(Environment& env, const std::string& question);

// Writes `text` to stdout, or to `output_file` when set (-o/--output). Internal on I/O errors.
absl::Status WriteOutput(Environment& env, const std::string& output_file, const std::string& text);

}  // namespace skein::cli::commands
