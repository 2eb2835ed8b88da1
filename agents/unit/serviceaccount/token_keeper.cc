#include "agents/unit/serviceaccount/token_keeper.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/base/file_write.h"
#include "lib/kube/kubeconfig.h"
#include "spdlog/spdlog.h"

namespace skein::agent::serviceaccount {
namespace {

// Refresh once this share of the token's lifetime has passed: before 80%, where the kubelet
// refreshes a pod's projected token, leaving room for a retry or two.
constexpr double kRefreshShare = 0.75;

}  // namespace

absl::StatusOr<std::pair<std::string, std::string>> HostPortOf(const std::string& server) {
  std::string rest;
  std::string port;
  if (absl::StartsWith(server, "https://")) {
    rest = server.substr(8);
    port = "443";
  } else if (absl::StartsWith(server, "http://")) {
    rest = server.substr(7);
    port = "80";
  } else {
    return absl::InvalidArgumentError(absl::StrCat("the API server \"", server, "\" is not an http(s) URL"));
  }
  rest = rest.substr(0, rest.find('/'));
  std::string host = rest;
  if (absl::StartsWith(rest, "[")) {
    const size_t close = rest.find(']');
    if (close == std::string::npos) return absl::InvalidArgumentError(absl::StrCat("bad IPv6 host in \"", server, "\""));
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
  } else if (const size_t colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  int number = 0;
  if (host.empty() || !absl::SimpleAtoi(port, &number) || number <= 0 || number > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("the API server \"", server, "\" has no host and port"));
  }
  return std::make_pair(host, port);
}

TokenKeeper::TokenKeeper(TokenKeeperOptions options, Fetch fetch, Clock& clock)
    : options_(std::move(options)), fetch_(std::move(fetch)), clock_(clock) {}

TokenKeeper::~TokenKeeper() { Stop(); }

absl::Status TokenKeeper::Write(const Credentials& c) {
  std::error_code ec;
  std::filesystem::create_directories(options_.sa_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", options_.sa_dir, ": ", ec.message()));
  // Readable by the unit only: the token is the application's credential for the cluster.
  for (const auto& [name, text] : {std::pair<std::string, std::string>{"ca.crt", c.ca_pem}, {"namespace", c.ns},
                                   {"token", c.token}}) {
    if (absl::Status s = WriteFileAtomic(options_.sa_dir + "/" + name, text, 0600); !s.ok()) return s;
  }
  kube::ClusterConfig config;
  config.server = c.server;
  config.ca_pem = c.ca_pem;
  config.token = c.token;
  config.ns = c.ns;
  return WriteFileAtomic(options_.kubeconfig, kube::RenderKubeconfig(config, "skein"), 0600);
}

void TokenKeeper::Schedule(const Credentials& c) {
  const Clock::TimePoint now = clock_.Now();
  const auto lifetime = std::max(Clock::WallTime::duration::zero(), c.expiry - clock_.WallNow());
  const auto steady_lifetime = std::chrono::duration_cast<Clock::Duration>(lifetime);
  expires_at_ = now + steady_lifetime;
  refresh_at_ = now + std::chrono::duration_cast<Clock::Duration>(steady_lifetime * kRefreshShare);
}

absl::StatusOr<std::optional<Credentials>> TokenKeeper::FetchFirst() {
  // The unit's agent may start before the provisioner has made its application's ServiceAccount
  // (both follow the same commit), and the controller may be restarting: ask again with backoff
  // until the deadline, so that the first hook already finds the token.
  const Clock::TimePoint deadline = clock_.Now() + options_.first_fetch_deadline;
  auto delay = options_.retry_min;
  while (true) {
    absl::StatusOr<std::optional<Credentials>> first = fetch_();
    if (first.ok() || clock_.Now() >= deadline) return first;
    spdlog::info("waiting for the ServiceAccount token: {}", first.status().ToString());
    MutexLock lock(mu_);
    const Clock::TimePoint again = std::min(deadline, clock_.Now() + std::chrono::duration_cast<Clock::Duration>(delay));
    if (clock_.WaitUntil(mu_, cv_, again, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; })) {
      return absl::CancelledError("stopped while waiting for the ServiceAccount token");
    }
    delay = std::min(delay * 2, options_.retry_max);
  }
}

absl::StatusOr<std::map<std::string, std::string>> TokenKeeper::Start() {
  absl::StatusOr<std::optional<Credentials>> first = FetchFirst();
  if (!first.ok()) return first.status();
  if (!first->has_value()) return std::map<std::string, std::string>{};
  const Credentials& c = **first;
  auto host_port = HostPortOf(c.server);
  if (!host_port.ok()) return host_port.status();
  if (absl::Status s = Write(c); !s.ok()) return s;
  {
    MutexLock lock(mu_);
    Schedule(c);
  }
  thread_ = std::thread([this] { Run(); });
  spdlog::info("wrote the ServiceAccount token of namespace {} for the unit's hooks", c.ns);
  return std::map<std::string, std::string>{{"KUBERNETES_SERVICE_HOST", host_port->first},
                                            {"KUBERNETES_SERVICE_PORT", host_port->second},
                                            {"KUBECONFIG", options_.kubeconfig}};
}

void TokenKeeper::Run() {
  auto delay = options_.retry_min;
  while (true) {
    {
      MutexLock lock(mu_);
      const Clock::TimePoint due = *refresh_at_;
      if (clock_.WaitUntil(mu_, cv_, due, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; })) return;
    }
    absl::StatusOr<std::optional<Credentials>> next = fetch_();
    absl::Status written = next.ok() && next->has_value() ? Write(**next) : absl::OkStatus();
    MutexLock lock(mu_);
    if (next.ok() && next->has_value() && written.ok()) {
      Schedule(**next);
      delay = options_.retry_min;
      spdlog::debug("refreshed the ServiceAccount token");
      continue;
    }
    const absl::Status why = !next.ok() ? next.status() : written;
    // Try again after the backoff, and once more just before the token expires.
    const Clock::TimePoint now = clock_.Now();
    Clock::TimePoint again = now + std::chrono::duration_cast<Clock::Duration>(delay);
    if (expires_at_ > now) again = std::min(again, expires_at_);
    refresh_at_ = again;
    delay = std::min(delay * 2, options_.retry_max);
    spdlog::warn("cannot refresh the ServiceAccount token: {}", why.ToString());
  }
}

std::optional<Clock::TimePoint> TokenKeeper::NextRefresh() const {
  MutexLock lock(mu_);
  return refresh_at_;
}

void TokenKeeper::Stop() {
  {
    MutexLock lock(mu_);
    stop_ = true;
    cv_.NotifyAll();
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace skein::agent::serviceaccount
