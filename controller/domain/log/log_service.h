#pragma once

// The debug log: entries agents push, filtered and replayed for `debug-log`. Entries of unit
// agents belong to the unit's model; machine and controller entries (model-less) show in every
// model. The table is pruned to the newest ~100k entries.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"

namespace skein::controller::domain::log {

struct LogRecord {
  int64_t seq = 0;
  std::string entity;     // `unit-app-0`, `machine-0`, `controller`
  std::string timestamp;  // RFC 3339 with fractional seconds
  std::string level;      // TRACE DEBUG INFO WARNING ERROR CRITICAL
  std::string module;
  std::string message;
};

// -1 for an unknown level name.
int LevelRank(const std::string& level);

// `debug-log --include/--exclude/--level`. Names are units (`app/0`), applications (`app`),
// machines (`0`) or tags (`unit-app-0`, `machine-0`, `controller`).
struct LogFilter {
  std::vector<std::string> include;  // empty = everything
  std::vector<std::string> exclude;
  std::string level;                 // minimum level; empty = all

  bool Matches(const LogRecord& record) const;
};

class LogService {
 public:
  explicit LogService(Db* db) : db_(db) {}

  // Stores entries (model_id < 0 = not tied to a model) and wakes followers.
  absl::Status Append(int64_t model_id, std::vector<LogRecord> records);

  // NotFound `model "x" not found`.
  absl::StatusOr<int64_t> ModelId(const std::string& model);

  // The last `lines` matching entries of the model in order (-1 = all, 0 = none). `*last_seq` is
  // set to the newest seq looked at, where a follower continues.
  absl::StatusOr<std::vector<LogRecord>> Tail(int64_t model_id, const LogFilter& filter, int lines, int64_t* last_seq);

  // Matching entries of the model newer than `after_seq` (at most `limit`); updates `*last_seq`.
  absl::StatusOr<std::vector<LogRecord>> Since(int64_t model_id, const LogFilter& filter, int64_t after_seq, int limit,
                                               int64_t* last_seq);

 private:
  Db* db_;
};

}  // namespace skein::controller::domain::log
