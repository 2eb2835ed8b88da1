#include "lib/charm/archive_paths.h"

#include <deque>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace skein::charm {
namespace {

// As the kernel's limit on links followed in one lookup (MAXSYMLINKS).
constexpr int kMaxLinkExpansions = 40;

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty() || part == ".") continue;
    out.emplace_back(part);
  }
  return out;
}

absl::Status Outside(const std::string& link, const std::string& target) {
  return absl::InvalidArgumentError(absl::StrCat(
      "symlink \"", link, "\" -> \"", target,
      "\" points outside the charm: a charm may only link to its own files; remove the link or make it "
      "relative to a file inside the charm"));
}

}  // namespace

absl::StatusOr<std::string> NormaliseEntryPath(const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError("charm entry \"\" has no name");
  std::vector<std::string> parts = Components(name);
  bool escapes = name.front() == '/';
  for (const std::string& part : parts) escapes = escapes || part == "..";
  if (escapes) {
    return absl::InvalidArgumentError(absl::StrCat("charm entry \"", name,
                                                   "\" escapes the charm: entries must be relative paths "
                                                   "without \"..\"; repack the charm from its own directory"));
  }
  if (parts.empty()) return absl::InvalidArgumentError(absl::StrCat("charm entry \"", name, "\" has no name"));
  return absl::StrJoin(parts, "/");
}

absl::Status CheckLinksStayInside(const std::map<std::string, std::string>& links) {
  for (const auto& [link, target] : links) {
    if (target.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("symlink \"", link, "\" has an empty target"));
    }
    // Walk the target from the link's directory; a component that is itself a link of the
    // archive is replaced by that link's target, so `a -> b/..` with `b -> ..` is seen for what
    // it is once on disk.
    std::vector<std::string> at = Components(link);
    at.pop_back();
    std::deque<std::string> pending;
    if (target.front() == '/') return Outside(link, target);
    for (std::string& part : Components(target)) pending.push_back(std::move(part));
    int expansions = 0;
    while (!pending.empty()) {
      std::string part = std::move(pending.front());
      pending.pop_front();
      if (part == "..") {
        if (at.empty()) return Outside(link, target);
        at.pop_back();
        continue;
      }
      at.push_back(part);
      auto inner = links.find(absl::StrJoin(at, "/"));
      if (inner == links.end()) continue;
      if (++expansions > kMaxLinkExpansions) {
        return absl::InvalidArgumentError(
            absl::StrCat("symlink \"", link, "\" -> \"", target, "\" has too many levels of links"));
      }
      if (inner->second.empty() || inner->second.front() == '/') return Outside(link, target);
      at.pop_back();
      std::vector<std::string> replacement = Components(inner->second);
      pending.insert(pending.begin(), replacement.begin(), replacement.end());
    }
  }
  return absl::OkStatus();
}

}  // namespace skein::charm
