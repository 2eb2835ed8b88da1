#pragma once

// Charm resources (issue 15): the revisions operators upload for an application's `resources:`
// and what a unit's `resource-get` reads. As in Juju, every upload is a new revision and units
// read the latest; attaching one to a running application makes its units run upgrade-charm.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "lib/charm/metadata.h"

namespace skein::controller::domain::resource {

// A declared resource and its latest revision (revision 0: nothing uploaded yet).
struct ResourceInfo {
  charm::ResourceSpec spec;
  int64_t revision = 0;
  int64_t size = 0;
  std::string fingerprint;  // SHA-384 of the content, hex
  std::string created;      // RFC 3339
};

struct ResourceContent {
  ResourceInfo info;
  std::string content;  // the file, or the image reference of an oci-image resource
};

class ResourceService {
 public:
  explicit ResourceService(Db* db) : db_(db) {}

  // `deploy --resource`, `attach-resource`, `refresh --resource`: stores `content` as the next
  // revision of the application's resource `name`. With `upgrade_units` every unit of an
  // application running a local charm runs upgrade-charm once for it (attach-resource, as Juju
  // does): the application moves to its charm's next local revision, the same archive, through
  // the refresh path, in the same transaction. NotFound for the model or application; InvalidArgument
  // `charm "c" has no resource "r"`, `resource "r" is N bytes, over the limit of M bytes`, or an
  // empty image reference.
  absl::StatusOr<ResourceInfo> Upload(const std::string& model, const std::string& application,
                                      const std::string& name, const std::string& content, bool upgrade_units);

  struct Listing {
    std::string charm_name;
    std::vector<ResourceInfo> resources;  // by name
  };
  // `resources <app>`: every resource the application's charm declares.
  absl::StatusOr<Listing> List(const std::string& model, const std::string& application);

  // `resource-get` for the unit `unit_id`: the latest revision of its own application's
  // resource. NotFound `charm "c" has no resource "r"` or `resource "r" of application "a" has
  // not been uploaded; attach it with: juju attach-resource a r=<path>`.
  absl::StatusOr<ResourceContent> FetchForUnit(int64_t unit_id, const std::string& name);

 private:
  Db* db_;
};

}  // namespace skein::controller::domain::resource
