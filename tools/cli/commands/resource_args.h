#pragma once

// `--resource name=value` of deploy and refresh, and attach-resource's `name=value`: read and
// checked against the charm's declared resources before anything reaches the controller, then
// uploaded through the Resources service (proto/skein/v1/resources.proto).

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/charm/metadata.h"
#include "tools/cli/commands/common.h"

namespace skein::cli::commands {

struct ResourceUpload {
  std::string name;
  std::string content;  // the file's bytes, or an oci-image resource's image reference
};

// Usage error `expected "name=value", got "x"` unless every argument has that shape.
absl::Status CheckResourceArgs(const std::vector<std::string>& args);

// Reads the values, as Juju does: a file resource's value is a file path; an oci-image
// resource's value is an image reference (`redis:7`), or, when it starts with `.` or `/`, a file
// holding the image's details. InvalidArgument `charm "c" has no resource "r"` (the declared
// ones are listed), `resource "r" is given twice`; the file's own error (`open <path>: no such
// file or directory`, over the size limit).
absl::StatusOr<std::vector<ResourceUpload>> ReadResourceArgs(const std::vector<std::string>& args,
                                                             const std::string& charm_name,
                                                             const std::map<std::string, charm::ResourceSpec>& declared);

// The resources the application's charm declares, from the controller.
absl::StatusOr<std::map<std::string, charm::ResourceSpec>> DeclaredResources(Session& session,
                                                                             const std::string& application,
                                                                             std::string* charm_name);

// Uploads each in turn; with `upgrade_units` the application's units run upgrade-charm for each.
// Prints `Uploaded resource "r" revision N` lines to stderr.
absl::Status UploadResources(Environment& env, Session& session, const std::string& application,
                             const std::vector<ResourceUpload>& uploads, bool upgrade_units);

}  // namespace skein::cli::commands
