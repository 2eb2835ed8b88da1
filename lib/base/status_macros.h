#pragma once

// Early-return helpers for absl::Status / absl::StatusOr, as used across module boundaries.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SKEIN_CONCAT_INNER(a, b) a##b
#define SKEIN_CONCAT(a, b) SKEIN_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                 \
  do {                                        \
    ::absl::Status _skein_status = (expr);    \
    if (!_skein_status.ok()) {                \
      return _skein_status;                   \
    }                                         \
  } while (0)

#define SKEIN_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) {                                  \
    return tmp.status();                            \
  }                                                 \
  lhs = std::move(*tmp)

#define ASSIGN_OR_RETURN(lhs, expr) \
  SKEIN_ASSIGN_OR_RETURN_IMPL(SKEIN_CONCAT(_skein_statusor_, __LINE__), lhs, expr)
