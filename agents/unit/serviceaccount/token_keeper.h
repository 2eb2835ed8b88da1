#pragma once

// In-cluster credentials for the units of a Kubernetes model (issue 16), where lightkube and the
// Kubernetes client libraries of charms look for them (kubernetes-substrate.md §2):
//   <sa dir>/token, ca.crt, namespace   the files of a pod's ServiceAccount mount; the machine
//                                       agent binds <sa dir> onto
//                                       /var/run/secrets/kubernetes.io/serviceaccount in the
//                                       unit agent's mount namespace (agents/machine/unit_agents.cc)
//   <kubeconfig>                        the same as a kubeconfig (KUBECONFIG in every hook;
//                                       kube::RenderKubeconfig, context "skein")
//   KUBERNETES_SERVICE_HOST/PORT        from the API server's URL, in every hook
// The token is one of the application's ServiceAccount, minted by the controller (TokenRequest)
// for the calling unit. It is written again before 80% of its lifetime has passed, by a timer
// on the agent's clock; a failed refresh is retried with backoff until the token expires.
// Units of machine (local) models get none of this.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"

namespace skein::agent::serviceaccount {

// What the controller hands a unit of a Kubernetes model (Agent.GetServiceAccountToken).
struct Credentials {
  std::string server;     // "https://127.0.0.1:6443"
  std::string ca_pem;
  std::string ns;         // the model's namespace
  std::string token;
  Clock::WallTime expiry;
};

struct TokenKeeperOptions {
  std::string sa_dir;      // token, ca.crt, namespace
  std::string kubeconfig;  // the kubeconfig file's path
  // Between failed refreshes: doubling from the first to the second.
  std::chrono::milliseconds retry_min{1000};
  std::chrono::milliseconds retry_max{30000};
  // How long Start() asks again for the first token when the controller cannot give one yet.
  std::chrono::milliseconds first_fetch_deadline{60000};
};

// The host and port of a server URL (`https://h:p`, `https://[::1]:p`; the port defaults to 443
// for https, 80 for http). InvalidArgument when it is not such a URL.
absl::StatusOr<std::pair<std::string, std::string>> HostPortOf(const std::string& server);

class TokenKeeper {
 public:
  // nullopt: the unit's model is not on a Kubernetes cloud. Errors: whatever the RPC gave.
  using Fetch = std::function<absl::StatusOr<std::optional<Credentials>>()>;

  TokenKeeper(TokenKeeperOptions options, Fetch fetch, Clock& clock);
  ~TokenKeeper();
  TokenKeeper(const TokenKeeper&) = delete;
  TokenKeeper& operator=(const TokenKeeper&) = delete;

  // Fetches the first credentials (asking again with backoff until first_fetch_deadline) and
  // writes them. Returns the variables every hook gets
  // (KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT, KUBECONFIG), empty for a unit of a local
  // model; then keeps the token fresh on a thread of its own until Stop(). Errors: the fetch's,
  // or Internal when the files cannot be written (nothing keeps running then).
  absl::StatusOr<std::map<std::string, std::string>> Start();
  // Idempotent.
  void Stop();

  // When the next refresh is due (for tests); nullopt before Start() or for a local model.
  std::optional<Clock::TimePoint> NextRefresh() const;

 private:
  absl::StatusOr<std::optional<Credentials>> FetchFirst();
  absl::Status Write(const Credentials& c);
  // Schedules the refresh for credentials fetched at `now`.
  void Schedule(const Credentials& c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run();

  const TokenKeeperOptions options_;
  const Fetch fetch_;
  Clock& clock_;
  mutable Mutex mu_;
  CondVar cv_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<Clock::TimePoint> refresh_at_ ABSL_GUARDED_BY(mu_);
  Clock::TimePoint expires_at_ ABSL_GUARDED_BY(mu_){};
  std::thread thread_;
};

}  // namespace skein::agent::serviceaccount
