#pragma once

// A client of Pebble's HTTP API on its unix socket, for the unit agent's watcher of a sidecar
// container (pebble_host.h): system info, notices (long-polled) and changes. Every
// reply of Pebble is a JSON document `{"type": "sync"|"error", "status-code": N, "result": ...}`;
// Get() returns its `result`.

#include <chrono>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::agent::pebble {

class PebbleClient {
 public:
  explicit PebbleClient(std::string socket_path);

  // GET `path` (with its query, e.g. `/v1/notices?timeout=30s`). Errors: Unavailable when Pebble
  // does not answer within `timeout` (no socket yet, Pebble restarting); Cancelled when
  // `cancelled` turned true meanwhile (checked at least once a second); NotFound, or Internal for
  // any other error document or a reply that is not one.
  absl::StatusOr<nlohmann::json> Get(const std::string& path, std::chrono::milliseconds timeout,
                                     const std::function<bool()>& cancelled = nullptr) const;

  // `s` escaped for a URL's query.
  static std::string Escape(const std::string& s);

 private:
  const std::string socket_path_;
};

}  // namespace skein::agent::pebble
