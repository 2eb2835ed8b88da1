#pragma once

// Deterministic kill points for the daemons' crash tests (DESIGN §5: every step persists, so a
// `kill -9` anywhere resumes correctly). A daemon's main() reads `<point>[:<name>]` from its
// variable once (SKEIN_AGENT_FAULT, SKEIN_CONTROLLER_FAULT) and hands the parsed spec to what
// reaches its points; when the armed point is reached (for that name, or for any when no name is
// given) the daemon records that the fault fired in `<data-dir>/fault-fired-<point>` and kills
// itself with SIGKILL. The marker makes each fault fire once per data directory, so the
// restarted daemon goes on normally.
//
// A daemon names its points with an enum of its own and a `const char* PointName(Point)` in the
// enum's namespace (the spelling in the variable and the marker), found here by argument-dependent
// lookup: agents/unit/fault/fault.h, controller/domain/fault/fault.h.

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace skein::fault {

namespace internal {
// `point` and `name` of `point[:name]` (name empty without a colon).
std::pair<std::string, std::string> SplitSpec(absl::string_view text);
absl::Status UnknownPoint(absl::string_view env_var, absl::string_view point);
// True when `<dir>/fault-fired-<point>` exists.
bool Fired(const std::string& dir, absl::string_view point);
// Writes the marker (holding `name`, synced, so that the restarted daemon sees it), logs what is
// killed where, and sends this process SIGKILL.
[[noreturn]] void Fire(const std::string& dir, absl::string_view point, absl::string_view name,
                       absl::string_view process);
}  // namespace internal

// A parsed `<point>[:<name>]` for the daemon whose data directory is `dir`.
template <typename Point>
struct Spec {
  std::string dir;             // holds the markers
  std::optional<Point> point;  // nullopt: nothing armed
  std::string name;            // empty: any
};

// `text` is the variable's value (empty: nothing armed); `points` are every point of the daemon.
// InvalidArgument `<env_var>: unknown fault point "x"`.
template <typename Point, size_t N>
absl::StatusOr<Spec<Point>> ParseSpec(absl::string_view env_var, const std::string& dir, absl::string_view text,
                                      const Point (&points)[N]) {
  Spec<Point> spec;
  spec.dir = dir;
  if (text.empty()) return spec;
  auto [point, name] = internal::SplitSpec(text);
  for (Point p : points) {
    if (point == PointName(p)) spec.point = p;
  }
  if (!spec.point) return internal::UnknownPoint(env_var, point);
  spec.name = std::move(name);
  return spec;
}

// One daemon's armed point. Reads only the spec and the marker, so it is safe from any thread.
template <typename Point>
class OneShot {
 public:
  // `process` names the daemon in the log line written before the kill (`agent`, `controller`).
  OneShot(Spec<Point> spec, std::string process) : spec_(std::move(spec)), process_(std::move(process)) {}

  // True when `point` is armed for `name` (or for any name) and has not fired in this data
  // directory yet.
  bool Armed(Point point, absl::string_view name) const {
    if (spec_.point != point) return false;
    if (!spec_.name.empty() && spec_.name != name) return false;
    return !internal::Fired(spec_.dir, PointName(point));
  }

  // Fires the fault (marker file, then SIGKILL: never returns) when Armed(point, name).
  void Reached(Point point, absl::string_view name) const {
    if (Armed(point, name)) internal::Fire(spec_.dir, PointName(point), name, process_);
  }

 private:
  Spec<Point> spec_;
  std::string process_;
};

}  // namespace skein::fault
