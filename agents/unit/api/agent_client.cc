#include "agents/unit/api/agent_client.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "lib/base/sha256.h"
#include "lib/rpc/retry.h"
#include "lib/rpc/status_convert.h"
#include "spdlog/spdlog.h"

namespace skein::agent {
namespace {

// Unary call helper: fresh context with identity and deadline, conversion at the edge.
template <typename Req, typename Resp, typename Method>
absl::StatusOr<Resp> Call(const AgentClient& client, v1::Agent::Stub& stub, Method method, const Req& request) {
  grpc::ClientContext ctx;
  client.Prepare(&ctx, rpc::kDefaultDeadline);
  Resp response;
  grpc::Status status = (stub.*method)(&ctx, request, &response);
  if (!status.ok()) return rpc::FromGrpc(status);
  return response;
}

}  // namespace

AgentClient::AgentClient(std::shared_ptr<grpc::Channel> channel, rpc::Identity identity, Clock& clock)
    : stub_(v1::Agent::NewStub(channel)),
      secrets_stub_(v1::Secrets::NewStub(channel)),
      resources_stub_(v1::Resources::NewStub(channel)),
      identity_(std::move(identity)),
      clock_(clock) {}

AgentClient::AgentClient(const std::string& address, const std::string& ca_pem, rpc::Identity identity, Clock& clock)
    : AgentClient(rpc::MakeChannel(address, ca_pem), std::move(identity), clock) {}

void AgentClient::Prepare(grpc::ClientContext* ctx, std::chrono::milliseconds deadline) const {
  rpc::PrepareContext(ctx, identity_, deadline);
}

absl::StatusOr<v1::LoginResponse> AgentClient::Login() {
  return Call<v1::LoginRequest, v1::LoginResponse>(*this, *stub_, &v1::Agent::Stub::Login, v1::LoginRequest{});
}

absl::StatusOr<AgentClient::CharmDownload> AgentClient::DownloadCharm(const std::string& url, const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  grpc::ClientContext ctx;
  Prepare(&ctx, std::chrono::milliseconds(0));
  v1::GetCharmRequest req;
  req.set_url(url);
  std::unique_ptr<grpc::ClientReader<v1::CharmChunk>> reader = stub_->GetCharmContent(&ctx, req);
  CharmDownload announced;
  Sha256 hash;
  int64_t received = 0;
  bool first = true;
  absl::Status local;  // an error on this side; the stream is cancelled then
  v1::CharmChunk chunk;
  while (local.ok() && reader->Read(&chunk)) {
    if (first) {
      announced.sha256 = chunk.sha256();
      announced.size = chunk.size();
      first = false;
    }
    received += static_cast<int64_t>(chunk.data().size());
    if (received > announced.size) {
      local = absl::DataLossError(absl::StrCat("charm download of \"", url, "\" is longer than the ", announced.size,
                                               " bytes announced"));
      break;
    }
    hash.Update(chunk.data());
    const std::string& data = chunk.data();
    for (size_t off = 0; off < data.size() && local.ok();) {
      ssize_t n = ::write(fd, data.data() + off, data.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) local = absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
      if (n > 0) off += static_cast<size_t>(n);
    }
  }
  if (!local.ok()) ctx.TryCancel();
  grpc::Status status = reader->Finish();
  if (::close(fd) != 0 && local.ok()) {
    local = absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  if (local.ok() && !status.ok()) local = rpc::FromGrpc(status);
  if (local.ok() && (first || received != announced.size)) {
    local = absl::DataLossError(absl::StrCat("charm download of \"", url, "\" ended after ", received, " of ",
                                             announced.size, " bytes"));
  }
  if (local.ok()) {
    std::string digest = hash.HexDigest();
    if (digest != announced.sha256) {
      local = absl::DataLossError(absl::StrCat("charm download of \"", url, "\" does not match its SHA-256: announced ",
                                               announced.sha256, ", received ", digest));
    }
  }
  if (!local.ok()) {
    ::unlink(path.c_str());
    return local;
  }
  return announced;
}

absl::StatusOr<std::map<std::string, std::string>> AgentClient::ReadRelationSettings(int64_t relation_id,
                                                                                     const std::string& owner,
                                                                                     bool application) {
  v1::ReadRelationSettingsRequest req;
  req.set_relation_id(relation_id);
  req.set_owner(owner);
  req.set_application(application);
  auto resp = Call<v1::ReadRelationSettingsRequest, v1::RelationSettings>(
      *this, *stub_, &v1::Agent::Stub::ReadRelationSettings, req);
  if (!resp.ok()) return resp.status();
  return std::map<std::string, std::string>(resp->settings().begin(), resp->settings().end());
}

absl::StatusOr<v1::CommitHookResponse> AgentClient::CommitHook(const v1::CommitHookRequest& request) {
  return Call<v1::CommitHookRequest, v1::CommitHookResponse>(*this, *stub_, &v1::Agent::Stub::CommitHook, request);
}

absl::Status AgentClient::SetStatus(v1::SetStatusRequest::Target target, const std::string& status,
                                    const std::string& message, const std::string& data_json) {
  DrainStatus();
  v1::SetStatusRequest req;
  req.set_target(target);
  req.mutable_status()->set_current(status);
  req.mutable_status()->set_message(message);
  req.mutable_status()->set_data_json(data_json);
  return Call<v1::SetStatusRequest, v1::SetStatusResponse>(*this, *stub_, &v1::Agent::Stub::SetStatus, req).status();
}

void AgentClient::SetStatusAsync(v1::SetStatusRequest::Target target, const std::string& status,
                                 const std::string& message, const std::string& data_json) {
  v1::SetStatusRequest req;
  req.set_target(target);
  req.mutable_status()->set_current(status);
  req.mutable_status()->set_message(message);
  req.mutable_status()->set_data_json(data_json);
  MutexLock lock(status_mu_);
  status_queue_.push_back(std::move(req));
  ++status_enqueued_;
  if (!status_thread_.joinable()) status_thread_ = std::thread([this] { StatusWorker(); });
  status_cv_.NotifyAll();
}

void AgentClient::DrainStatus(std::chrono::milliseconds deadline) {
  MutexLock lock(status_mu_);
  const uint64_t target = status_enqueued_;
  clock_.WaitFor(status_mu_, status_cv_, deadline, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(status_mu_) {
    return status_done_ >= target || status_stopping_;
  });
}

void AgentClient::StatusWorker() {
  rpc::Backoff backoff(rpc::kControllerRetry);
  MutexLock lock(status_mu_);
  while (true) {
    while (!status_stopping_ && status_queue_.empty()) status_cv_.Wait(status_mu_);
    if (status_queue_.empty()) return;  // stopping and nothing left
    const auto item = status_queue_.front();
    status_mu_.Unlock();
    absl::Status s;
    if (const auto* req = std::get_if<v1::SetStatusRequest>(&item)) {
      s = Call<v1::SetStatusRequest, v1::SetStatusResponse>(*this, *stub_, &v1::Agent::Stub::SetStatus, *req).status();
    } else {
      s = Call<v1::AckSnapshotRequest, v1::AckSnapshotResponse>(*this, *stub_, &v1::Agent::Stub::AckSnapshot,
                                                                 std::get<v1::AckSnapshotRequest>(item))
              .status();
    }
    status_mu_.Lock();
    const bool transient = rpc::IsTransient(s);
    if (transient && !status_stopping_) {
      // Keep the change at the head of the queue: later changes must not overtake it.
      clock_.WaitFor(status_mu_, status_cv_, backoff.Next(),
                     [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(status_mu_) { return status_stopping_; });
      continue;
    }
    if (const auto* req = std::get_if<v1::SetStatusRequest>(&item); req != nullptr && !s.ok() && !transient) {
      spdlog::warn("cannot set {} status {}: {}", v1::SetStatusRequest::Target_Name(req->target()),
                   req->status().current(), std::string(s.message()));
    } else if (!s.ok() && !transient) {
      spdlog::warn("cannot acknowledge snapshot: {}", std::string(s.message()));
    }
    backoff.Reset();
    status_queue_.pop_front();
    ++status_done_;
    status_cv_.NotifyAll();
  }
}

AgentClient::~AgentClient() {
  std::thread worker;
  {
    MutexLock lock(status_mu_);
    if (!status_thread_.joinable()) return;
  }
  DrainStatus(std::chrono::seconds(2));
  {
    MutexLock lock(status_mu_);
    status_stopping_ = true;
    status_queue_.clear();
    status_cv_.NotifyAll();
    worker = std::move(status_thread_);
  }
  worker.join();
}

absl::StatusOr<v1::GetAgentStatusResponse> AgentClient::GetStatus(bool application) {
  DrainStatus();
  v1::GetAgentStatusRequest req;
  req.set_application(application);
  return Call<v1::GetAgentStatusRequest, v1::GetAgentStatusResponse>(*this, *stub_, &v1::Agent::Stub::GetStatus, req);
}

absl::Status AgentClient::SetWorkloadVersion(const std::string& version) {
  v1::SetWorkloadVersionRequest req;
  req.set_version(version);
  return Call<v1::SetWorkloadVersionRequest, v1::SetWorkloadVersionResponse>(
             *this, *stub_, &v1::Agent::Stub::SetWorkloadVersion, req)
      .status();
}

absl::Status AgentClient::LeaveRelation(int64_t relation_id) {
  v1::LeaveRelationRequest req;
  req.set_relation_id(relation_id);
  return Call<v1::LeaveRelationRequest, v1::LeaveRelationResponse>(*this, *stub_, &v1::Agent::Stub::LeaveRelation,
                                                                   req)
      .status();
}

absl::Status AgentClient::MarkUnitDead() {
  return Call<v1::MarkUnitDeadRequest, v1::MarkUnitDeadResponse>(*this, *stub_, &v1::Agent::Stub::MarkUnitDead,
                                                                 v1::MarkUnitDeadRequest{})
      .status();
}

absl::Status AgentClient::ClearResolved(int64_t serial) {
  v1::ClearResolvedRequest req;
  req.set_serial(serial);
  return Call<v1::ClearResolvedRequest, v1::ClearResolvedResponse>(*this, *stub_, &v1::Agent::Stub::ClearResolved, req)
      .status();
}

void AgentClient::AckSnapshotAsync(int64_t version) {
  v1::AckSnapshotRequest req;
  req.set_version(version);
  MutexLock lock(status_mu_);
  status_queue_.push_back(std::move(req));
  ++status_enqueued_;
  if (!status_thread_.joinable()) status_thread_ = std::thread([this] { StatusWorker(); });
  status_cv_.NotifyAll();
}

absl::StatusOr<v1::GetUnitStateResponse> AgentClient::GetUnitState() {
  return Call<v1::GetUnitStateRequest, v1::GetUnitStateResponse>(*this, *stub_, &v1::Agent::Stub::GetUnitState,
                                                                 v1::GetUnitStateRequest());
}

absl::StatusOr<v1::ServiceAccountToken> AgentClient::GetServiceAccountToken() {
  return Call<v1::GetServiceAccountTokenRequest, v1::ServiceAccountToken>(
      *this, *stub_, &v1::Agent::Stub::GetServiceAccountToken, v1::GetServiceAccountTokenRequest());
}

absl::StatusOr<std::map<std::string, std::string>> AgentClient::GetLeaderSettings() {
  auto resp = Call<v1::GetLeaderSettingsRequest, v1::GetLeaderSettingsResponse>(
      *this, *stub_, &v1::Agent::Stub::GetLeaderSettings, v1::GetLeaderSettingsRequest());
  if (!resp.ok()) return resp.status();
  return std::map<std::string, std::string>(resp->settings().begin(), resp->settings().end());
}

absl::Status AgentClient::SetLeaderSettings(const std::map<std::string, std::string>& set,
                                            const std::vector<std::string>& unset) {
  v1::SetLeaderSettingsRequest req;
  req.mutable_set()->insert(set.begin(), set.end());
  for (const auto& k : unset) req.add_unset(k);
  return Call<v1::SetLeaderSettingsRequest, v1::SetLeaderSettingsResponse>(
             *this, *stub_, &v1::Agent::Stub::SetLeaderSettings, req)
      .status();
}

absl::Status AgentClient::PushLogs(const std::vector<v1::LogEntry>& entries) {
  v1::PushLogsRequest req;
  for (const auto& e : entries) *req.add_entries() = e;
  return Call<v1::PushLogsRequest, v1::PushLogsResponse>(*this, *stub_, &v1::Agent::Stub::PushLogs, req).status();
}

absl::Status AgentClient::ApplyManifests(const std::string& set, const std::vector<v1::Manifest>& manifests) {
  v1::ApplyManifestsRequest req;
  req.set_set(set);
  for (const auto& m : manifests) *req.add_manifests() = m;
  return Call<v1::ApplyManifestsRequest, v1::ApplyManifestsResponse>(*this, *stub_, &v1::Agent::Stub::ApplyManifests,
                                                                     req)
      .status();
}

absl::Status AgentClient::SetUnitCredential(const v1::MachineUnit& unit, const std::string& credential) {
  v1::SetUnitCredentialRequest req;
  req.set_unit(unit.name());
  req.set_model_uuid(unit.model_uuid());
  req.set_credential(credential);
  return Call<v1::SetUnitCredentialRequest, v1::SetUnitCredentialResponse>(
             *this, *stub_, &v1::Agent::Stub::SetUnitCredential, req)
      .status();
}

absl::Status AgentClient::StartAction(const std::string& task_id) {
  v1::StartActionRequest req;
  req.set_task_id(task_id);
  return Call<v1::StartActionRequest, v1::StartActionResponse>(*this, *stub_, &v1::Agent::Stub::StartAction, req)
      .status();
}

absl::Status AgentClient::ActionLog(const std::string& task_id, const std::string& message) {
  v1::ActionLogRequest req;
  req.set_task_id(task_id);
  req.set_message(message);
  return Call<v1::ActionLogRequest, v1::ActionLogResponse>(*this, *stub_, &v1::Agent::Stub::ActionLog, req).status();
}

absl::Status AgentClient::FinishAction(const v1::FinishActionRequest& request) {
  return Call<v1::FinishActionRequest, v1::FinishActionResponse>(*this, *stub_, &v1::Agent::Stub::FinishAction,
                                                                 request)
      .status();
}

}  // namespace skein::agent
