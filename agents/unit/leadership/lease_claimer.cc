#include "agents/unit/leadership/lease_claimer.h"

#include <algorithm>

#include "agents/unit/api/agent_client.h"
#include "lib/rpc/status_convert.h"
#include "spdlog/spdlog.h"

namespace skein::agent {

LeaseClaimer::LeaseClaimer(ClaimFn claim, Clock& clock, std::chrono::milliseconds retry)
    : claim_(std::move(claim)), clock_(clock), retry_(retry) {}

LeaseClaimer::~LeaseClaimer() { Stop(); }

void LeaseClaimer::Start() {
  {
    MutexLock lock(mu_);
    if (stopping_) return;
  }
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void LeaseClaimer::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    cv_.NotifyAll();
  }
  if (thread_.joinable()) thread_.join();
}

std::chrono::milliseconds LeaseClaimer::NextWait(const absl::StatusOr<v1::ClaimLeadershipResponse>& result) const {
  if (!result.ok() || result->duration_ms() <= 0) return retry_;
  return std::max(std::chrono::milliseconds(result->duration_ms() / 2), std::chrono::milliseconds(50));
}

void LeaseClaimer::Loop() {
  bool held = false;
  while (true) {
    auto result = claim_();
    if (result.ok()) {
      if (result->held() != held) spdlog::info("leadership lease {}", result->held() ? "held" : "not held");
      held = result->held();
    } else if (result.status().code() != absl::StatusCode::kUnavailable) {
      spdlog::warn("cannot claim leadership: {}", std::string(result.status().message()));
    }
    MutexLock lock(mu_);
    if (clock_.WaitFor(mu_, cv_, NextWait(result), [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; })) {
      return;
    }
  }
}

absl::StatusOr<v1::ClaimLeadershipResponse> ClaimLeadership(AgentClient& client) {
  grpc::ClientContext ctx;
  client.Prepare(&ctx, std::chrono::seconds(10));
  v1::ClaimLeadershipRequest request;
  v1::ClaimLeadershipResponse response;
  grpc::Status s = client.stub().ClaimLeadership(&ctx, request, &response);
  if (!s.ok()) return rpc::FromGrpc(s);
  return response;
}

}  // namespace skein::agent
