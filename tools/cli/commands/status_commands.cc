// status, show-unit.

#include <fnmatch.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "lib/base/names.h"
#include "lib/base/time.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/commands/storage_commands.h"
#include "tools/cli/output/render.h"
#include "tools/cli/output/status_json.h"
#include "tools/cli/output/status_tabular.h"
#include "tools/cli/output/storage_output.h"
#include "tools/cli/output/unit_info.h"

namespace skein::cli::commands {
namespace {

using skein::v1::Controller;

bool MatchesAny(const std::vector<std::string>& patterns, const std::string& name) {
  for (const auto& p : patterns) {
    if (::fnmatch(p.c_str(), name.c_str(), 0) == 0) return true;
  }
  return false;
}

// Keeps the applications and units the selectors name (glob patterns on application and
// unit names), the machines their units are on, and the relations between kept applications.
// Returns false when nothing matched.
bool FilterStatus(const std::vector<std::string>& patterns, skein::v1::ModelStatus* status) {
  skein::v1::ModelStatus kept = *status;
  kept.clear_applications();
  kept.clear_machines();
  kept.clear_relations();
  std::set<std::string> apps, machines;
  for (const auto& app : status->applications()) {
    bool app_match = MatchesAny(patterns, app.name());
    skein::v1::ApplicationStatus copy = app;
    copy.clear_units();
    for (const auto& u : app.units()) {
      if (app_match || MatchesAny(patterns, u.name())) {
        *copy.add_units() = u;
        machines.insert(u.machine());
      }
    }
    if (app_match || copy.units_size() > 0) {
      apps.insert(app.name());
      *kept.add_applications() = std::move(copy);
    }
  }
  for (const auto& m : status->machines()) {
    if (machines.count(m.id()) || MatchesAny(patterns, m.id())) *kept.add_machines() = m;
  }
  auto app_of = [](const std::string& endpoint) { return endpoint.substr(0, endpoint.find(':')); };
  for (const auto& r : status->relations()) {
    if (apps.count(app_of(r.provider())) || apps.count(app_of(r.requirer()))) *kept.add_relations() = r;
  }
  bool matched = kept.applications_size() > 0 || kept.machines_size() > 0;
  *status = std::move(kept);
  return matched;
}

class StatusCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"status",
            "[<selector> [...]]",
            "Report the status of the model, its machines, applications and units.",
            "Selectors are glob patterns on application and unit names (mysql, mysql/0, my*).\n\n"
            "The json and yaml formats are Juju's status document: model, machines, applications\n"
            "(with units and relations) and controller. In tabular output, --relations adds the\n"
            "Integration section; in json and yaml, relations are always included.\n",
            "    skein status\n    skein status --format json\n    skein status --relations mysql\n",
            {},
            {"show-unit", "models"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
    f.Bool("--relations", &relations_, "Show 'relations' section in tabular format");
    f.Bool("--integrations", &integrations_, "Same as --relations");
    f.Bool("--color", &color_, "Use ANSI color codes in tabular output");
    f.Bool("--no-color", &no_color_, "Disable ANSI color codes in tabular output");
    f.Bool("--utc", &utc_, "Display timestamps in the UTC timezone (skein always does)");
    f.Ignored("--storage", false, "Show 'storage' section in tabular format");
    f.Ignored("--watch", true, "Watch the status every period of time");
    f.Ignored("--retry-count", true, "Number of times to retry API failures");
    f.Ignored("--retry-delay", true, "Time to wait between retry attempts");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckFormat(format_, kFormats); !s.ok()) return s;
    if (color_ && no_color_) return UsageError("cannot mix --no-color and --color");
    selectors_ = args;
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    skein::v1::GetStatusRequest req;
    req.set_model(session->model());
    auto status = session->connection->Call(&Controller::StubInterface::GetStatus, req);
    if (!status.ok()) return status.status();
    // A controller that does not say when it took the status: the time it arrived stands in.
    if (status->controller_timestamp().empty()) status->set_controller_timestamp(FormatRfc3339(env.clock->WallNow()));
    bool matched = selectors_.empty() || FilterStatus(selectors_, &*status);
    bool relations = relations_ || integrations_;
    const std::string& controller = session->target.controller_name;
    if (format_ == "json" || format_ == "yaml") {
      if (relations) *env.err << "provided relations option is always enabled in non tabular formats\n";
      nlohmann::json doc = output::StatusToJson(*status, controller);
      // The `storage` section (contract §5.9) only when the model has storage. A controller that
      // cannot list it still gives the rest of the status.
      if (auto storage = ListStorage(*session); storage.ok() && !storage->empty()) {
        doc["storage"] = output::CombinedStorageJson(*storage);
      }
      return WriteData(env, output_, doc, format_);
    }
    if (format_ != "tabular") return WriteOutput(env, output_, output::StatusToOneline(*status));
    output::TabularOptions options;
    options.color = color_ || (env.ColorStdout() && !no_color_ && output_.empty());
    options.relations = relations;
    options.controller_name = controller;
    if (auto s = WriteOutput(env, output_, output::StatusToTabular(*status, options)); !s.ok()) return s;
    if (!matched) {
      *env.err << "Nothing matched specified filter.\n";
    } else if (output::IsEmptyModel(*status)) {
      *env.err << "Model \"" << status->model().name() << "\" is empty.\n";
    }
    return absl::OkStatus();
  }

 private:
  inline static const std::vector<std::string> kFormats = {"tabular", "json", "yaml", "oneline", "short", "line"};
  std::string model_;
  std::string format_ = "tabular";
  std::string output_;
  bool relations_ = false;
  bool integrations_ = false;
  bool color_ = false;
  bool no_color_ = false;
  bool utc_ = false;
  std::vector<std::string> selectors_;
};

class ShowUnitCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"show-unit",
            "<unit name> [<unit name>...]",
            "Displays information about a unit.",
            "Shows a unit's charm, leadership, life, machine and addresses, and for each relation\n"
            "it is in: the related application's data, its own data and the data of the related\n"
            "units (relation-info).\n",
            "    skein show-unit mysql/0\n    skein show-unit mysql/0 --format json\n",
            {},
            {"status"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
    f.Bool("--app", &app_only_, "only show application relation data");
    f.String("--endpoint", &endpoint_, "only show relation data for the specified endpoint");
    f.String("--related-unit", &related_unit_, "only show relation data for the specified unit");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("an unit name must be supplied");
    for (const auto& u : args) {
      if (!ParseUnitName(u).ok()) return UsageError(absl::StrCat("invalid unit name \"", u, "\""));
    }
    units_ = args;
    return CheckFormat(format_, kFormats);
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    nlohmann::json all = nlohmann::json::object();
    for (const auto& unit : units_) {
      skein::v1::ShowUnitRequest req;
      req.set_model(session->model());
      req.set_unit(unit);
      auto info = session->connection->Call(&Controller::StubInterface::ShowUnit, req);
      if (!info.ok()) return info.status();
      nlohmann::json doc = output::UnitInfoToJson(*info);
      for (auto& [name, value] : doc.items()) all[name] = Filter(value);
    }
    return WriteData(env, output_, all, format_);
  }

 private:
  nlohmann::json Filter(nlohmann::json unit) const {
    if (!app_only_ && endpoint_.empty() && related_unit_.empty()) return unit;
    nlohmann::json kept = nlohmann::json::array();
    for (auto rel : unit["relation-info"]) {
      if (!endpoint_.empty() && rel["endpoint"] != endpoint_) continue;
      if (app_only_) {
        rel.erase("local-unit");
        rel.erase("related-units");
      } else if (!related_unit_.empty()) {
        nlohmann::json related = nlohmann::json::object();
        if (rel["related-units"].contains(related_unit_)) related[related_unit_] = rel["related-units"][related_unit_];
        rel["related-units"] = related;
      }
      kept.push_back(rel);
    }
    unit["relation-info"] = kept;
    return unit;
  }

  inline static const std::vector<std::string> kFormats = {"yaml", "json", "smart"};
  std::string model_;
  std::string format_ = "yaml";
  std::string output_;
  bool app_only_ = false;
  std::string endpoint_;
  std::string related_unit_;
  std::vector<std::string> units_;
};

}  // namespace

std::unique_ptr<Command> NewStatusCommand() { return std::make_unique<StatusCommand>(); }
std::unique_ptr<Command> NewShowUnitCommand() { return std::make_unique<ShowUnitCommand>(); }

}  // namespace skein::cli::commands
