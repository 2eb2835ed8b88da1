#pragma once

#include <optional>
#include <string_view>

namespace skein {

// Go's strconv.ParseBool, which Juju uses for every boolean it reads from text (hook-tool flags,
// model config, application config): 1 t T TRUE true True / 0 f F FALSE false False; nullopt for
// anything else, so that each caller words the error as Juju does there.
std::optional<bool> ParseGoBool(std::string_view text);

}  // namespace skein
