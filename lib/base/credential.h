#pragma once

// Agent and admin credentials (DESIGN §10): 24 random bytes, base64url, stored by the
// controller only as a SHA-512 hash (fast, so thousands of agents can log in after a restart,
// as Juju chose).

#include <string>

namespace skein {

std::string NewCredential();
std::string HashCredential(const std::string& credential);
// Constant-time comparison of two hashes.
bool CredentialMatches(const std::string& credential, const std::string& hash);
// A random UUID (v4) for models and controllers.
std::string NewUuid();

}  // namespace skein
