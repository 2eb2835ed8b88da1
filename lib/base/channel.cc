#include "lib/base/channel.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace skein {

const std::vector<std::string>& Risks() {
  static const std::vector<std::string>* risks = new std::vector<std::string>{"stable", "candidate", "beta", "edge"};
  return *risks;
}

namespace {

bool IsRisk(const std::string& s) { return std::find(Risks().begin(), Risks().end(), s) != Risks().end(); }

}  // namespace

std::string Channel::String() const {
  std::string out = track.empty() ? risk : absl::StrCat(track, "/", risk);
  if (!branch.empty()) absl::StrAppend(&out, "/", branch);
  return out;
}

absl::StatusOr<Channel> ParseChannel(std::string_view text) {
  const std::string s(text);
  if (s.empty()) return absl::InvalidArgumentError("empty channel");
  std::vector<std::string> parts = absl::StrSplit(s, '/');
  if (parts.size() > 3) {
    return absl::InvalidArgumentError(absl::StrCat("channel is malformed and has too many components \"", s, "\""));
  }
  auto invalid = [&](const char* what) {
    return absl::InvalidArgumentError(absl::StrCat(what, " in channel \"", s, "\" not valid"));
  };
  Channel c;
  if (parts.size() == 1) {
    (IsRisk(parts[0]) ? c.risk : c.track) = parts[0];
  } else if (parts.size() == 2 && IsRisk(parts[0])) {
    c.risk = parts[0];
    c.branch = parts[1];
    if (c.branch.empty()) return invalid("branch");
  } else {
    c.track = parts[0];
    c.risk = parts[1];
    if (parts.size() == 3) c.branch = parts[2];
    if (c.track.empty()) return invalid("track");
    if (!IsRisk(c.risk)) return invalid("risk");
    if (parts.size() == 3 && c.branch.empty()) return invalid("branch");
  }
  if (c.risk.empty()) c.risk = "stable";
  return c;
}

Channel WithDefaultTrack(Channel channel, const std::string& default_track) {
  if (channel.track.empty()) channel.track = default_track;
  return channel;
}

}  // namespace skein
