#pragma once

// The Serialized Data Interface (canonical/serialized-data-interface; kubeflow-catalog §4.0),
// used by object-storage, ingress, ingress-auth, k8s-service, oidc-client and the MLflow-2.1-era
// secrets/pod-defaults: each side's leader writes `_supported_versions` (a YAML list) in its
// application bag; the data side writes `data` (a YAML mapping, keys sorted) there too. The
// highest version both sides list is used.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::relations::interfaces::sdi {

inline constexpr char kVersionsKey[] = "_supported_versions";
inline constexpr char kDataKey[] = "data";

// What the charm shows while negotiating (the upstream library's exceptions).
enum class Negotiation {
  kAgreed,                // `version` holds the highest common version
  kNoVersionsListed,      // the other side wrote nothing yet: Waiting
  kNoCompatibleVersions,  // nothing in common: Blocked
};

struct NegotiationResult {
  Negotiation outcome = Negotiation::kNoVersionsListed;
  std::string version;
};

// The application-bag keys a side writes: `_supported_versions`, and `data` when given.
std::map<std::string, std::string> WriteBag(const std::vector<std::string>& versions,
                                            const std::optional<nlohmann::ordered_json>& data);

// Compares our versions with the remote application bag's `_supported_versions`.
NegotiationResult Negotiate(const std::vector<std::string>& ours, const std::map<std::string, std::string>& remote_bag);

// The remote side's `data` mapping. NotFound when it wrote none yet; InvalidArgument when it is
// not a YAML mapping or misses one of `required` keys (named in the message).
absl::StatusOr<nlohmann::ordered_json> ReadData(const std::map<std::string, std::string>& remote_bag,
                                                const std::vector<std::string>& required = {});

}  // namespace skein::relations::interfaces::sdi
