#pragma once

// Who is calling: checks the entity tag and credential a call carries against the stored hash
// (DESIGN §10). The controller stores only HashCredential() of every secret.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"

namespace skein::controller::domain::auth {

enum class Kind { kAdmin, kMachine, kUnit };

struct Principal {
  Kind kind = Kind::kAdmin;
  std::string entity;       // the tag as authenticated
  std::string machine_id;   // machines: the machine; units: the unit's machine
  // Units only.
  int64_t unit_id = 0;
  int64_t model_id = 0;
  std::string unit;         // `app/0`
  std::string application;
};

class AuthService {
 public:
  explicit AuthService(Db* db) : db_(db) {}

  // Unauthenticated `invalid entity name or password (unauthorized access)` for an unknown
  // entity, a malformed tag or a wrong credential. A unit tag may exist in several models; the
  // credential decides which unit is meant (credentials are random, so at most one matches).
  absl::StatusOr<Principal> Authenticate(const std::string& entity, const std::string& credential);

 private:
  Db* db_;
};

inline constexpr char kBadCredentials[] = "invalid entity name or password (unauthorized access)";

}  // namespace skein::controller::domain::auth
