#include "tools/cli/output/storage_output.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "tools/cli/output/status_json.h"
#include "tools/cli/output/table.h"

namespace skein::cli::output {
namespace {

nlohmann::json StatusOf(const skein::v1::StorageInstanceInfo& s) {
  skein::v1::StatusInfo info;
  info.set_current(s.status());
  info.set_since(s.since());
  return StatusInfoJson(info);
}

// `attachments.units`: the unit holding the instance (none when detached).
nlohmann::json UnitAttachments(const skein::v1::StorageInstanceInfo& s) {
  nlohmann::json units = nlohmann::json::object();
  if (!s.unit().empty()) {
    units[s.unit()] = {{"machine", s.machine()}, {"location", s.location()}, {"life", s.unit_life()}};
  }
  return units;
}

std::string Number(const std::string& id) { return id.substr(id.find('/') + 1); }

// Sizes as Juju's humanize.IBytes prints MiB counts: `512 MiB`, `1.0 GiB`.
std::string HumanSize(uint64_t mib) {
  if (mib == 0) return "";
  if (mib < 1024) return absl::StrCat(mib, " MiB");
  const char* units[] = {"GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(mib) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < sizeof(units) / sizeof(units[0])) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f %s", value, units[unit]);
  return buf;
}

}  // namespace

nlohmann::json StorageInstanceJson(const skein::v1::StorageInstanceInfo& s) {
  nlohmann::json out = {{"kind", s.kind()}, {"life", s.life()}, {"status", StatusOf(s)}, {"persistent", false}};
  if (!s.unit().empty()) out["attachments"] = {{"units", UnitAttachments(s)}};
  return out;
}

nlohmann::json CombinedStorageJson(const std::vector<skein::v1::StorageInstanceInfo>& instances) {
  nlohmann::json storage = nlohmann::json::object();
  nlohmann::json filesystems = nlohmann::json::object();
  nlohmann::json volumes = nlohmann::json::object();
  for (const auto& s : instances) {
    storage[s.id()] = StorageInstanceJson(s);
    nlohmann::json entry = {{"storage", s.id()},      {"pool", s.pool()},     {"size", s.size_mib()},
                            {"life", s.life()},       {"status", StatusOf(s)}};
    if (!s.unit().empty()) {
      nlohmann::json machine = {{"read-only", false}, {"life", s.unit_life()}};
      if (s.kind() == "filesystem") machine["mount-point"] = s.location();
      entry["attachments"] = {{"machines", {{s.machine(), machine}}}, {"units", UnitAttachments(s)}};
    }
    if (s.kind() == "block") {
      entry["persistent"] = false;
      volumes[Number(s.id())] = entry;
    } else {
      filesystems[Number(s.id())] = entry;
    }
  }
  nlohmann::json out = nlohmann::json::object();
  if (!storage.empty()) out["storage"] = storage;
  if (!filesystems.empty()) out["filesystems"] = filesystems;
  if (!volumes.empty()) out["volumes"] = volumes;
  return out;
}

std::string StorageTabular(const std::vector<skein::v1::StorageInstanceInfo>& instances, bool color) {
  Table table(color);
  table.AddHeader({"Unit", "Storage ID", "Type", "Pool", "Mountpoint", "Size", "Status", "Message"});
  for (const auto& s : instances) {
    table.AddRow({s.unit(), s.id(), s.kind(), s.pool(), s.location(), HumanSize(s.size_mib()),
                  Cell(s.status(), StatusStyle(s.status())), ""});
  }
  return table.Render();
}

}  // namespace skein::cli::output
