#include "tools/cli/output/status_tabular.h"

#include <algorithm>
#include <regex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/names.h"
#include "lib/base/time.h"
#include "tools/cli/output/render.h"
#include "tools/cli/output/table.h"
#include "tools/cli/output/version.h"

namespace skein::cli::output {
namespace {

constexpr size_t kMaxMessage = 120;
constexpr size_t kMaxVersion = 15;

std::string Truncate(const std::string& text, size_t max) {
  std::string t = ValidUtf8(text);
  // Single-line cells keep the table aligned.
  std::replace(t.begin(), t.end(), '\n', ' ');
  if (DisplayWidth(t) <= max) return t;
  // Cut on a code point boundary.
  size_t cols = 0, i = 0;
  for (; i < t.size(); ++i) {
    if ((static_cast<unsigned char>(t[i]) & 0xC0) != 0x80) {
      if (cols == max - 3) break;
      ++cols;
    }
  }
  return t.substr(0, i) + "...";
}

template <typename T>
std::vector<const T*> SortedByName(const google::protobuf::RepeatedPtrField<T>& items) {
  std::vector<const T*> out;
  for (const auto& i : items) out.push_back(&i);
  std::stable_sort(out.begin(), out.end(), [](const T* a, const T* b) { return NaturalLess(a->name(), b->name()); });
  return out;
}

std::string BaseText(const std::string& name, const std::string& channel) {
  if (name.empty()) return "";
  return channel.empty() ? name : name + "@" + channel;
}

// Groups ports the way Juju prints them: `80/tcp,443/tcp` -> `80,443/tcp`.
std::string PortsText(const google::protobuf::RepeatedPtrField<std::string>& ports) {
  std::vector<std::string> protocols;
  std::map<std::string, std::vector<std::string>> by_protocol;
  for (const auto& p : ports) {
    auto slash = p.find('/');
    std::string proto = slash == std::string::npos ? "" : p.substr(slash + 1);
    std::string number = slash == std::string::npos ? p : p.substr(0, slash);
    if (!by_protocol.count(proto)) protocols.push_back(proto);
    by_protocol[proto].push_back(number);
  }
  std::vector<std::string> parts;
  for (const auto& proto : protocols) {
    std::string joined = absl::StrJoin(by_protocol[proto], ",");
    parts.push_back(proto.empty() || proto == "icmp" ? joined : joined + "/" + proto);
  }
  return absl::StrJoin(parts, " ");
}

void ModelSection(const skein::v1::ModelStatus& status, const TabularOptions& o, std::string* out) {
  const auto& m = status.model();
  Table t(o.color);
  t.AddHeader({"Model", "Controller", "Cloud/Region", "Version", "Timestamp"});
  std::string cloud = m.cloud().empty() ? "local" : m.cloud();
  std::string region = m.region().empty() ? cloud : cloud + "/" + m.region();
  t.AddRow({m.name(), m.controller().empty() ? o.controller_name : m.controller(), region,
            m.agent_version().empty() ? kJujuVersion : m.agent_version(),
            ClockTime(status.controller_timestamp()) + "Z"});
  *out += t.Render();
}

void AppSection(const skein::v1::ModelStatus& status, const TabularOptions& o, std::string* out) {
  bool caas = status.model().type() == "caas";
  Table t(o.color);
  t.AlignRight(3);  // Scale
  t.AlignRight(6);  // Rev
  t.AddHeader({"App", "Version", "Status", "Scale", "Charm", "Channel", "Rev", "Exposed", "Message"});
  for (const auto* app : SortedByName(status.applications())) {
    auto [scale, partial] = ApplicationScale(*app, caas);
    const std::string& current = app->status().current();
    t.AddRow({app->name(), Truncate(app->workload_version(), kMaxVersion), Cell(current, StatusStyle(current)),
              Cell(scale, partial ? Style::kYellow : Style::kNone), app->charm_name(), app->charm_channel(),
              std::to_string(app->charm_rev()), app->exposed() ? Cell("yes", Style::kGreen) : Cell("no"),
              Truncate(app->status().message(), kMaxMessage)});
  }
  *out += t.Render();
}

void UnitSection(const skein::v1::ModelStatus& status, const TabularOptions& o, std::string* out) {
  Table t(o.color);
  t.AddHeader({"Unit", "Workload", "Agent", "Machine", "Public address", "Ports", "Message"});
  for (const auto* app : SortedByName(status.applications())) {
    for (const auto* u : SortedByName(app->units())) {
      std::string message = u->workload_status().message();
      std::string doing = AgentDoing(u->agent_status());
      if (!doing.empty()) message = message.empty() ? "(" + doing + ")" : "(" + doing + ") " + message;
      if (std::string note = UnitCharmNote(*app, *u); !note.empty()) {
        message = message.empty() ? note : note + "; " + message;
      }
      const std::string& workload = u->workload_status().current();
      const std::string& agent = u->agent_status().current();
      t.AddRow({u->name() + (u->leader() ? "*" : ""), Cell(workload, StatusStyle(workload)),
                Cell(agent, StatusStyle(agent)), u->machine(), Cell(u->public_address(), Style::kCyan),
                Cell(PortsText(u->open_ports()), Style::kMagenta), Truncate(message, kMaxMessage)});
    }
  }
  if (!t.empty() && status.applications_size() > 0) *out += t.Render();
}

void MachineSection(const skein::v1::ModelStatus& status, const TabularOptions& o, std::string* out) {
  Table t(o.color);
  t.AddHeader({"Machine", "State", "Address", "Inst id", "Base", "AZ", "Message"});
  std::vector<const skein::v1::MachineStatus*> machines;
  for (const auto& m : status.machines()) machines.push_back(&m);
  std::stable_sort(machines.begin(), machines.end(), [](auto* a, auto* b) { return NaturalLess(a->id(), b->id()); });
  for (const auto* m : machines) {
    const std::string& state = m->agent_status().current();
    t.AddRow({m->id(), Cell(state, StatusStyle(state)), Cell(m->address(), Style::kCyan), m->instance_id(),
              BaseText(m->base_name(), m->base_channel()), "", Truncate(m->machine_status().message(), kMaxMessage)});
  }
  *out += t.Render();
}

void IntegrationSection(const skein::v1::ModelStatus& status, const TabularOptions& o, std::string* out) {
  std::vector<const skein::v1::RelationStatus*> rels;
  for (const auto& r : status.relations()) rels.push_back(&r);
  std::stable_sort(rels.begin(), rels.end(), [](auto* a, auto* b) {
    if (a->provider() != b->provider()) return NaturalLess(a->provider(), b->provider());
    return NaturalLess(a->requirer(), b->requirer());
  });
  Table t(o.color);
  t.AddHeader({"Integration provider", "Requirer", "Interface", "Type", "Message"});
  for (const auto* r : rels) {
    std::string message;
    const std::string& current = r->status().current();
    if (!current.empty() && current != "joined") {
      message = current;
      if (!r->status().message().empty()) message += " - " + r->status().message();
    }
    t.AddRow({r->provider(), r->requirer(), r->interface(), r->type().empty() ? "regular" : r->type(),
              Truncate(message, kMaxMessage)});
  }
  *out += t.Render();
}

}  // namespace

bool UnitUpgrading(const skein::v1::ApplicationStatus& app, const skein::v1::UnitStatus& unit) {
  return !unit.charm_url().empty() && !app.charm_url().empty() && unit.charm_url() != app.charm_url();
}

std::string UnitCharmNote(const skein::v1::ApplicationStatus& app, const skein::v1::UnitStatus& unit) {
  if (unit.upgrade_charm_skipped()) {
    return absl::StrCat("upgrade-charm skipped: charm ", app.charm_name(), " rev ", unit.charm_rev(),
                        " not upgraded cleanly; run skein refresh again");
  }
  if (UnitUpgrading(app, unit)) return absl::StrCat("upgrading from rev ", unit.charm_rev());
  return "";
}

std::string AgentDoing(const skein::v1::StatusInfo& agent_status) {
  if (agent_status.current() != "executing") return "";
  static const std::regex kHook(R"(running (\S+) hook)");
  static const std::regex kAction(R"(running action (.*))");
  std::smatch m;
  const std::string& msg = agent_status.message();
  if (std::regex_search(msg, m, kHook)) return m[1];
  if (std::regex_search(msg, m, kAction)) return m[1];
  return "";
}

std::pair<std::string, bool> ApplicationScale(const skein::v1::ApplicationStatus& app, bool caas) {
  int ready = 0;
  for (const auto& u : app.units()) {
    const std::string& s = u.agent_status().current();
    if (s == "idle" || s == "executing" || s == "running") ++ready;
  }
  int desired = caas ? app.scale() : app.units_size();
  if (ready == desired) return {std::to_string(desired), false};
  return {std::to_string(ready) + "/" + std::to_string(desired), true};
}

std::string MachinesTable(const skein::v1::ModelStatus& status, const TabularOptions& options) {
  std::string out;
  MachineSection(status, options, &out);
  return out;
}

std::string StatusToTabular(const skein::v1::ModelStatus& status, const TabularOptions& options) {
  std::string out;
  ModelSection(status, options, &out);
  if (status.applications_size() > 0) {
    out += "\n";
    AppSection(status, options, &out);
    bool any_units = false;
    for (const auto& a : status.applications()) any_units = any_units || a.units_size() > 0;
    if (any_units) {
      out += "\n";
      UnitSection(status, options, &out);
    }
  }
  if (status.machines_size() > 0) {
    out += "\n";
    MachineSection(status, options, &out);
  }
  if (options.relations && status.relations_size() > 0) {
    out += "\n";
    IntegrationSection(status, options, &out);
  }
  return out;
}

std::string StatusToOneline(const skein::v1::ModelStatus& status) {
  std::string out;
  for (const auto* app : SortedByName(status.applications())) {
    for (const auto* u : SortedByName(app->units())) {
      out += "- " + u->name() + ": " + u->public_address() + " (agent:" + u->agent_status().current() +
             ", workload:" + u->workload_status().current() + ")";
      std::string ports = absl::StrJoin(u->open_ports(), " ");
      if (!ports.empty()) out += " " + ports;
      out += "\n";
    }
  }
  return ValidUtf8(out);
}

}  // namespace skein::cli::output
