#include "tests/agents/unit/fake_agent_service.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "lib/base/limits.h"
#include "lib/base/sha256.h"
#include "lib/charm/charm_zip.h"
#include "lib/rpc/auth.h"
#include "lib/rpc/tls.h"
#include "tests/test_tls.h"

namespace skein::agent::testing {

FakeAgentService::FakeAgentService() {
  machine_.set_machine_id("0");
  unit_.set_life(v1::LIFE_ALIVE);
}

FakeAgentService::~FakeAgentService() { Shutdown(); }

void FakeAgentService::StartOn(const std::string& address) {
  grpc::ServerBuilder builder;
  int port = 0;
  // TLS as the controller: the agent binaries these tests start trust only the CA in agent.conf.
  builder.AddListeningPort(address, rpc::ServerCredentials(skein::testing::TestCertificates().server), &port);
  builder.RegisterService(this);
  // As the controller: requests up to the largest legal one (lib/base/limits.h).
  builder.SetMaxReceiveMessageSize(static_cast<int>(limits::kMaxRequestBytes));
  builder.SetMaxSendMessageSize(-1);
  server_ = builder.BuildAndStart();
  address_ = "127.0.0.1:" + std::to_string(port);
}

void FakeAgentService::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutting_down_ = true;
  }
  cv_.notify_all();
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_->Wait();
    server_.reset();
  }
}

void FakeAgentService::SetUnitSnapshot(v1::UnitSnapshot snapshot) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot.set_version(unit_.version() + 1);
    unit_ = std::move(snapshot);
  }
  cv_.notify_all();
}

v1::UnitSnapshot FakeAgentService::unit_snapshot() {
  std::lock_guard<std::mutex> lock(mu_);
  return unit_;
}

void FakeAgentService::UpdateUnitSnapshot(const std::function<void(v1::UnitSnapshot&)>& change) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    change(unit_);
    unit_.set_version(unit_.version() + 1);
  }
  cv_.notify_all();
}

void FakeAgentService::SetMachineSnapshot(v1::MachineSnapshot snapshot) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot.set_version(machine_.version() + 1);
    machine_ = std::move(snapshot);
  }
  cv_.notify_all();
}

std::string FakeAgentService::SetCharm(const v1::CharmArchive& charm) {
  std::vector<charm::PackEntry> entries;
  for (const v1::CharmFile& f : charm.files()) {
    charm::PackEntry e;
    e.path = f.path();
    e.kind = f.is_symlink() ? charm::EntryKind::kSymlink : charm::EntryKind::kFile;
    e.mode = f.mode();
    e.content = f.content();
    entries.push_back(std::move(e));
  }
  std::string pattern = (std::filesystem::temp_directory_path() / "skein-fake-charm-XXXXXX").string();
  int fd = ::mkstemp(pattern.data());
  ::close(fd);
  absl::Status packed = charm::WriteCharmZip(pattern, entries);
  std::ifstream in(pattern, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  ::unlink(pattern.c_str());
  if (!packed.ok()) ADD_FAILURE() << packed;
  std::lock_guard<std::mutex> lock(mu_);
  charm_zip_ = bytes.str();
  charm_sha256_ = Sha256Hex(charm_zip_);
  return charm_sha256_;
}

void FakeAgentService::SetCharmError(grpc::Status status, bool corrupt) {
  std::lock_guard<std::mutex> lock(mu_);
  charm_error_ = std::move(status);
  charm_corrupt_ = corrupt;
}

void FakeAgentService::SetLastCommitSeq(int64_t seq) {
  std::lock_guard<std::mutex> lock(mu_);
  last_commit_seq_ = seq;
}

void FakeAgentService::SetUnitState(v1::GetUnitStateResponse state) {
  std::lock_guard<std::mutex> lock(mu_);
  unit_state_ = std::move(state);
}

grpc::Status FakeAgentService::GetUnitState(grpc::ServerContext* ctx, const v1::GetUnitStateRequest*,
                                            v1::GetUnitStateResponse* resp) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(ctx);
  *resp = unit_state_;
  return grpc::Status::OK;
}

void FakeAgentService::SetBag(int64_t relation_id, const std::string& owner, bool application,
                              std::map<std::string, std::string> bag) {
  std::lock_guard<std::mutex> lock(mu_);
  bags_[{relation_id, owner, application}] = std::move(bag);
}

void FakeAgentService::SetUnitGone(bool gone) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    unit_gone_ = gone;
  }
  cv_.notify_all();
}

bool FakeAgentService::WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, pred);
}

std::vector<StatusCall> FakeAgentService::StatusesOf(v1::SetStatusRequest::Target target) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StatusCall> out;
  for (const auto& s : statuses) {
    if (s.target == target) out.push_back(s);
  }
  return out;
}

void FakeAgentService::Record(grpc::ServerContext* ctx) {
  auto id = rpc::ClaimedIdentity(*ctx);
  entities.push_back(id ? id->entity : "");
}

template <typename Snapshot>
grpc::Status FakeAgentService::Stream(grpc::ServerContext* ctx, grpc::ServerWriter<Snapshot>* writer,
                                      const Snapshot& (FakeAgentService::*get)() const) {
  constexpr bool kIsUnit = std::is_same_v<Snapshot, v1::UnitSnapshot>;
  int64_t sent = -1;
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    // The short timeout only bounds how late a cancelled stream notices (gRPC's sync API has
    // no cancellation callback); new snapshots wake the stream at once.
    cv_.wait_for(lock, std::chrono::milliseconds(50), [&] {
      return shutting_down_ || (kIsUnit && unit_gone_) || (this->*get)().version() != sent || ctx->IsCancelled();
    });
    if (shutting_down_ || ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "shutting down");
    if (kIsUnit && unit_gone_) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "unit not found");
    }
    if ((this->*get)().version() == sent) continue;
    Snapshot copy = (this->*get)();
    sent = copy.version();
    lock.unlock();
    bool ok = writer->Write(copy);
    lock.lock();
    if (!ok) return grpc::Status::OK;
  }
}

grpc::Status FakeAgentService::Login(grpc::ServerContext* ctx, const v1::LoginRequest*, v1::LoginResponse* resp) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(ctx);
  ++login_calls;
  auto id = rpc::ClaimedIdentity(*ctx);
  resp->set_entity(id ? id->entity : "");
  resp->set_model_name("test-model");
  resp->set_model_uuid(kFakeModelUuid);
  resp->set_machine_id("0");
  resp->set_last_commit_seq(last_commit_seq_);
  resp->set_unit(unit_.unit());
  resp->set_application(unit_.application());
  cv_.notify_all();
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::WatchMachine(grpc::ServerContext* ctx, const v1::WatchMachineRequest*,
                                            grpc::ServerWriter<v1::MachineSnapshot>* writer) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Record(ctx);
    ++watch_machine_calls;
  }
  cv_.notify_all();
  return Stream<v1::MachineSnapshot>(ctx, writer, &FakeAgentService::MachineLocked);
}

grpc::Status FakeAgentService::SetUnitCredential(grpc::ServerContext* ctx, const v1::SetUnitCredentialRequest* req,
                                                 v1::SetUnitCredentialResponse*) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(ctx);
  unit_credentials[{req->model_uuid(), req->unit()}] = req->credential();
  cv_.notify_all();
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::WatchUnit(grpc::ServerContext* ctx, const v1::WatchUnitRequest*,
                                         grpc::ServerWriter<v1::UnitSnapshot>* writer) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Record(ctx);
    ++watch_unit_calls;
  }
  cv_.notify_all();
  return Stream<v1::UnitSnapshot>(ctx, writer, &FakeAgentService::UnitLocked);
}

grpc::Status FakeAgentService::GetCharmContent(grpc::ServerContext* ctx, const v1::GetCharmRequest*,
                                               grpc::ServerWriter<v1::CharmChunk>* writer) {
  std::string zip;
  v1::CharmChunk chunk;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Record(ctx);
    ++charm_downloads;
    cv_.notify_all();
    if (!charm_error_.ok()) return charm_error_;
    zip = charm_zip_;
    chunk.set_sha256(charm_sha256_);
    chunk.set_size(static_cast<int64_t>(zip.size()));
    if (charm_corrupt_ && !zip.empty()) zip[zip.size() / 2] ^= 0x55;
  }
  // Small chunks, so that even a test charm takes several messages.
  constexpr size_t kChunk = 4096;
  for (size_t off = 0; off == 0 || off < zip.size(); off += kChunk) {
    chunk.set_data(zip.substr(off, kChunk));
    if (!writer->Write(chunk)) return grpc::Status::OK;
    chunk.clear_sha256();
    chunk.clear_size();
  }
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::ReadRelationSettings(grpc::ServerContext* ctx, const v1::ReadRelationSettingsRequest* req,
                                                    v1::RelationSettings* resp) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(ctx);
  auto it = bags_.find({req->relation_id(), req->owner(), req->application()});
  if (it != bags_.end()) resp->mutable_settings()->insert(it->second.begin(), it->second.end());
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::CommitHook(grpc::ServerContext* ctx, const v1::CommitHookRequest* req,
                                          v1::CommitHookResponse* resp) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(ctx);
  commits.push_back(*req);
  last_commit_seq_ = std::max(last_commit_seq_, req->commit_seq());
  resp->set_applied_seq(req->commit_seq());
  cv_.notify_all();
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::SetStatus(grpc::ServerContext* ctx, const v1::SetStatusRequest* req,
                                         v1::SetStatusResponse*) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(ctx);
  statuses.push_back({req->target(), req->status().current(), req->status().message(), req->status().data_json()});
  if (req->target() == v1::SetStatusRequest::WORKLOAD) workload_ = req->status();
  cv_.notify_all();
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::GetStatus(grpc::ServerContext* ctx, const v1::GetAgentStatusRequest*,
                                         v1::GetAgentStatusResponse* resp) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(ctx);
  *resp->mutable_unit() = workload_;
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::SetWorkloadVersion(grpc::ServerContext* ctx, const v1::SetWorkloadVersionRequest* req,
                                                  v1::SetWorkloadVersionResponse*) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(ctx);
  workload_versions.push_back(req->version());
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::ActionLog(grpc::ServerContext* ctx, const v1::ActionLogRequest* req,
                                         v1::ActionLogResponse*) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(ctx);
  action_logs.push_back(req->message());
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::SetLeaderSettings(grpc::ServerContext* ctx, const v1::SetLeaderSettingsRequest* req,
                                                 v1::SetLeaderSettingsResponse*) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(ctx);
  for (const auto& [k, v] : req->set()) leader_settings[k] = v;
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::LeaveRelation(grpc::ServerContext* ctx, const v1::LeaveRelationRequest* req,
                                             v1::LeaveRelationResponse*) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(ctx);
  left_relations.push_back(req->relation_id());
  cv_.notify_all();
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::MarkUnitDead(grpc::ServerContext* ctx, const v1::MarkUnitDeadRequest*,
                                            v1::MarkUnitDeadResponse*) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(ctx);
  ++mark_dead_calls;
  cv_.notify_all();
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::ClearResolved(grpc::ServerContext* ctx, const v1::ClearResolvedRequest* req,
                                             v1::ClearResolvedResponse*) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Record(ctx);
    cleared_resolves.push_back(req->serial());
  }
  UpdateUnitSnapshot([&](v1::UnitSnapshot& s) {
    if (s.resolve_serial() == req->serial()) s.set_resolve_mode("");
  });
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::StartAction(grpc::ServerContext* ctx, const v1::StartActionRequest* req,
                                           v1::StartActionResponse*) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(ctx);
  started_actions.push_back(req->task_id());
  cv_.notify_all();
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::FinishAction(grpc::ServerContext* ctx, const v1::FinishActionRequest* req,
                                            v1::FinishActionResponse*) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Record(ctx);
    if (refuse_results.count(req->task_id()) != 0 && req->results_json() != "{}") {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "the action's results (4194315 bytes) exceeds the 4 MiB limit of action results");
    }
    finished_actions.push_back(*req);
  }
  UpdateUnitSnapshot([&](v1::UnitSnapshot& s) {
    auto* actions = s.mutable_actions();
    for (int i = 0; i < actions->size(); ++i) {
      if (actions->Get(i).task_id() == req->task_id()) {
        actions->DeleteSubrange(i, 1);
        break;
      }
    }
  });
  return grpc::Status::OK;
}

grpc::Status FakeAgentService::PushLogs(grpc::ServerContext* ctx, const v1::PushLogsRequest* req,
                                        v1::PushLogsResponse*) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(ctx);
  for (const auto& e : req->entries()) logs.push_back(e);
  cv_.notify_all();
  return grpc::Status::OK;
}

}  // namespace skein::agent::testing
