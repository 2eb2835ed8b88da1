#pragma once

// Helpers shared by the files of the application domain (application_service.cc, refresh.cc,
// charm_rows.cc); not for use outside it.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "controller/domain/application/charm_store.h"
#include "controller/domain/core/db.h"
#include "controller/domain/core/rows.h"

namespace skein::controller::domain::application {

// `application "x" is not alive`
std::string NotAlive(const std::string& app);

// The model's next local revision of a charm name (0 for the first).
int64_t NextLocalRevision(Tx& tx, int64_t model_id, const std::string& charm_name);

// Inserts a charm row for an archive in the charm store; returns its id.
int64_t InsertCharm(Tx& tx, int64_t model_id, const std::string& url, const std::string& origin, int64_t revision,
                    const UploadedCharm& charm);

// The application-config key `trust` (trust.cc), which `skein config app trust=true` sets too.
inline constexpr char kTrustKey[] = "trust";
// Juju's boolean spellings; InvalidArgument `trust: expected bool, got string("x")`.
absl::StatusOr<bool> ParseTrustValue(const std::string& text);
// Records the trust of `app`, waking its units when it changes (their snapshot carries it).
void SetTrustInTx(Tx& tx, const ModelRow& model, const AppRow& app, bool trust);

}  // namespace skein::controller::domain::application
