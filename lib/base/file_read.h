#pragma once

// Reading a whole file that came from outside the process (a bundle, an included file, a
// `--params` file, a hook tool's `--file`), never more than a cap: a path such as /dev/zero or a
// FIFO nobody writes to must give an error, not fill memory or hang.

#include <string>

#include "absl/status/statusor.h"
#include "lib/base/limits.h"

namespace skein {

enum class FileKinds {
  kRegularOnly,  // refuse devices, FIFOs, sockets and directories before reading
  kAnyReadable,  // also read pipes and devices (`--file /dev/stdin`, `<(command)`), up to the cap
};

// The file's content. Errors, with Go's texts where Juju's tools print them:
//   NotFound           `open <path>: no such file or directory` (and other open/read failures)
//   InvalidArgument    `<path> is not a regular file (a character device)`, `... (a directory)`
//   ResourceExhausted  limits::SizeError: `<path> (N bytes) exceeds the 4 MiB limit of <what>`
//                      (a stream is not read past the cap: `<path> exceeds the ...`)
absl::StatusOr<std::string> ReadFileCapped(const std::string& path, const limits::Cap& cap,
                                           FileKinds kinds = FileKinds::kRegularOnly);

}  // namespace skein
