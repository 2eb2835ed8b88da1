#pragma once

// Helpers for the CLI tests: a temporary $SKEIN_DATA, running a command in-process with string
// streams, and registering a (fake) controller in client.yaml.

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/base/clock.h"
#include "tools/cli/commands/environment.h"

namespace skein::cli::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

struct RunOptions {
  bool stdin_tty = false;
  bool stdout_tty = false;
  std::string stdin_text;
  std::string bin_dir;
  std::chrono::milliseconds ready_timeout{10000};
  Clock* clock = &RealClock();  // the commands' clock (Environment::clock)
  std::string systemd_dir;      // Environment::systemd_dir when set
  std::string program = "skein";  // Environment::program: `juju` as a link of that name runs it
};

// Runs `skein <args>` in-process against `data_dir`.
CliRun RunSkein(const std::string& data_dir, const std::vector<std::string>& args, const RunOptions& options = {});

// A well-known admin secret for fake controllers, and its hash.
std::string TestAdminSecret();
std::string TestAdminHash();

// Registers controller "local" at `address` with TestAdminSecret(), `current_model` and the
// test CA (tests/test_tls.h), which every in-process test server presents.
void RegisterController(const std::string& data_dir, const std::string& address,
                        const std::string& current_model = "controller");

// Writes `text` to `path`, creating parent directories.
void WriteFile(const std::string& path, const std::string& text, unsigned mode = 0644);

// A command line that must exit 2 with `ERROR <error>` on stderr and nothing on stdout. The
// check is args_test.cc's UsageErrorTest; each command family instantiates it with its cases.
struct UsageCase {
  std::vector<std::string> args;
  std::string error;
};
class UsageErrorTest : public ::testing::TestWithParam<UsageCase> {};

}  // namespace skein::cli::testing

#include "skein/v1/controller.pb.h"

namespace skein::cli::testing {

// A model `dev` with machine 0 and two applications: mysql (leader mysql/0 idle with a port,
// mysql/1 executing its install hook, a peer relation `cluster`) and wordpress (one unit in
// error after a failed db-relation-joined), related mysql:db <-> wordpress:db.
skein::v1::ModelStatus SampleStatus();

}  // namespace skein::cli::testing
