#pragma once

// Small helpers to prepare and bind SQLite statements positionally.

#include <cstdint>
#include <optional>
#include <string>

#include "SQLiteCpp/SQLiteCpp.h"

namespace skein::controller::domain::sql {

inline void BindOne(SQLite::Statement& q, int i, int v) { q.bind(i, static_cast<int32_t>(v)); }
inline void BindOne(SQLite::Statement& q, int i, long v) { q.bind(i, static_cast<int64_t>(v)); }
inline void BindOne(SQLite::Statement& q, int i, long long v) { q.bind(i, static_cast<int64_t>(v)); }
inline void BindOne(SQLite::Statement& q, int i, bool v) { q.bind(i, static_cast<int32_t>(v ? 1 : 0)); }
inline void BindOne(SQLite::Statement& q, int i, const std::string& v) { q.bind(i, v); }
inline void BindOne(SQLite::Statement& q, int i, const char* v) { q.bind(i, v); }
inline void BindOne(SQLite::Statement& q, int i, std::nullptr_t) { q.bind(i); }
inline void BindOne(SQLite::Statement& q, int i, const std::optional<std::string>& v) {
  if (v) {
    q.bind(i, *v);
  } else {
    q.bind(i);
  }
}

// Prepares `text` and binds `args` to ?1, ?2, ...
template <typename... Args>
SQLite::Statement Prepare(SQLite::Database& db, const char* text, const Args&... args) {
  SQLite::Statement q(db, text);
  int i = 0;
  (BindOne(q, ++i, args), ...);
  return q;
}

// Runs a statement that returns no rows; returns the number of changed rows.
template <typename... Args>
int Exec(SQLite::Database& db, const char* text, const Args&... args) {
  SQLite::Statement q = Prepare(db, text, args...);
  return q.exec();
}

// The first column of the first row as int64, or `fallback` when there is no row or it is NULL.
template <typename... Args>
int64_t QueryInt(SQLite::Database& db, int64_t fallback, const char* text, const Args&... args) {
  SQLite::Statement q = Prepare(db, text, args...);
  if (!q.executeStep() || q.getColumn(0).isNull()) return fallback;
  return q.getColumn(0).getInt64();
}

}  // namespace skein::controller::domain::sql
