#include "lib/kube/http.h"

#include <curl/curl.h>

#include <cctype>
#include <mutex>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace skein::kube {
namespace {

// A response body larger than this is refused rather than held: the largest lists the provider
// reads (every pod of a model) are a few MiB.
constexpr size_t kMaxBody = 256u << 20;
// How many idle handles (each with its open connection) are kept between calls.
constexpr size_t kMaxIdle = 8;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct BodySink {
  std::string body;
  bool too_big = false;
};

size_t CollectBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  size_t n = size * count;
  if (sink->body.size() + n > kMaxBody) {
    sink->too_big = true;
    return 0;
  }
  sink->body.append(data, n);
  return n;
}

// What a stream's write callback works with.
struct StreamState {
  const std::function<bool(std::string_view)>* on_line = nullptr;
  const std::atomic<bool>* stop = nullptr;
  size_t max_line = 0;
  CURL* handle = nullptr;
  std::string pending;  // a line not yet ended
  std::string error_body;
  bool ended_by_caller = false;
  bool line_too_long = false;
};

size_t StreamWrite(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<StreamState*>(user);
  size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(state->handle, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    // An error answer is one Status object, not lines.
    if (state->error_body.size() + n > kMaxBody) return 0;
    state->error_body.append(data, n);
    return n;
  }
  std::string_view chunk(data, n);
  while (!chunk.empty()) {
    size_t newline = chunk.find('\n');
    if (newline == std::string_view::npos) {
      if (state->pending.size() + chunk.size() > state->max_line) {
        state->line_too_long = true;
        return 0;
      }
      state->pending.append(chunk);
      break;
    }
    state->pending.append(chunk.substr(0, newline));
    chunk.remove_prefix(newline + 1);
    std::string line = std::exchange(state->pending, std::string());
    if (line.empty()) continue;
    if (!(*state->on_line)(line)) {
      state->ended_by_caller = true;
      return 0;
    }
  }
  return n;
}

// libcurl calls this about once a second even when no byte arrives, which is how a watch on a
// quiet collection notices its stop flag.
int StreamProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* state = static_cast<StreamState*>(user);
  if (state->stop != nullptr && state->stop->load()) {
    state->ended_by_caller = true;
    return 1;
  }
  return 0;
}

// One transfer of a prepared handle, its output to `write(..., sink)`.
struct Performed {
  CURLcode code = CURLE_OK;
  long status = 0;    // the HTTP status, 0 when none arrived
  std::string error;  // libcurl's words for a failed transfer
};

Performed Perform(CURL* handle, curl_write_callback write, void* sink) {
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, write);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, sink);
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
  Performed result;
  result.code = curl_easy_perform(handle);
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &result.status);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, nullptr);
  result.error = error[0] != '\0' ? error : curl_easy_strerror(result.code);
  return result;
}

absl::Status TransportError(const Performed& performed, const std::string& base) {
  const std::string& why = performed.error;
  return absl::UnavailableError(absl::StrCat("cannot reach the Kubernetes API server at ", base, ": ", why));
}

void SetBlob(CURL* handle, CURLoption option, const std::string& pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(handle, option, &blob);
}

}  // namespace

HttpTransport::HttpTransport(const ClusterConfig& config)
    : config_(config), base_(absl::StripSuffix(config.server, "/")) {}

absl::StatusOr<std::unique_ptr<HttpTransport>> HttpTransport::Create(const ClusterConfig& config) {
  GlobalInit();
  if (config.server.empty()) return absl::InvalidArgumentError("the cluster configuration names no server");
  return std::unique_ptr<HttpTransport>(new HttpTransport(config));
}

HttpTransport::~HttpTransport() {
  MutexLock lock(mu_);
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* HttpTransport::Acquire() {
  {
    MutexLock lock(mu_);
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      // Options go, the open connection stays.
      curl_easy_reset(static_cast<CURL*>(handle));
      return handle;
    }
  }
  return curl_easy_init();
}

void HttpTransport::Release(void* handle) {
  MutexLock lock(mu_);
  if (idle_.size() < kMaxIdle) {
    idle_.push_back(handle);
  } else {
    curl_easy_cleanup(static_cast<CURL*>(handle));
  }
}

void HttpTransport::Prepare(void* raw, const std::string& target, curl_slist** headers,
                            const std::string& content_type) const {
  auto* handle = static_cast<CURL*>(raw);
  std::string url = base_ + target;
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "https,http");
  // The cluster's address is what the kubeconfig says, never through a proxy from the
  // environment.
  curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
  if (!config_.ca_pem.empty()) SetBlob(handle, CURLOPT_CAINFO_BLOB, config_.ca_pem);
  if (config_.insecure_skip_tls_verify) {
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!config_.client_cert_pem.empty()) {
    curl_easy_setopt(handle, CURLOPT_SSLCERTTYPE, "PEM");
    SetBlob(handle, CURLOPT_SSLCERT_BLOB, config_.client_cert_pem);
    curl_easy_setopt(handle, CURLOPT_SSLKEYTYPE, "PEM");
    SetBlob(handle, CURLOPT_SSLKEY_BLOB, config_.client_key_pem);
  }
  *headers = curl_slist_append(*headers, "Accept: application/json");
  if (!content_type.empty()) {
    *headers = curl_slist_append(*headers, ("Content-Type: " + content_type).c_str());
  }
  if (!config_.token.empty()) {
    *headers = curl_slist_append(*headers, ("Authorization: Bearer " + config_.token).c_str());
  }
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, *headers);
}

absl::StatusOr<HttpResponse> HttpTransport::Do(const std::string& method, const std::string& target,
                                               const std::string& content_type, const std::string& body) {
  auto* handle = static_cast<CURL*>(Acquire());
  if (handle == nullptr) return absl::UnavailableError("cannot make a libcurl handle");
  curl_slist* headers = nullptr;
  Prepare(handle, target, &headers, content_type);
  if (method == "GET") {
    curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  // A call that takes this long has lost its server; watches use Stream, without this limit.
  curl_easy_setopt(handle, CURLOPT_TIMEOUT, 120L);
  BodySink sink;
  Performed performed = Perform(handle, CollectBody, &sink);
  curl_slist_free_all(headers);
  Release(handle);
  if (sink.too_big) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the Kubernetes API server's answer to ", method, " ", target, " exceeds ", kMaxBody >> 20, " MiB"));
  }
  if (performed.code != CURLE_OK) return TransportError(performed, base_);
  return HttpResponse{performed.status, std::move(sink.body)};
}

absl::StatusOr<HttpResponse> HttpTransport::Stream(const std::string& target,
                                                   const std::function<bool(std::string_view)>& on_line,
                                                   const std::atomic<bool>* stop, size_t max_line) {
  // A stream holds its handle for as long as it runs; it gets one of its own rather than one of
  // the pool's, and closes it at the end (a stream ended early leaves its connection unusable).
  CURL* handle = curl_easy_init();
  if (handle == nullptr) return absl::UnavailableError("cannot make a libcurl handle");
  curl_slist* headers = nullptr;
  Prepare(handle, target, &headers, "");
  curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
  StreamState state;
  state.on_line = &on_line;
  state.stop = stop;
  state.max_line = max_line;
  state.handle = handle;
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, StreamProgress);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &state);
  Performed performed = Perform(handle, StreamWrite, &state);
  curl_slist_free_all(headers);
  curl_easy_cleanup(handle);
  if (state.line_too_long) {
    return absl::ResourceExhaustedError(
        absl::StrCat("a line of the Kubernetes API server's stream ", target, " exceeds ", max_line, " bytes"));
  }
  if (performed.code != CURLE_OK && !state.ended_by_caller) return TransportError(performed, base_);
  return HttpResponse{performed.status, std::move(state.error_body)};
}

std::string HttpTransport::Escape(std::string_view text) {
  std::string out;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace skein::kube
