#pragma once

// `skein status` tabular output, laid out like `juju status` (cli-and-ux §1.1): a model line,
// then the App, Unit and Machine sections (each only when it has rows) and, with
// --relations/--integrations, the Integration section; one blank line between sections.

#include <string>

#include "skein/v1/controller.pb.h"

namespace skein::cli::output {

struct TabularOptions {
  bool color = false;
  bool relations = false;
  std::string controller_name;
};

// The Timestamp column is the status's controller_timestamp (the caller fills it when missing).
std::string StatusToTabular(const skein::v1::ModelStatus& status, const TabularOptions& options);

// `skein machines`: the Machine section of status alone.
std::string MachinesTable(const skein::v1::ModelStatus& status, const TabularOptions& options);

// `--format oneline|short|line`: `- app/0: 127.0.0.1 (agent:idle, workload:active) 80/tcp`.
std::string StatusToOneline(const skein::v1::ModelStatus& status);

// What the agent is busy with, from its status: the hook name of `running <hook> hook[ for u]`
// or the action of `running action <name>`; empty when the agent is not executing.
std::string AgentDoing(const skein::v1::StatusInfo& agent_status);

// What the unit's line says about the charm it runs: Juju's warning after a skipped
// upgrade-charm (`upgrade-charm skipped: charm x rev N not upgraded cleanly; run skein refresh
// again`), else `upgrading from rev N` while it runs an older charm than its application, else
// empty.
std::string UnitCharmNote(const skein::v1::ApplicationStatus& app, const skein::v1::UnitStatus& unit);
// The unit runs another charm than its application's (it has not upgraded yet).
bool UnitUpgrading(const skein::v1::ApplicationStatus& app, const skein::v1::UnitStatus& unit);
// The Scale column: `N`, or `ready/desired` when not every unit is idle or executing (the
// second value says whether it is the latter, which Juju paints yellow).
std::pair<std::string, bool> ApplicationScale(const skein::v1::ApplicationStatus& app, bool caas);

}  // namespace skein::cli::output
