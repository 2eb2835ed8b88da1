#pragma once

// A minimal HTTP/1.x server for Prometheus scrapes of the unit agent. There is no HTTP library
// among the project's dependencies and a scrape endpoint needs very little, so this is plain
// POSIX sockets: one thread, one connection at a time, every response closes the connection.
//
//   GET /metrics  200, the text of `render()` as text/plain; version=0.0.4
//   GET /         200, a short pointer to /metrics
//   GET <other>   404
//   other method  405
//
// A client gets `read_timeout` to send its request head; then it is dropped, so a client that
// connects and sends nothing delays the next one by at most that long.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "lib/base/clock.h"

namespace skein::agent::metrics {

class MetricsServer {
 public:
  // Binds host:port (port 0 picks a free port, see port()) and starts serving. `host` is a
  // numeric address or a name (`127.0.0.1`, `::1`, `0.0.0.0`, `localhost`).
  // Errors: InvalidArgument when the host cannot be resolved or the port is out of range;
  // Unavailable when the address cannot be bound (in use, not local); Internal on other
  // socket errors. The read timeout is measured on `clock`, which must outlive the server.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      const std::string& host, int port, std::function<std::string()> render, const Clock& clock,
      std::chrono::milliseconds read_timeout = std::chrono::seconds(5));

  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The bound port.
  int port() const { return port_; }
  // Stops serving and returns once the serving thread has ended, interrupting a connection in
  // progress. Idempotent.
  void Stop();

 private:
  MetricsServer(int listen_fd, int wake_read, int wake_write, int port, std::function<std::string()> render,
                const Clock& clock, std::chrono::milliseconds read_timeout);
  void Serve();
  void HandleConnection(int fd);
  // Waits until `fd` is readable or Stop() is called; false on Stop, timeout or error.
  bool WaitReadable(int fd, Clock::TimePoint deadline) const;

  const int listen_fd_;
  // Stop() writes to this pipe so that the poll() of the serving thread wakes up at once.
  const int wake_read_;
  const int wake_write_;
  const int port_;
  const std::function<std::string()> render_;
  const Clock& clock_;
  const std::chrono::milliseconds read_timeout_;
  std::atomic<bool> stopping_{false};
  std::once_flag stop_once_;
  std::thread thread_;
};

}  // namespace skein::agent::metrics
