#pragma once

// An exit code a command's Run asks for explicitly (`skein diff-bundle --exit-code`: 0 same,
// 1 different, 2 error). A status carrying it is handled by RunCli as: print the message as an
// ERROR line unless it is empty or a SilentError, then exit with the code.

#include <optional>

#include "absl/status/status.h"

namespace skein::cli::commands {

// `status` (not OK) carrying `code` as the process exit code.
absl::Status WithExitCode(absl::Status status, int code);
// The code WithExitCode attached, if any.
std::optional<int> ExitCodeOf(const absl::Status& status);

}  // namespace skein::cli::commands
