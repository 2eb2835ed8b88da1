// skein-recorder: the built-in twin of the conformance suite's recorder charm
// (tests/testdata/charms/recorder). It writes the same line per hook or action from the SDK's
// typed events, so the suite runs built-in charms against the same expectations as shell and
// ops charms (DESIGN §5: both runners pass the same conformance tests).

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agents/charms/charms.h"

namespace skein::charms {
namespace {

class Recorder : public sdk::Charm {
 public:
  void Setup(sdk::Framework& framework, sdk::Model& model) override {
    framework.ObserveAll([&model](const sdk::Event& event) { return Record(event, model); });
    framework.ObserveAction("echo", [&model](const sdk::Event&) -> absl::Status {
      auto params = model.context().ActionParams();
      if (!params.ok()) return params.status();
      return model.context().SetActionResults({{"echoed", params->value("message", "")}});
    });
    framework.ObserveAction("explode", [&model](const sdk::Event&) {
      return model.context().ActionFail("exploded on purpose");
    });
  }

 private:
  static absl::Status Record(const sdk::Event& event, sdk::Model& model) {
    const std::string name = event.kind == sdk::EventKind::kAction ? "action:" + event.action : event.hook;
    // `nothing` has no handler, as a charm that forgot one: it records nothing.
    if (name == "action:nothing") return absl::OkStatus();
    auto leader = model.context().IsLeader();
    std::string members;
    if (event.relation_id.has_value() && event.kind != sdk::EventKind::kRelationBroken) {
      auto units = model.context().RelationMembers(*event.relation_id);
      if (units.ok()) members = absl::StrJoin(*units, ",");
    }
    const std::string log = model.ConfigString("log-path");
    if (!log.empty()) {
      std::ofstream out(log, std::ios::app);
      out << model.unit() << " " << name << " JUJU_REMOTE_UNIT=" << event.remote_unit
          << " JUJU_REMOTE_APP=" << event.remote_app << " JUJU_RELATION_ID="
          << (event.relation_id ? absl::StrCat(event.endpoint, ":", *event.relation_id) : "")
          << " JUJU_DEPARTING_UNIT=" << event.departing_unit
          << " leader=" << (leader.ok() ? (*leader ? "true" : "false") : "?") << " members=" << members << "\n";
    }
    const std::string fail_on = model.ConfigString("fail-on");
    if (!fail_on.empty() && name == fail_on) {
      const std::string flag = model.ConfigString("fail-flag");
      if (flag.empty() || std::ifstream(flag).good()) return absl::InternalError("failing " + name + " on purpose");
    }
    return absl::OkStatus();
  }
};

}  // namespace

std::unique_ptr<sdk::Charm> NewRecorder() { return std::make_unique<Recorder>(); }

}  // namespace skein::charms
