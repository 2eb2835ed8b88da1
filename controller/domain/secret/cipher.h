#pragma once

// Encryption of secret content at rest: AES-256-GCM with the controller's key, a fresh random
// nonce per revision. The key is 32 random bytes in a file of the controller's data directory
// (mode 0600, beside its CA and TLS key), created when the controller first starts.

#include <string>

#include "absl/status/statusor.h"

namespace skein::controller::domain::secret {

inline constexpr size_t kKeyBytes = 32;
inline constexpr size_t kNonceBytes = 12;

struct Sealed {
  std::string nonce;
  std::string ciphertext;  // followed by the 16-byte authentication tag
};

class SecretCipher {
 public:
  // InvalidArgument unless `key` is kKeyBytes long.
  static absl::StatusOr<SecretCipher> FromKey(std::string key);
  // A cipher with a key of its own that no file holds (tests, and a controller started in-process
  // without a data directory).
  static SecretCipher Ephemeral();

  Sealed Seal(const std::string& plaintext) const;
  // DataLoss `cannot decrypt secret content` when the tag does not verify (another key, or the
  // stored bytes were changed).
  absl::StatusOr<std::string> Open(const Sealed& sealed) const;

 private:
  explicit SecretCipher(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

// Reads the key file, creating it (0600, kKeyBytes random bytes) when it does not exist.
// Internal when it cannot be read or written; FailedPrecondition when it has the wrong size.
absl::StatusOr<std::string> LoadOrCreateKeyFile(const std::string& path);

// `n` random bytes from OpenSSL's generator.
std::string RandomBytes(size_t n);

}  // namespace skein::controller::domain::secret
