#include "relations/endpoint_inference.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/names.h"

namespace skein::relations {
namespace {

bool Complementary(const charm::Endpoint& x, const charm::Endpoint& y) {
  if (x.interface != y.interface) return false;
  return (x.role == charm::Role::kProvides && y.role == charm::Role::kRequires) ||
         (x.role == charm::Role::kRequires && y.role == charm::Role::kProvides);
}

}  // namespace

absl::StatusOr<EndpointSpec> ParseEndpointSpec(const std::string& text) {
  EndpointSpec spec;
  spec.text = text;
  auto colon = text.find(':');
  spec.application = text.substr(0, colon);
  if (colon != std::string::npos) spec.endpoint = text.substr(colon + 1);
  if (!IsValidApplicationName(spec.application) || (colon != std::string::npos && spec.endpoint.empty())) {
    return absl::InvalidArgumentError(absl::StrCat("invalid endpoint \"", text, "\""));
  }
  return spec;
}

std::vector<std::pair<Side, Side>> CompatiblePairs(const EndpointSpec& a, const charm::Metadata& ma,
                                                   const EndpointSpec& b, const charm::Metadata& mb) {
  std::vector<std::pair<Side, Side>> out;
  for (const auto& [na, ea] : ma.endpoints) {
    if (!a.endpoint.empty() && na != a.endpoint) continue;
    for (const auto& [nb, eb] : mb.endpoints) {
      if (!b.endpoint.empty() && nb != b.endpoint) continue;
      if (Complementary(ea, eb)) out.push_back({Side{a.application, ea}, Side{b.application, eb}});
    }
  }
  return out;  // std::map iteration already orders by endpoint name
}

absl::Status CheckNamedEndpoints(const EndpointSpec& a, const charm::Metadata& ma, const EndpointSpec& b,
                                 const charm::Metadata& mb) {
  for (const auto& [spec, md] : {std::pair{&a, &ma}, std::pair{&b, &mb}}) {
    if (!spec->endpoint.empty() && md->FindEndpoint(spec->endpoint) == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("application \"", spec->application, "\" has no \"", spec->endpoint, "\" relation"));
    }
  }
  return absl::OkStatus();
}

std::string AmbiguousMessage(const EndpointSpec& a, const EndpointSpec& b,
                             const std::vector<std::pair<Side, Side>>& candidates) {
  std::vector<std::string> options;
  for (const auto& [x, y] : candidates) options.push_back(absl::StrCat("\"", x.Spec(), " ", y.Spec(), "\""));
  return absl::StrCat("ambiguous relation: \"", a.text, " ", b.text, "\" could refer to ", absl::StrJoin(options, "; "));
}

}  // namespace skein::relations
