#pragma once

// SHA-256 digests as lowercase hex: incremental (content that arrives in chunks is hashed as it
// streams, never held whole) and of a file read in blocks.

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace skein {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // The digest of everything passed to Update so far, as 64 lowercase hex digits. Ends the
  // hash: Update must not be called afterwards.
  std::string HexDigest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The hex digest of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// The hex digest of a file's content, read in blocks. Internal when it cannot be read.
absl::StatusOr<std::string> Sha256OfFile(const std::string& path);

// True for 64 lowercase hex digits (what HexDigest returns).
bool IsSha256Hex(std::string_view text);

}  // namespace skein
