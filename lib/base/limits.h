#pragma once

// Size caps on every value a user or a charm hands to skein, defined once (README "Limits").
//
// Each cap is checked where the value is written (the CLI before it sends, the hook tool before
// it buffers or sends), and again by the controller when it receives it, so nothing over a cap
// is ever stored and no receiver is ever sent more than it accepts. The error text comes from
// one place, SizeError below:
//
//   config option "blob" (5242881 bytes) exceeds the 4 MiB limit of a config value
//
// Where Juju has a figure we use it (relation bag, charm state); elsewhere a cap is at least
// four times the largest value the store's charms send while kubeflow 1.9 and cos-lite settle
// (figures in the README), and the payloads that carry several values are sized from these.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace skein::limits {

inline constexpr size_t kKiB = size_t{1} << 10;
inline constexpr size_t kMiB = size_t{1} << 20;

// One cap: how many bytes a value of some kind may have, and how an error names that kind.
struct Cap {
  size_t bytes;
  const char* what;  // "a config value": the end of `... exceeds the 4 MiB limit of <what>`
};

// --- Counts one request may ask for.
// Units one request may add: `deploy -n`, `add-unit -n`, or all the applications of a bundle
// together. Every unit of a request is written in one transaction; at this limit that takes
// well under a second (README "Limits"), so no single request holds up every other write.
// More units are added in several requests.
inline constexpr int64_t kMaxUnitsPerRequest = 1000;

// InvalidArgument naming the limit when `units` is over it.
inline absl::Status CheckUnitsPerRequest(int64_t units) {
  if (units <= kMaxUnitsPerRequest) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("cannot add ", units, " units in one request: the limit is ",
                                                 kMaxUnitsPerRequest,
                                                 " units per request; add more with several add-unit requests"));
}

// --- Values a user supplies through the CLI.
// One config option's value (`skein config`, `deploy --config`, bundle options).
inline constexpr Cap kConfigValue{4 * kMiB, "a config value"};
// An application's user settings together (keys and values).
inline constexpr Cap kConfigTotal{16 * kMiB, "an application's config"};
// A bundle's options together: they reach the controller in one request.
inline constexpr Cap kBundleConfig{48 * kMiB, "a bundle's config"};
// `skein run` parameters, as the JSON object the controller queues.
inline constexpr Cap kActionParams{4 * kMiB, "action parameters"};
// One `skein model-config` value: every unit's snapshot carries the model's config.
inline constexpr Cap kModelConfigValue{64 * kKiB, "a model config value"};

// --- Values a charm supplies through hook tools.
// Juju's cap on a relation bag (core/quota, juju-semantics §4); one value may fill a bag.
inline constexpr Cap kRelationBag{16 * kMiB, "a relation data bag"};
inline constexpr Cap kRelationValue{16 * kMiB, "a relation value"};
// Everything one hook commits at once (relation changes and charm state): bounds the largest
// CommitHook request when a hook writes to several bags.
inline constexpr Cap kHookCommit{48 * kMiB, "one hook's relation and state changes"};
// Juju's caps on charm state (juju-semantics §3.3; controller config max-charm-state-size).
inline constexpr Cap kStateKey{256, "a state key"};
inline constexpr Cap kStateValue{64 * kKiB, "a state value"};
inline constexpr Cap kStateTotal{2 * kMiB, "a unit's charm state"};
// Legacy leader settings (leader-set): one value, and the application's settings together.
inline constexpr Cap kLeaderValue{1 * kMiB, "a leader setting value"};
inline constexpr Cap kLeaderTotal{16 * kMiB, "an application's leader settings"};
// status-set's message (and action-fail's): Kubernetes caps a condition message at 32768 bytes.
inline constexpr Cap kStatusMessage{32 * kKiB, "a status message"};
// One log line: juju-log, action-log, and each line of hook output (longer output lines are
// cut to this size by the agent rather than refused: nobody can retry them). 128 KiB is the
// most Linux passes in one argument (MAX_ARG_STRLEN), which is how juju-log gets its message.
inline constexpr Cap kLogLine{128 * kKiB, "a log message"};
// The agent sends its log lines in batches of at most this many bytes.
inline constexpr size_t kLogBatchBytes = 16 * kMiB;
// action-set's results together, as JSON.
inline constexpr Cap kActionResults{4 * kMiB, "action results"};
// An action's stdout and stderr are kept in its results up to kActionOutputBytes each (their
// ends); the stored form may be base64, a third longer.
inline constexpr size_t kActionOutputBytes = 1 * kMiB;
inline constexpr Cap kActionOutput{(kActionOutputBytes + 2) / 3 * 4, "an action's output"};
// application-version-set.
inline constexpr Cap kApplicationVersion{1 * kKiB, "an application version"};

// --- Inputs read from files.
// A YAML or JSON document from outside the process: a bundle or overlay, a `--params` file,
// `config --file`, hook-tool `--file` (which may carry a whole relation bag, quoted), and the
// stdin the hook tool forwards. yaml-cpp needs several times a document's size to parse it, so
// this stays near the largest legal payload (a 16 MiB bag, escaped).
inline constexpr Cap kYamlInput{24 * kMiB, "a YAML document"};
// A charm's metadata.yaml, config.yaml or actions.yaml (the store's are a few KB).
inline constexpr Cap kCharmYaml{1 * kMiB, "a charm's YAML file"};
// A file a bundle includes with include-file:// or include-base64://, and a `config k=@file`.
inline constexpr Cap kIncludedFile{kConfigValue.bytes, "an included file"};

// --- Messages on the wire (derived from the caps above; see lib/rpc/auth.h and
// controller/api/server.cc).
// The largest request a client or agent may send: a hook commit at its cap, a full log batch,
// a config or a bundle's configs, each with room for encoding.
inline constexpr size_t kMaxRequestBytes = 64 * kMiB;
// Hook-tool frames (lib/rpc/framing.h): a request carries the tool's stdin (kYamlInput); a reply
// may print a whole bag escaped as JSON, where one byte can take six (`\u0001`).
inline constexpr size_t kMaxToolFrameBytes = 6 * kRelationBag.bytes + 4 * kMiB;

static_assert(kRelationValue.bytes <= kRelationBag.bytes, "a value lives in one bag");
static_assert(kHookCommit.bytes + 8 * kMiB <= kMaxRequestBytes, "a full hook commit fits one request");
static_assert(kLogBatchBytes + kLogLine.bytes + 8 * kMiB <= kMaxRequestBytes, "a full log batch fits one request");
static_assert(kConfigTotal.bytes * 3 <= kMaxRequestBytes, "a config fits one request");
static_assert(kBundleConfig.bytes + 8 * kMiB <= kMaxRequestBytes, "a bundle's config fits one request");
static_assert(kYamlInput.bytes + 8 * kMiB <= kMaxToolFrameBytes, "hook-tool stdin fits one frame");

// What a map of settings (a relation bag, charm state, leader settings) counts against its cap:
// the lengths of its keys and values.
template <typename Map>
size_t SettingsBytes(const Map& settings) {
  size_t total = 0;
  for (const auto& [key, value] : settings) total += key.size() + value.size();
  return total;
}

// SettingsBytes of `current` once `set` (where an empty value deletes its key) and then `unset`
// are applied: what a bag, a state or leader settings will count after a change.
template <typename Map>
size_t SettingsBytesAfter(Map current, const std::map<std::string, std::string>& set,
                          const std::vector<std::string>& unset = {}) {
  for (const auto& [key, value] : set) {
    if (value.empty()) {
      current.erase(key);
    } else {
      current[key] = value;
    }
  }
  for (const std::string& key : unset) current.erase(key);
  return SettingsBytes(current);
}

// "4 MiB", "64 KiB", "256 bytes".
std::string HumanBytes(size_t bytes);

// The one error for a value over its cap (ResourceExhausted, as a quota is):
// `<subject> (<size> bytes) exceeds the <limit> limit of <cap.what>`.
absl::Status SizeError(const Cap& cap, absl::string_view subject, size_t size);
// The same without a size, for a stream that was not read to its end:
// `<subject> exceeds the <limit> limit of <cap.what>`.
absl::Status OverCapError(const Cap& cap, absl::string_view subject);
// OK when `size` <= cap.bytes, else SizeError.
absl::Status CheckSize(const Cap& cap, absl::string_view subject, size_t size);

}  // namespace skein::limits
