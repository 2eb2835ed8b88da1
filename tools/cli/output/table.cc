#include "tools/cli/output/table.h"

#include <algorithm>

namespace skein::cli::output {

std::string Paint(const std::string& text, Style style, bool color) {
  if (!color || style == Style::kNone || text.empty()) return text;
  const char* code = "";
  switch (style) {
    case Style::kBold: code = "1"; break;
    case Style::kGreen: code = "32"; break;
    case Style::kYellow: code = "33"; break;
    case Style::kRed: code = "31"; break;
    case Style::kCyan: code = "36"; break;
    case Style::kMagenta: code = "35"; break;
    case Style::kGray: code = "90"; break;
    case Style::kBrightBlue: code = "94"; break;
    case Style::kBrightRed: code = "91"; break;
    case Style::kWhiteOnRed: code = "37;41"; break;
    case Style::kNone: break;
  }
  return std::string("\x1b[") + code + "m" + text + "\x1b[0m";
}

Style StatusStyle(const std::string& s) {
  static const std::set<std::string> kGreen = {"active", "running", "idle", "started", "executing", "attaching",
                                               "attached", "available"};
  static const std::set<std::string> kYellow = {"allocating", "lost",    "maintenance", "pending",  "rebooting",
                                                "stopped",    "unknown", "detaching",   "detached"};
  static const std::set<std::string> kRed = {"blocked", "down", "error", "failed", "terminated"};
  if (kGreen.count(s)) return Style::kGreen;
  if (kYellow.count(s)) return Style::kYellow;
  if (kRed.count(s)) return Style::kRed;
  return Style::kNone;
}

size_t DisplayWidth(const std::string& text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0x1b && i + 1 < text.size() && text[i + 1] == '[') {
      // Skip a CSI sequence up to its final byte (0x40..0x7e).
      i += 2;
      while (i < text.size() && !(text[i] >= 0x40 && text[i] <= 0x7e)) ++i;
      continue;
    }
    if ((c & 0xC0) != 0x80) ++width;  // count lead bytes only
  }
  return width;
}

void Table::AddHeader(const std::vector<std::string>& cells) {
  std::vector<Cell> row;
  for (const auto& c : cells) row.emplace_back(c, Style::kBold);
  rows_.push_back(std::move(row));
}

std::string Table::Render() const {
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i].text));
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const Cell& cell = row[i];
      size_t pad = widths[i] - DisplayWidth(cell.text);
      bool last = i + 1 == row.size();
      if (right_.count(i)) {
        line.append(pad, ' ');
        line += Paint(cell.text, cell.style, color_);
      } else {
        line += Paint(cell.text, cell.style, color_);
        if (!last) line.append(pad, ' ');
      }
      if (!last) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace skein::cli::output
