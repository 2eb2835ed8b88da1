#pragma once

// Serves hook-tool requests (proto/skein/v1/hooktool.proto) on a unix socket: the unit agent's
// side of `skein-hook-tool`. Each connection carries one framed ToolRequest and gets one framed
// ToolResponse. The request's JUJU_CONTEXT_ID picks the live HookContext through `resolve`;
// tool runs for one context are serialised, as in Juju.
//
// Replies the server makes itself (code 1):
//   ERROR bad request: wrong context ID       resolve returned nullptr
//   ERROR bad request: command not specified  empty command
//   ERROR bad request: Dir is not absolute    relative cwd

#include <atomic>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "agents/unit/hook/hook_context.h"
#include "lib/base/mutex.h"
#include "skein/v1/hooktool.pb.h"

namespace skein::agent {

class ToolServer {
 public:
  // Maps a JUJU_CONTEXT_ID to the live HookContext, or nullptr for an unknown context. Called
  // from connection threads; the returned context must stay alive until the hook's tool
  // processes are gone (the uniter waits for the hook process before dropping its context).
  using Resolver = std::function<HookContext*(const std::string& context_id)>;

  // Removes a stale socket file, binds `socket_path` (mode 0600) and starts accepting.
  // Errors: InvalidArgument (path too long for a unix socket), Unavailable (bind/listen failed).
  static absl::StatusOr<std::unique_ptr<ToolServer>> Start(const std::string& socket_path, Resolver resolve);

  ~ToolServer();
  ToolServer(const ToolServer&) = delete;
  ToolServer& operator=(const ToolServer&) = delete;

  // Stops accepting, ends open connections, waits for running tools, closes and unlinks the
  // socket. Idempotent. Must not be called from the resolver or a tool (it waits for them).
  void Stop();

 private:
  ToolServer(std::string path, int listen_fd, int wake_fd, Resolver resolve);
  void AcceptLoop();
  void Serve(int fd);
  std::string Handle(const v1::ToolRequest& req);

  // Serialises tool runs per context. Entries live while some connection uses them, so the map
  // does not grow with every hook the agent ever ran.
  struct ContextLock {
    Mutex mu;
    int users = 0;  // guarded by the server's locks_mu_
  };
  std::shared_ptr<ContextLock> AcquireLock(HookContext* ctx);
  void ReleaseLock(HookContext* ctx);

  const std::string path_;
  const int listen_fd_;
  const int wake_fd_;  // eventfd that wakes the accept loop on Stop
  const Resolver resolve_;

  Mutex stop_mu_;
  bool stopped_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread accept_thread_;  // set by Start, joined by the first Stop

  Mutex conns_mu_;
  std::atomic<bool> stopping_{false};
  // A connection's thread writes its own fd and done under conns_mu_; the thread object is only
  // touched by the accept loop and by Stop.
  struct Connection {
    int fd;
    std::thread thread;
    bool done = false;
  };
  std::list<Connection> conns_ ABSL_GUARDED_BY(conns_mu_);

  Mutex locks_mu_;
  std::map<HookContext*, std::shared_ptr<ContextLock>> locks_ ABSL_GUARDED_BY(locks_mu_);
};

}  // namespace skein::agent
