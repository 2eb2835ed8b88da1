#pragma once

// An elastic-tab table writer shaped like the one behind `juju status` (juju/ansiterm tabwriter:
// minwidth 0, padding 2, pad with spaces, ANSI-aware). Columns are as wide as their widest cell;
// cells are separated by two spaces; chosen columns are right-aligned; trailing blanks of a line
// are dropped so that output is stable whatever the last cells hold.

#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace skein::cli::output {

// The colours Juju's status output uses (cmd/output/output.go).
enum class Style { kNone, kBold, kGreen, kYellow, kRed, kCyan, kMagenta, kGray, kBrightBlue, kBrightRed, kWhiteOnRed };

// Wraps `text` in the style's ANSI codes when `color` is true; returns it unchanged otherwise.
std::string Paint(const std::string& text, Style style, bool color);

// The colour Juju gives a status value (green active/idle..., yellow waiting-ish, red error...).
Style StatusStyle(const std::string& status);

// Display width of UTF-8 text: one column per code point, ANSI escape sequences skipped.
size_t DisplayWidth(const std::string& text);

struct Cell {
  Cell() = default;
  Cell(std::string t) : text(std::move(t)) {}  // NOLINT: implicit on purpose, rows read better
  Cell(const char* t) : text(t) {}             // NOLINT
  Cell(std::string t, Style s) : text(std::move(t)), style(s) {}
  std::string text;
  Style style = Style::kNone;
};

class Table {
 public:
  explicit Table(bool color) : color_(color) {}

  void AlignRight(size_t column) { right_.insert(column); }
  // A header row: every cell bold (when colour is on).
  void AddHeader(const std::vector<std::string>& cells);
  void AddRow(std::vector<Cell> cells) { rows_.push_back(std::move(cells)); }
  bool empty() const { return rows_.empty(); }

  // Every row followed by `\n`.
  std::string Render() const;

 private:
  bool color_;
  std::set<size_t> right_;
  std::vector<std::vector<Cell>> rows_;
};

}  // namespace skein::cli::output
