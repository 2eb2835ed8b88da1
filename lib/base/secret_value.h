#pragma once

// Secret content as Juju's secret-add, secret-set, add-secret and update-secret take it:
// `key=value`, `key#base64=<base64 text>` (decoded) or `key#file=<path>` (the file's content).
// The hook tools and the CLI share this; each reads files its own way (relative to the tool's
// working directory, or the shell's).

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace skein {

// Adds one entry to `content`: the key without its suffix and the decoded value; `read_file`
// returns a file's content for `#file`. InvalidArgument `invalid base64 value for key "k"` or
// `key "k" specified more than once`; the reader's own errors.
absl::Status AddSecretValue(const std::string& key_spec, const std::string& value,
                            const std::function<absl::StatusOr<std::string>(const std::string&)>& read_file,
                            std::map<std::string, std::string>* content);

}  // namespace skein
