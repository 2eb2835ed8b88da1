#pragma once

// Charm and bundle channels (juju-semantics §7): `<track>/<risk>[/<branch>]`, risk one of
// stable, candidate, beta, edge. Parsing follows Juju's core/charm channel rules; the canonical
// form omits an empty track and the default risk is stable.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace skein {

struct Channel {
  std::string track;   // empty = the store's default track
  std::string risk;    // stable | candidate | beta | edge
  std::string branch;  // usually empty

  // `1.9/stable`, `stable`, `2.0/candidate/fix-1`.
  std::string String() const;
  bool operator==(const Channel&) const = default;
};

// The risks from least to most risky.
const std::vector<std::string>& Risks();

// InvalidArgument with Juju's texts: `channel is malformed and has too many components "a/b/c/d"`,
// `risk in channel "x" not valid`, `track in channel "x" not valid`,
// `branch in channel "x" not valid`. An empty text is an error (`empty channel`).
absl::StatusOr<Channel> ParseChannel(std::string_view text);

// The channel with an empty track replaced by `default_track`.
Channel WithDefaultTrack(Channel channel, const std::string& default_track);

}  // namespace skein
