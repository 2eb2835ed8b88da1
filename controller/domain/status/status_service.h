#pragma once

// `status` and `show-unit` views of a model, built in one read so that they are consistent.

#include <string>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "skein/v1/controller.pb.h"

namespace skein::controller::domain::status {

class StatusService {
 public:
  explicit StatusService(Db* db) : db_(db) {}

  // NotFound `model "x" not found`.
  absl::StatusOr<v1::ModelStatus> ModelStatus(const std::string& model);

  // NotFound `model "x" not found` / `unit "x" not found`; InvalidArgument for a bad unit name.
  absl::StatusOr<v1::UnitInfo> ShowUnit(const std::string& model, const std::string& unit);

 private:
  Db* db_;
};

}  // namespace skein::controller::domain::status
