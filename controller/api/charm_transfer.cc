#include "controller/api/charm_transfer.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "lib/rpc/auth.h"

namespace skein::controller::api {
namespace {

using domain::application::CharmStore;
using domain::auth::Kind;

// A reactor's state moves between executor threads through gRPC: a task starts a read or a write,
// and gRPC's callback posts the next task. gRPC's own synchronisation orders the two, but it is
// not instrumented, so ThreadSanitizer cannot see it. Each task releases before it hands over to
// gRPC and acquires when it starts, which shows the sanitizer the order the tasks already have.
class HandOver {
 public:
  void Release() { seq_.fetch_add(1, std::memory_order_release); }
  void Acquire() const { (void)seq_.load(std::memory_order_acquire); }

 private:
  std::atomic<uint64_t> seq_{0};
};

// Reads one UploadCharm stream into the charm store: the first message opens the upload, every
// chunk is written and hashed before the next is asked for, and the end of the stream verifies
// the archive. An upload left unfinished (error, cancel) is removed before the call ends, so a
// client that sees the error finds nothing left behind.
class UploadReactor : public grpc::ServerReadReactor<v1::UploadCharmRequest> {
 public:
  UploadReactor(grpc::CallbackServerContext* ctx, const Backend& backend, v1::UploadCharmResponse* response)
      : b_(backend), claimed_(rpc::ClaimedIdentity(*ctx)), response_(response) {
    hand_over_.Release();
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    b_.executor->Post([this, ok] {
      hand_over_.Acquire();
      Handle(ok);
    });
  }
  void OnDone() override { delete this; }

 private:
  // Ends the call; nothing touches the reactor afterwards (OnDone may delete it at once). An
  // unfinished upload's temporary file goes first: the client may look as soon as Finish sends.
  void End(const absl::Status& status) {
    upload_.reset();
    hand_over_.Release();
    Finish(rpc::ToGrpc(status));
  }

  void Handle(bool ok) {
    if (!ok) {  // the client finished sending (or went away: then Finish goes nowhere)
      if (upload_ == nullptr) return End(absl::InvalidArgumentError("charm upload sent no data"));
      auto charm = upload_->Finish();
      if (!charm.ok()) return End(charm.status());
      response_->set_sha256(charm->sha256);
      response_->set_size(charm->size);
      response_->set_charm_name(charm->metadata.name);
      return End(absl::OkStatus());
    }
    if (upload_ == nullptr) {
      if (auto who = b_.authn->Require(claimed_, Kind::kAdmin); !who.ok()) return End(who.status());
      auto upload = b_.charms->BeginUpload(request_.sha256(), request_.size());
      if (!upload.ok()) return End(upload.status());
      upload_ = std::move(*upload);
    }
    if (static_cast<int64_t>(request_.chunk().size()) > kCharmChunkBytes) {
      return End(absl::InvalidArgumentError(
          absl::StrCat("charm upload chunk of ", request_.chunk().size(), " bytes is over ", kCharmChunkBytes)));
    }
    if (absl::Status s = upload_->Write(request_.chunk()); !s.ok()) return End(s);
    request_.Clear();
    hand_over_.Release();
    StartRead(&request_);
  }

  const Backend b_;
  const std::optional<rpc::Identity> claimed_;
  v1::UploadCharmResponse* response_;
  v1::UploadCharmRequest request_;
  std::unique_ptr<CharmStore::Upload> upload_;
  HandOver hand_over_;
};

// Streams a unit's charm archive from the charm store, one block per message.
class DownloadReactor : public grpc::ServerWriteReactor<v1::CharmChunk> {
 public:
  DownloadReactor(grpc::CallbackServerContext* ctx, const Backend& backend, std::string url)
      : b_(backend), claimed_(rpc::ClaimedIdentity(*ctx)), url_(std::move(url)) {
    b_.executor->Post([this] { Begin(); });
  }
  ~DownloadReactor() override {
    if (fd_ >= 0) ::close(fd_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return Finish(grpc::Status::CANCELLED);  // the agent went away
    b_.executor->Post([this] {
      hand_over_.Acquire();
      Next();
    });
  }
  void OnDone() override { delete this; }

 private:
  void End(const absl::Status& status) {
    hand_over_.Release();
    Finish(rpc::ToGrpc(status));
  }

  void Begin() {
    auto who = b_.authn->Require(claimed_, Kind::kUnit);
    if (!who.ok()) return End(who.status());
    auto content = b_.units->GetCharm(who->unit_id, url_);
    if (!content.ok()) return End(content.status());
    const std::string path = b_.charms->PathOf(content->sha256);
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      return End(absl::NotFoundError(absl::StrCat("charm \"", url_, "\" (", content->sha256,
                                                  ") is missing from the controller's charm store: ",
                                                  std::strerror(errno), "; deploy or refresh the charm again")));
    }
    chunk_.set_sha256(content->sha256);
    chunk_.set_size(content->size);
    Next();
  }

  void Next() {
    if (!first_) {  // only the first message carries the digest and size
      chunk_.clear_sha256();
      chunk_.clear_size();
    }
    std::string* data = chunk_.mutable_data();
    data->resize(kCharmChunkBytes);
    ssize_t n;
    do {
      n = ::read(fd_, data->data(), data->size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) return End(absl::InternalError(absl::StrCat("cannot read charm \"", url_, "\": ", std::strerror(errno))));
    data->resize(static_cast<size_t>(n));
    // The first message goes out even for an empty archive: it carries the digest and size.
    if (n == 0 && !first_) return End(absl::OkStatus());
    first_ = false;
    hand_over_.Release();
    StartWrite(&chunk_);
  }

  const Backend b_;
  const std::optional<rpc::Identity> claimed_;
  const std::string url_;
  int fd_ = -1;
  bool first_ = true;
  v1::CharmChunk chunk_;
  HandOver hand_over_;
};

}  // namespace

grpc::ServerReadReactor<v1::UploadCharmRequest>* StartCharmUpload(grpc::CallbackServerContext* ctx,
                                                                   const Backend& backend,
                                                                   v1::UploadCharmResponse* response) {
  return new UploadReactor(ctx, backend, response);
}

grpc::ServerWriteReactor<v1::CharmChunk>* StartCharmDownload(grpc::CallbackServerContext* ctx,
                                                              const Backend& backend, const std::string& url) {
  return new DownloadReactor(ctx, backend, url);
}

absl::StatusOr<domain::application::UploadedCharm> CharmOfDeploy(const Backend& backend,
                                                                 const v1::DeployRequest& request) {
  if (!request.charm_sha256().empty()) return backend.charms->Read(request.charm_sha256());
  return backend.charms->AddArchive(request.charm());
}

}  // namespace skein::controller::api
