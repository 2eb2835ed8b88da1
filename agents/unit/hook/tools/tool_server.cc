#include "agents/unit/hook/tools/tool_server.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <exception>

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/tool.h"
#include "lib/rpc/framing.h"
#include "skein/v1/hooktool.pb.h"

namespace skein::agent {
namespace {

absl::Status Errno(const std::string& what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", strerror(errno)));
}

// Like rpc::WriteFrame, but with MSG_NOSIGNAL: a tool process that died mid-call must cost an
// EPIPE, not a SIGPIPE that kills the unit agent. (Ignoring SIGPIPE process-wide is no option:
// the disposition would leak into every hook the agent runs.)
bool SendFrame(int fd, const std::string& body) {
  uint32_t n = static_cast<uint32_t>(body.size());
  std::string frame = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                       static_cast<char>(n)};
  frame += body;
  size_t done = 0;
  while (done < frame.size()) {
    ssize_t w = ::send(fd, frame.data() + done, frame.size() - done, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(w);
  }
  return true;
}

std::string BadRequest(const std::string& why) {
  v1::ToolResponse resp;
  resp.set_code(1);
  resp.set_stderr(absl::StrCat("ERROR bad request: ", why, "\n"));
  return resp.SerializeAsString();
}

}  // namespace

absl::StatusOr<std::unique_ptr<ToolServer>> ToolServer::Start(const std::string& socket_path, Resolver resolve) {
  sockaddr_un addr{};
  if (socket_path.empty() || socket_path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid unix socket path: \"", socket_path, "\""));
  }
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);

  // A socket file left behind by an agent that died would make bind fail with EADDRINUSE.
  struct stat st;
  if (::lstat(socket_path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat(socket_path, " exists and is not a socket"));
    }
    if (::unlink(socket_path.c_str()) != 0) return Errno("removing stale socket " + socket_path);
  }

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    absl::Status s = Errno("bind " + socket_path);
    ::close(fd);
    return s;
  }
  if (::chmod(socket_path.c_str(), 0600) != 0 || ::listen(fd, 64) != 0) {
    absl::Status s = Errno("listen " + socket_path);
    ::close(fd);
    ::unlink(socket_path.c_str());
    return s;
  }
  int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake < 0) {
    absl::Status s = Errno("eventfd");
    ::close(fd);
    ::unlink(socket_path.c_str());
    return s;
  }
  std::unique_ptr<ToolServer> server(new ToolServer(socket_path, fd, wake, std::move(resolve)));
  server->accept_thread_ = std::thread([s = server.get()] { s->AcceptLoop(); });
  return server;
}

ToolServer::ToolServer(std::string path, int listen_fd, int wake_fd, Resolver resolve)
    : path_(std::move(path)), listen_fd_(listen_fd), wake_fd_(wake_fd), resolve_(std::move(resolve)) {}

ToolServer::~ToolServer() { Stop(); }

void ToolServer::Stop() {
  MutexLock stop_lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  stopping_ = true;
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
  if (accept_thread_.joinable()) accept_thread_.join();

  // Wake connections blocked reading a request; a tool already running finishes first. No new
  // connections can appear now, so the entries move out of the list (splice keeps the addresses
  // the connection threads hold) and are joined without holding the lock those threads take last.
  std::list<Connection> conns;
  {
    MutexLock lock(conns_mu_);
    for (Connection& c : conns_) {
      if (!c.done && c.fd >= 0) ::shutdown(c.fd, SHUT_RDWR);
    }
    conns.splice(conns.end(), conns_);
  }
  for (Connection& c : conns) {
    if (c.thread.joinable()) c.thread.join();
  }
  ::close(listen_fd_);
  ::close(wake_fd_);
  ::unlink(path_.c_str());
}

void ToolServer::AcceptLoop() {
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0 || stopping_) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    int conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;  // the client gave up already, or fd exhaustion: keep serving

    MutexLock lock(conns_mu_);
    // Reap finished connections so the list stays as short as the number of live ones.
    for (auto it = conns_.begin(); it != conns_.end();) {
      if (it->done) {
        it->thread.join();
        it = conns_.erase(it);
      } else {
        ++it;
      }
    }
    conns_.push_back(Connection{conn, std::thread(), false});
    Connection* c = &conns_.back();
    c->thread = std::thread([this, c] {
      Serve(c->fd);
      MutexLock done_lock(conns_mu_);
      ::close(c->fd);
      c->fd = -1;
      c->done = true;
    });
  }
}

void ToolServer::Serve(int fd) {
  v1::ToolRequest req;
  absl::Status read = rpc::ReadFrame(fd, &req);
  if (absl::IsInvalidArgument(read)) {
    SendFrame(fd, BadRequest("malformed request"));
    return;
  }
  if (!read.ok()) return;  // the client went away before sending a whole request
  std::string reply;
  // Nothing thrown while serving one tool call may end the unit agent (RunTool already catches
  // the tools' own exceptions; this covers the resolver and the encoding).
  try {
    reply = Handle(req);
  } catch (const std::exception& e) {
    v1::ToolResponse resp;
    resp.set_code(1);
    resp.set_stderr(absl::StrCat("ERROR internal error: ", e.what(), "\n"));
    reply = resp.SerializeAsString();
  }
  SendFrame(fd, reply);
}

std::string ToolServer::Handle(const v1::ToolRequest& req) {
  if (req.command().empty()) return BadRequest("command not specified");
  if (req.dir().empty() || req.dir()[0] != '/') return BadRequest("Dir is not absolute");
  HookContext* ctx = resolve_ ? resolve_(req.context_id()) : nullptr;
  if (ctx == nullptr) return BadRequest("wrong context ID");

  ToolInput input;
  input.args.assign(req.args().begin(), req.args().end());
  input.dir = req.dir();
  if (req.stdin_set()) input.stdin_data = req.stdin();

  ToolResult result;
  {
    std::shared_ptr<ContextLock> lock = AcquireLock(ctx);
    {
      MutexLock run_lock(lock->mu);
      result = RunTool(*ctx, req.command(), input);
    }
    ReleaseLock(ctx);
  }
  v1::ToolResponse resp;
  resp.set_code(result.code);
  resp.set_stdout(result.out);
  resp.set_stderr(result.err);
  resp.set_needs_stdin(result.needs_stdin);
  return resp.SerializeAsString();
}

std::shared_ptr<ToolServer::ContextLock> ToolServer::AcquireLock(HookContext* ctx) {
  MutexLock lock(locks_mu_);
  std::shared_ptr<ContextLock>& entry = locks_[ctx];
  if (!entry) entry = std::make_shared<ContextLock>();
  ++entry->users;
  return entry;
}

void ToolServer::ReleaseLock(HookContext* ctx) {
  MutexLock lock(locks_mu_);
  auto it = locks_.find(ctx);
  if (it != locks_.end() && --it->second->users == 0) locks_.erase(it);
}

}  // namespace skein::agent
