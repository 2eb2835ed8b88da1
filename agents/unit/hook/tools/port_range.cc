// Juju's network.ParsePortRange and PortRange.String, for open-port and close-port.

#include "agents/unit/hook/tools/port_range.h"

#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/tools/gnuflag_parser.h"
#include "agents/unit/hook/tools/relation_flag.h"

namespace skein::agent::tools {
namespace {

absl::Status AtoiError(const std::string& what, const std::string& text) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid port ", GoQuote(what), ": strconv.Atoi: parsing ", GoQuote(text), ": invalid syntax"));
}

bool ParsePort(const std::string& text, int* out) {
  int64_t v = 0;
  if (!ParseGoInt(text, &v) || v < -1000000 || v > 1000000) return false;
  *out = static_cast<int>(v);
  return true;
}

}  // namespace

absl::StatusOr<PortRange> ParsePortRange(const std::string& input) {
  std::string text;
  for (char c : input) text += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  PortRange range;
  range.protocol = "tcp";
  std::string ports = text;
  if (size_t slash = text.find('/'); slash != std::string::npos) {
    ports = text.substr(0, slash);
    range.protocol = text.substr(slash + 1);
  }
  if (ports == "icmp") {
    range.protocol = "icmp";
    return range;
  }
  size_t dash = ports.find('-', 1);
  if (dash == std::string::npos) {
    if (!ParsePort(ports, &range.from)) return AtoiError(ports, ports);
    range.to = range.from;
  } else {
    if (ports.find('-', dash + 1) != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("invalid port range ", GoQuote(ports)));
    }
    std::string from = ports.substr(0, dash), to = ports.substr(dash + 1);
    if (!ParsePort(from, &range.from)) return AtoiError(from, from);
    if (!ParsePort(to, &range.to)) return AtoiError(to, to);
  }
  if (range.protocol != "tcp" && range.protocol != "udp" && range.protocol != "icmp") {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid protocol ", GoQuote(range.protocol), ", expected \"tcp\", \"udp\", or \"icmp\""));
  }
  if (range.protocol == "icmp") {
    return absl::InvalidArgumentError(absl::StrCat("protocol \"icmp\" does not take a port, got ", ports));
  }
  if (range.from > range.to) {
    return absl::InvalidArgumentError(absl::StrCat("invalid port range ", range.from, "-", range.to, "/", range.protocol));
  }
  if (range.from < 1 || range.from > 65535 || range.to < 1 || range.to > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("port range bounds must be between 1 and 65535, got ", range.from, "-", range.to));
  }
  return range;
}

std::string PortRangeString(const PortRange& range) {
  if (range.protocol == "icmp") return "icmp";
  if (range.from == range.to) return absl::StrCat(range.from, "/", range.protocol);
  return absl::StrCat(range.from, "-", range.to, "/", range.protocol);
}

bool PortRangeLess(const PortRange& a, const PortRange& b) {
  return std::tie(a.from, a.to, a.protocol) < std::tie(b.from, b.to, b.protocol);
}

std::vector<PortRange> MergePortChanges(const std::vector<PortRange>& committed, const std::vector<PortChange>& changes) {
  // Per range, the endpoints it is open on; "" stands for every endpoint, as in the
  // controller's rows.
  using Key = std::tuple<std::string, int, int>;
  std::map<Key, std::set<std::string>> open;
  auto key = [](const PortRange& r) { return Key{r.protocol, r.from, r.to}; };
  auto endpoints_of = [](const PortRange& r) {
    return r.endpoints.empty() ? std::set<std::string>{""} : std::set<std::string>(r.endpoints.begin(), r.endpoints.end());
  };
  for (const PortRange& r : committed) open[key(r)].merge(endpoints_of(r));
  for (const auto& [opening, r] : changes) {
    if (opening) {
      open[key(r)].merge(endpoints_of(r));
    } else if (r.endpoints.empty()) {
      open.erase(key(r));
    } else if (auto it = open.find(key(r)); it != open.end()) {
      for (const std::string& ep : r.endpoints) it->second.erase(ep);
      if (it->second.empty()) open.erase(it);
    }
  }
  std::vector<PortRange> out;
  for (const auto& [k, endpoints] : open) {
    PortRange r;
    std::tie(r.protocol, r.from, r.to) = k;
    if (!endpoints.count("")) r.endpoints.assign(endpoints.begin(), endpoints.end());
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace skein::agent::tools
