#pragma once

// The per-charm facts the common behaviour needs (ports, ingress routes, dashboard links,
// scrape jobs, required relations), one profile per charm name, taken from the upstream charms
// (kubeflow-catalog §4). A charm without a profile here gets an empty one.

#include <string>
#include <vector>

#include "agents/charms/standard_charm.h"

namespace skein::charms {

CharmProfile ProfileFor(const std::string& charm_name);
// Every charm with a profile (the charms the store ships), for registration.
std::vector<std::string> ProfiledCharmNames();

}  // namespace skein::charms
