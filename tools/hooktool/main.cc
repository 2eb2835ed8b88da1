// skein-hook-tool: the multicall binary behind every hook tool (`relation-get`, `status-set`,
// ...). The command is basename(argv[0]); invoked as `skein-hook-tool <command> args...` it takes
// the command from argv[1]. It forwards argv, cwd and (only when the agent asks for it) stdin to
// the unit agent's socket and replays the reply: stdout, stderr, exit code
// (proto/skein/v1/hooktool.proto, juju-semantics §2.3).
//
// It runs many times per hook, so it stays small: protobuf and the framing helpers only, no
// gRPC, no logging library.

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "lib/base/limits.h"
#include "lib/rpc/framing.h"
#include "skein/v1/hooktool.pb.h"

namespace {

constexpr char kSelfName[] = "skein-hook-tool";

int Fail(const std::string& message) {
  std::string line = "ERROR " + message + "\n";
  (void)!::write(STDERR_FILENO, line.data(), line.size());
  return 1;
}

void WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // e.g. EPIPE: whoever reads our output has gone; the exit code still counts
    }
    done += static_cast<size_t>(n);
  }
}

// All of stdin, never more than a YAML input's cap (`relation-set --file - < /dev/zero` must
// end). An error message on failure.
std::optional<std::string> ReadAllStdin(std::string* out) {
  char buf[65536];
  while (true) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::string("cannot read stdin: ") + strerror(errno);
    }
    if (n == 0) return std::nullopt;
    if (out->size() + static_cast<size_t>(n) > skein::limits::kYamlInput.bytes) {
      return std::string(skein::limits::OverCapError(skein::limits::kYamlInput, "stdin").message());
    }
    out->append(buf, static_cast<size_t>(n));
  }
}

// One request on a fresh connection, as the protocol wants.
bool Call(const std::string& socket, const skein::v1::ToolRequest& req, skein::v1::ToolResponse* resp,
          std::string* error) {
  int fd = -1;
  if (absl::Status s = skein::rpc::ConnectUnix(socket, &fd); !s.ok()) {
    *error = "cannot connect to the unit agent: " + std::string(s.message());
    return false;
  }
  absl::Status s = skein::rpc::WriteFrame(fd, req);
  if (s.ok()) s = skein::rpc::ReadFrame(fd, resp);
  ::close(fd);
  if (!s.ok()) {
    *error = "hook tool call failed: " + std::string(s.message());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // A dead agent must give an error message and exit 1, not a silent death by SIGPIPE. This
  // process execs nothing, so the disposition goes nowhere else.
  ::signal(SIGPIPE, SIG_IGN);

  std::string command = argc > 0 ? argv[0] : "";
  if (size_t slash = command.rfind('/'); slash != std::string::npos) command = command.substr(slash + 1);
  int first_arg = 1;
  if (command == kSelfName) {
    if (argc < 2) return Fail("usage: skein-hook-tool <command> [args...]");
    command = argv[1];
    first_arg = 2;
  }

  const char* context_id = std::getenv("JUJU_CONTEXT_ID");
  if (context_id == nullptr || *context_id == '\0') return Fail("JUJU_CONTEXT_ID not set");
  const char* socket = std::getenv("JUJU_AGENT_SOCKET_ADDRESS");
  if (socket == nullptr || *socket == '\0') return Fail("JUJU_AGENT_SOCKET_ADDRESS not set");

  std::string cwd(4096, '\0');
  while (::getcwd(cwd.data(), cwd.size()) == nullptr) {
    if (errno != ERANGE) return Fail(std::string("cannot get working directory: ") + strerror(errno));
    cwd.resize(cwd.size() * 2);
  }
  cwd.resize(strlen(cwd.c_str()));

  skein::v1::ToolRequest req;
  req.set_context_id(context_id);
  req.set_dir(cwd);
  req.set_command(command);
  for (int i = first_arg; i < argc; ++i) req.add_args(argv[i]);

  skein::v1::ToolResponse resp;
  std::string error;
  if (!Call(socket, req, &resp, &error)) return Fail(error);
  if (resp.needs_stdin()) {
    // Only now read stdin: most tools inherit the hook's stdin and must never block on it.
    std::string input;
    if (std::optional<std::string> error = ReadAllStdin(&input)) return Fail(*error);
    req.set_stdin_set(true);
    req.set_stdin(input);
    resp.Clear();
    if (!Call(socket, req, &resp, &error)) return Fail(error);
    if (resp.needs_stdin()) return Fail("hook tool requires stdin, none supplied");
  }
  WriteAll(STDOUT_FILENO, resp.stdout());
  WriteAll(STDERR_FILENO, resp.stderr());
  return resp.code();
}
