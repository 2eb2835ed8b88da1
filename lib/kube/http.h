#pragma once

// HTTPS to one Kubernetes API server on libcurl, for client.cc: one request at a time per curl
// handle, handles kept in a small pool so that calls from several threads run at once and reuse
// their TLS connections. Never logs: the bearer token and client key travel in here.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "lib/base/mutex.h"
#include "lib/kube/kubeconfig.h"

struct curl_slist;

namespace skein::kube {

struct HttpResponse {
  long status = 0;   // the HTTP status code
  std::string body;  // for a stream, only the body of a response that is not 200
};

class HttpTransport {
 public:
  // Unavailable when libcurl cannot be set up; nothing is dialled yet.
  static absl::StatusOr<std::unique_ptr<HttpTransport>> Create(const ClusterConfig& config);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // One request to `target` (path and query, "/api/v1/namespaces/x/pods?limit=1") with an
  // optional body of `content_type`. Unavailable when the server cannot be reached or the
  // connection fails; any HTTP status is a response.
  absl::StatusOr<HttpResponse> Do(const std::string& method, const std::string& target,
                                  const std::string& content_type = "", const std::string& body = "");

  // A GET whose body is a stream of lines (a watch): `on_line` gets each line as it arrives
  // until it returns false, `stop` turns true (checked about once a second while the stream is
  // idle) or the server ends the response. Returns the status code, and the body when it is not
  // 200. ResourceExhausted when a line passes `max_line` bytes.
  absl::StatusOr<HttpResponse> Stream(const std::string& target, const std::function<bool(std::string_view)>& on_line,
                                      const std::atomic<bool>* stop, size_t max_line);

  // `text` percent-encoded for a query parameter.
  static std::string Escape(std::string_view text);

 private:
  explicit HttpTransport(const ClusterConfig& config);
  void* Acquire();
  void Release(void* handle);
  // Sets what every request shares (TLS, credentials, no proxy) on a reset handle.
  void Prepare(void* handle, const std::string& target, curl_slist** headers,
               const std::string& content_type) const;

  ClusterConfig config_;
  std::string base_;  // the server without a trailing slash
  Mutex mu_;
  std::vector<void*> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skein::kube
