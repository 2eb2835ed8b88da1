#include "agents/unit/metrics/http_server.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace skein::agent::metrics {
namespace {

// A request head longer than this is not a scrape; the connection is answered 431 and closed.
constexpr size_t kMaxRequestHead = 8192;

std::string Errno(const char* what) { return absl::StrCat(what, ": ", strerror(errno)); }

void SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    // MSG_NOSIGNAL: a scraper that hangs up early must not kill the agent with SIGPIPE.
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

std::string Response(const std::string& status, const std::string& content_type, const std::string& body,
                     const std::string& extra_headers = "") {
  return absl::StrCat("HTTP/1.1 ", status, "\r\nContent-Type: ", content_type,
                      "\r\nContent-Length: ", body.size(), "\r\n", extra_headers, "Connection: close\r\n\r\n", body);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& host, int port,
                                                                    std::function<std::string()> render,
                                                                    const Clock& clock,
                                                                    std::chrono::milliseconds read_timeout) {
  if (port < 0 || port > 65535) return absl::InvalidArgumentError(absl::StrCat("invalid port ", port));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* addresses = nullptr;
  const std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &addresses);
  if (rc != 0) {
    return absl::InvalidArgumentError(absl::StrCat("cannot resolve \"", host, "\": ", gai_strerror(rc)));
  }
  int fd = -1;
  std::string bind_error = "no address";
  for (addrinfo* a = addresses; a != nullptr; a = a->ai_next) {
    // Non-blocking, so that a connection reset between poll() and accept() cannot block the
    // serving thread in accept().
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      bind_error = Errno("socket");
      continue;
    }
    // SO_REUSEADDR, so that an agent restarted right away can bind its port again while the old
    // connections are in TIME_WAIT.
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 16) == 0) break;
    bind_error = Errno("bind");
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(addresses);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", port, ": ", bind_error));

  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) {
    std::string error = Errno("getsockname");
    ::close(fd);
    return absl::InternalError(error);
  }
  int bound_port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                               : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    std::string error = Errno("pipe");
    ::close(fd);
    return absl::InternalError(error);
  }
  std::unique_ptr<MetricsServer> server(
      new MetricsServer(fd, wake[0], wake[1], bound_port, std::move(render), clock, read_timeout));
  server->thread_ = std::thread([s = server.get()] { s->Serve(); });
  spdlog::info("metrics server listening on {}:{}", host, bound_port);
  return server;
}

MetricsServer::MetricsServer(int listen_fd, int wake_read, int wake_write, int port,
                             std::function<std::string()> render, const Clock& clock,
                             std::chrono::milliseconds read_timeout)
    : listen_fd_(listen_fd),
      wake_read_(wake_read),
      wake_write_(wake_write),
      port_(port),
      render_(std::move(render)),
      clock_(clock),
      read_timeout_(read_timeout) {}

MetricsServer::~MetricsServer() { Stop(); }

void MetricsServer::Stop() {
  std::call_once(stop_once_, [this] {
    stopping_ = true;
    char byte = 0;
    (void)!::write(wake_write_, &byte, 1);
    if (thread_.joinable()) thread_.join();
    // The descriptors are closed only after the thread has ended, so it never polls a closed
    // (or reused) descriptor.
    ::close(listen_fd_);
    ::close(wake_read_);
    ::close(wake_write_);
  });
}

bool MetricsServer::WaitReadable(int fd, Clock::TimePoint deadline) const {
  while (!stopping_) {
    int timeout_ms = -1;
    if (deadline != Clock::TimePoint::max()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_.Now());
      if (left.count() <= 0) return false;
      timeout_ms = static_cast<int>(left.count()) + 1;
    }
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    int r = ::poll(fds, 2, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return false;
    if (fds[1].revents != 0) return false;
    if (fds[0].revents != 0) return true;
  }
  return false;
}

void MetricsServer::Serve() {
  while (WaitReadable(listen_fd_, Clock::TimePoint::max())) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      // ECONNABORTED and EAGAIN concern one client only. Out of descriptors, poll() would report
      // the pending connection again at once, so the loop pauses (still woken by Stop()) instead
      // of spinning.
      if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED) continue;
      spdlog::warn("metrics server: {}", Errno("accept"));
      pollfd wake{wake_read_, POLLIN, 0};
      ::poll(&wake, 1, 100);
      continue;
    }
    // A stalled reader must not block the serving thread on a write either.
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(read_timeout_.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((read_timeout_.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    HandleConnection(fd);
    ::close(fd);
  }
}

void MetricsServer::HandleConnection(int fd) {
  const Clock::TimePoint deadline = clock_.Now() + read_timeout_;
  std::string head;
  size_t end = std::string::npos;
  char buf[2048];
  while (end == std::string::npos) {
    if (head.size() > kMaxRequestHead) {
      SendAll(fd, Response("431 Request Header Fields Too Large", "text/plain; charset=utf-8", "request too large\n"));
      return;
    }
    if (!WaitReadable(fd, deadline)) return;  // timeout, Stop() or error: drop the client
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
    end = head.find("\r\n\r\n");
    if (end == std::string::npos) end = head.find("\n\n");
  }

  // Request line: METHOD SP target SP version.
  const std::string line = head.substr(0, head.find_first_of("\r\n"));
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string::npos ? std::string::npos : line.find(' ', sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) {
    SendAll(fd, Response("400 Bad Request", "text/plain; charset=utf-8", "bad request\n"));
    return;
  }
  const std::string method = line.substr(0, sp1);
  std::string path = line.substr(sp1 + 1, sp2 - sp1 - 1);
  path = path.substr(0, path.find('?'));

  if (method != "GET") {
    SendAll(fd, Response("405 Method Not Allowed", "text/plain; charset=utf-8", "method not allowed\n",
                         "Allow: GET\r\n"));
  } else if (path == "/metrics") {
    SendAll(fd, Response("200 OK", "text/plain; version=0.0.4; charset=utf-8", render_()));
  } else if (path == "/") {
    SendAll(fd, Response("200 OK", "text/plain; charset=utf-8", "skein unit agent: metrics at /metrics\n"));
  } else {
    SendAll(fd, Response("404 Not Found", "text/plain; charset=utf-8", "not found\n"));
  }
}

}  // namespace skein::agent::metrics
