#pragma once

// YAML emitting helpers shared by export.cc and diff.cc (not part of the library's interface).

#include <string>

#include "nlohmann/json.hpp"
#include "yaml-cpp/yaml.h"

namespace skein::bundles::internal {

// True for strings YAML would read as another type (empty, null, booleans, numbers).
bool LooksLikeNonString(const std::string& s);
// A string, double-quoted when LooksLikeNonString.
void EmitString(YAML::Emitter& out, const std::string& s);
// A JSON scalar: strings as EmitString, numbers and booleans bare, null as `~`.
void EmitTyped(YAML::Emitter& out, const nlohmann::json& v);
// The emitted text ending in exactly one newline.
std::string Finish(const YAML::Emitter& out);

}  // namespace skein::bundles::internal
