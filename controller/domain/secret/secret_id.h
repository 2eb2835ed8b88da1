#pragma once

// Secret ids and URIs. Juju names a secret with an xid: 12 bytes (4 of time, 8 here random) in
// lowercase base32hex, 20 characters of [0-9a-v]; URIs are `secret:<id>` or
// `secret://<model-uuid>/<id>`.

#include <chrono>
#include <string>

#include "absl/status/statusor.h"

namespace skein::controller::domain::secret {

std::string NewSecretId(std::chrono::system_clock::time_point now);
bool IsSecretId(const std::string& text);

// The bare id an URI names, and the model UUID when it names one (else empty).
struct ParsedUri {
  std::string id;
  std::string model_uuid;
};
// Accepts `secret:<id>`, `secret://<uuid>/<id>` and the bare id. NotFound `secret "x" not found`
// otherwise (what ops turns into SecretNotFoundError).
absl::StatusOr<ParsedUri> ParseSecretUri(const std::string& text);

absl::Status SecretNotFound(const std::string& what);

}  // namespace skein::controller::domain::secret
