#pragma once

// `skein models` (cli-and-ux §1.12):
//   Controller: local
//
//   Model        Cloud/Region     Type   Status     Machines  Units  Access  Last connection
//   controller*  local/localhost  local  available         1      1  admin   just now
// and the json/yaml document `{models: [{name: admin/x, short-name, model-uuid, ...}],
// current-model: x}` whose entries carry the ModelInfo keys of juju-cli-client-contract §7.

#include <string>

#include "nlohmann/json.hpp"
#include "skein/v1/controller.pb.h"
#include "skein/v1/models.pb.h"

namespace skein::cli::output {

struct ModelsContext {
  std::string controller_name;
  std::string controller_uuid;
  std::string current_model;  // short name; marked `*`
  bool color = false;
};

// The ModelInfo keys of one model (contract §7) that `models` and `show-model` share.
nlohmann::json ModelInfoJson(const skein::v1::ModelSummary& model, const ModelsContext& context);
nlohmann::json ModelsToJson(const skein::v1::ListModelsResponse& models, const ModelsContext& context);
// `show-model`'s document `{short-name: {name: admin/x, ..., users, machines, credential}}`;
// every map is present, empty when there is nothing in it.
nlohmann::json ShowModelJson(const skein::v1::ModelDetails& details, const ModelsContext& context);
std::string ModelsToTabular(const skein::v1::ListModelsResponse& models, const ModelsContext& context);

}  // namespace skein::cli::output
