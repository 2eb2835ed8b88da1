#include "controller/domain/log/log_service.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "lib/base/limits.h"
#include "lib/base/names.h"
#include "lib/base/time.h"

namespace skein::controller::domain::log {
namespace {

constexpr int64_t kKeepEntries = 100000;
constexpr int64_t kPruneEvery = 1000;

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Whether `entity` (a tag) is named by `spec` (a unit, application, machine or tag).
bool Names(const std::string& spec, const std::string& entity) {
  if (spec == entity) return true;
  if (spec.find('/') != std::string::npos) {
    auto unit = ParseUnitName(spec);
    return unit.ok() && unit->Tag() == entity;
  }
  if (AllDigits(spec)) return entity == absl::StrCat("machine-", spec);
  std::string prefix = absl::StrCat("unit-", spec, "-");
  return absl::StartsWith(entity, prefix) && AllDigits(entity.substr(prefix.size()));
}

std::string NormalizeLevel(std::string level) {
  level = absl::AsciiStrToUpper(level);
  if (level == "WARN") return "WARNING";
  if (LevelRank(level) < 0) return "INFO";
  return level;
}

LogRecord ReadRecord(SQLite::Statement& q) {
  return LogRecord{q.getColumn(0).getInt64(),  q.getColumn(1).getString(), q.getColumn(2).getString(),
                   q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString()};
}

}  // namespace

int LevelRank(const std::string& level) {
  static const char* kLevels[] = {"TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};
  std::string upper = absl::AsciiStrToUpper(level);
  if (upper == "WARN") upper = "WARNING";
  for (int i = 0; i < 6; ++i) {
    if (upper == kLevels[i]) return i;
  }
  return -1;
}

bool LogFilter::Matches(const LogRecord& record) const {
  if (!level.empty() && LevelRank(record.level) < LevelRank(level)) return false;
  if (!include.empty() &&
      std::none_of(include.begin(), include.end(), [&](const std::string& s) { return Names(s, record.entity); })) {
    return false;
  }
  return std::none_of(exclude.begin(), exclude.end(), [&](const std::string& s) { return Names(s, record.entity); });
}

absl::Status LogService::Append(int64_t model_id, std::vector<LogRecord> records) {
  if (records.empty()) return absl::OkStatus();
  // Agents cut longer lines before they send them (agents/unit/logging): a longer one is refused.
  for (const LogRecord& r : records) {
    if (absl::Status s = limits::CheckSize(limits::kLogLine, "a log message", r.message.size()); !s.ok()) return s;
  }
  return db_->Write("push-logs", [&](Tx& tx) -> absl::Status {
    int64_t seq = 0;
    for (LogRecord& r : records) {
      if (r.timestamp.empty()) r.timestamp = FormatRfc3339Micros(tx.clock().WallNow());
      SQLite::Statement q = sql::Prepare(
          tx.db(), "INSERT INTO log_entries(model_id, entity, ts, level, module, message) VALUES (?, ?, ?, ?, ?, ?)",
          model_id, r.entity, r.timestamp, NormalizeLevel(r.level), r.module, r.message);
      if (model_id < 0) q.bind(1);
      q.exec();
      seq = tx.db().getLastInsertRowid();
      if (seq % kPruneEvery == 0) sql::Exec(tx.db(), "DELETE FROM log_entries WHERE seq <= ?", seq - kKeepEntries);
    }
    tx.Touch(LogKey());
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> LogService::ModelId(const std::string& model) {
  int64_t id = 0;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    id = m->id;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return id;
}

absl::StatusOr<std::vector<LogRecord>> LogService::Tail(int64_t model_id, const LogFilter& filter, int lines,
                                                        int64_t* last_seq) {
  std::vector<LogRecord> out;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    *last_seq = sql::QueryInt(tx.db(), 0, "SELECT MAX(seq) FROM log_entries");
    if (lines == 0) return absl::OkStatus();
    SQLite::Statement q = sql::Prepare(tx.db(),
                                       "SELECT seq, entity, ts, level, module, message FROM log_entries "
                                       "WHERE (model_id = ? OR model_id IS NULL) AND seq <= ? ORDER BY seq DESC",
                                       model_id, *last_seq);
    while (q.executeStep()) {
      LogRecord r = ReadRecord(q);
      if (!filter.Matches(r)) continue;
      out.push_back(std::move(r));
      if (lines > 0 && static_cast<int>(out.size()) >= lines) break;
    }
    std::reverse(out.begin(), out.end());
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<LogRecord>> LogService::Since(int64_t model_id, const LogFilter& filter, int64_t after_seq,
                                                         int limit, int64_t* last_seq) {
  std::vector<LogRecord> out;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    *last_seq = after_seq;
    SQLite::Statement q = sql::Prepare(tx.db(),
                                       "SELECT seq, entity, ts, level, module, message FROM log_entries "
                                       "WHERE (model_id = ? OR model_id IS NULL) AND seq > ? ORDER BY seq LIMIT ?",
                                       model_id, after_seq, limit);
    while (q.executeStep()) {
      LogRecord r = ReadRecord(q);
      *last_seq = r.seq;
      if (filter.Matches(r)) out.push_back(std::move(r));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace skein::controller::domain::log
