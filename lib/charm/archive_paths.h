#pragma once

// The path rules of a charm archive, applied wherever a charm's files are listed: when the CLI
// packs or checks a charm, when the controller accepts an upload, and again when the unit agent
// extracts it. An entry must stay inside the charm (no absolute path, no `..`), and a symlink
// must point at something inside the charm, following the archive's own links on the way.

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace skein::charm {

// The entry name as a relative '/'-separated path without empty or `.` components and without
// a trailing '/' (`./hooks//install` -> `hooks/install`). InvalidArgument
// `charm entry "../x" escapes the charm: ...` for an absolute path or a `..` component, and
// `charm entry "" has no name` for an empty one.
absl::StatusOr<std::string> NormaliseEntryPath(const std::string& name);

// Checks every link of `links` (normalised link path -> target as stored) resolves inside the
// charm, resolving through the other links of the archive the way the kernel would once they
// are on disk. InvalidArgument naming the first bad link: `symlink "lib/x" -> "/etc" points
// outside the charm: ...`, or `... has too many levels of links`.
absl::Status CheckLinksStayInside(const std::map<std::string, std::string>& links);

}  // namespace skein::charm
