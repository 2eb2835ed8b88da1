#include "agents/unit/pebble/pebble_client.h"

#include <curl/curl.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace skein::agent::pebble {
namespace {

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

int Progress(void* cancelled, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* fn = static_cast<const std::function<bool()>*>(cancelled);
  return *fn && (*fn)() ? 1 : 0;
}

}  // namespace

PebbleClient::PebbleClient(std::string socket_path) : socket_path_(std::move(socket_path)) {}

std::string PebbleClient::Escape(const std::string& s) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size())),
                                                      &curl_free);
  return escaped ? std::string(escaped.get()) : std::string();
}

absl::StatusOr<nlohmann::json> PebbleClient::Get(const std::string& path, std::chrono::milliseconds timeout,
                                                 const std::function<bool()>& cancelled) const {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return absl::InternalError("cannot make a curl handle");
  std::string body;
  const std::string url = absl::StrCat("http://localhost", path);
  curl_easy_setopt(curl.get(), CURLOPT_UNIX_SOCKET_PATH, socket_path_.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, &Progress);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &cancelled);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code == CURLE_ABORTED_BY_CALLBACK) return absl::CancelledError("stopping");
  if (code != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat("pebble at ", socket_path_, ": ", curl_easy_strerror(code)));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("result")) {
    return absl::InternalError(absl::StrCat("pebble answered ", path, " with HTTP ", status, " and no JSON document"));
  }
  if (doc.value("type", "") == "error" || status >= 400) {
    std::string message = doc["result"].is_object() ? doc["result"].value("message", "") : "";
    std::string text = absl::StrCat("pebble answered ", path, " with HTTP ", status, ": ", message);
    return status == 404 ? absl::NotFoundError(text) : absl::InternalError(text);
  }
  return doc["result"];
}

}  // namespace skein::agent::pebble
