#include "controller/domain/hook/ports.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "controller/domain/core/sql.h"

namespace skein::controller::domain::hook {
namespace {

int ProtocolOrder(const std::string& p) {
  if (p == "tcp") return 0;
  if (p == "udp") return 1;
  return 2;
}

auto SortKey(const PortRange& r) { return std::make_tuple(ProtocolOrder(r.protocol), r.from, r.to); }

}  // namespace

std::string FormatPortRange(const PortRange& range) {
  if (range.protocol == "icmp") return "icmp";
  if (range.from == range.to) return absl::StrCat(range.from, "/", range.protocol);
  return absl::StrCat(range.from, "-", range.to, "/", range.protocol);
}

absl::Status ValidatePortRange(const PortRange& range) {
  if (range.protocol == "icmp") {
    if (range.from != 0 || range.to != 0) return absl::InvalidArgumentError("icmp takes no port");
    return absl::OkStatus();
  }
  if (range.protocol != "tcp" && range.protocol != "udp") {
    return absl::InvalidArgumentError(absl::StrCat("invalid protocol \"", range.protocol, "\", expected \"tcp\", \"udp\", or \"icmp\""));
  }
  if (range.from < 1 || range.from > 65535 || range.to < 1 || range.to > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("port range bounds must be between 1 and 65535, got ", range.from, "-", range.to));
  }
  if (range.from > range.to) {
    return absl::InvalidArgumentError(absl::StrCat("invalid port range ", range.from, "-", range.to, "/", range.protocol));
  }
  return absl::OkStatus();
}

std::vector<OpenedPort> OpenedPorts(Tx& tx, int64_t unit_id) {
  std::vector<OpenedPort> out;
  SQLite::Statement q = sql::Prepare(
      tx.db(), "SELECT endpoint, protocol, from_port, to_port FROM opened_ports WHERE unit_id = ?", unit_id);
  while (q.executeStep()) {
    OpenedPort p;
    p.endpoint = q.getColumn(0).getString();
    p.range.protocol = q.getColumn(1).getString();
    p.range.from = q.getColumn(2).getInt();
    p.range.to = q.getColumn(3).getInt();
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), [](const OpenedPort& a, const OpenedPort& b) {
    return std::make_tuple(SortKey(a.range), a.endpoint) < std::make_tuple(SortKey(b.range), b.endpoint);
  });
  return out;
}

std::vector<OpenedRange> OpenedRanges(Tx& tx, int64_t unit_id) {
  std::vector<OpenedRange> out;
  std::vector<bool> everywhere;  // per entry of `out`: also open on every endpoint
  for (const OpenedPort& p : OpenedPorts(tx, unit_id)) {
    auto it = std::find_if(out.begin(), out.end(), [&](const OpenedRange& r) { return r.range == p.range; });
    if (it == out.end()) {
      out.push_back(OpenedRange{p.range, {}});
      everywhere.push_back(false);
      it = out.end() - 1;
    }
    if (p.endpoint.empty()) {
      everywhere[it - out.begin()] = true;
    } else {
      it->endpoints.push_back(p.endpoint);
    }
  }
  // Open on every endpoint is what counts (opened-ports shows `*`), whatever else is listed.
  for (size_t i = 0; i < out.size(); ++i) {
    if (everywhere[i]) out[i].endpoints.clear();
  }
  return out;
}

std::vector<std::string> OpenPortStrings(Tx& tx, int64_t unit_id) {
  std::vector<std::string> out;
  for (const OpenedPort& p : OpenedPorts(tx, unit_id)) {
    std::string s = FormatPortRange(p.range);
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

absl::Status ApplyPortChanges(Tx& tx, const UnitRow& unit, const std::vector<PortChange>& changes) {
  for (const PortChange& change : changes) {
    if (absl::Status valid = ValidatePortRange(change.range); !valid.ok()) return valid;
    const PortRange& r = change.range;
    std::vector<std::string> endpoints = change.endpoints;
    if (!change.open) {
      if (endpoints.empty()) {
        sql::Exec(tx.db(),
                  "DELETE FROM opened_ports WHERE unit_id = ? AND protocol = ? AND from_port = ? AND to_port = ?",
                  unit.id, r.protocol, r.from, r.to);
      }
      for (const std::string& ep : endpoints) {
        sql::Exec(tx.db(),
                  "DELETE FROM opened_ports WHERE unit_id = ? AND endpoint = ? AND protocol = ? AND from_port = ? "
                  "AND to_port = ?",
                  unit.id, ep, r.protocol, r.from, r.to);
      }
      continue;
    }
    if (endpoints.empty()) endpoints.push_back("");
    for (const std::string& ep : endpoints) {
      sql::Exec(tx.db(),
                "INSERT OR IGNORE INTO opened_ports (unit_id, endpoint, protocol, from_port, to_port) "
                "VALUES (?, ?, ?, ?, ?)",
                unit.id, ep, r.protocol, r.from, r.to);
    }
  }
  return absl::OkStatus();
}

}  // namespace skein::controller::domain::hook
