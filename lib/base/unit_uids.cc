#include "lib/base/unit_uids.h"

#include <fstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/sha256.h"

namespace skein {
namespace {

// The first id skein may use, and the first past the ids it may use (systemd's foreign range).
constexpr uint64_t kLowest = 65536;
constexpr uint64_t kEnd = 0x7FFE0000;

// One clash: which file, whose entry, and the ids it holds.
struct Holder {
  std::string file;
  std::string name;
  uint64_t first = 0;
  uint64_t count = 1;
};

// Lines of `path` split at ':' (comments and short lines skipped); none when the file is missing.
std::vector<std::vector<std::string>> Records(const std::string& path, size_t min_fields) {
  std::vector<std::vector<std::string>> records;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields = absl::StrSplit(line, ':');
    if (fields.size() >= min_fields) records.push_back(std::move(fields));
  }
  return records;
}

std::vector<Holder> Holders(const HostIdFiles& files) {
  std::vector<Holder> holders;
  // name:password:ID:... in passwd and group; name:first:count in subuid and subgid.
  for (const std::string& file : {files.passwd, files.group}) {
    for (const auto& r : Records(file, 3)) {
      uint64_t id = 0;
      if (absl::SimpleAtoi(r[2], &id)) holders.push_back({file, r[0], id, 1});
    }
  }
  for (const std::string& file : {files.subuid, files.subgid}) {
    for (const auto& r : Records(file, 3)) {
      uint64_t first = 0, count = 0;
      if (absl::SimpleAtoi(r[1], &first) && absl::SimpleAtoi(r[2], &count) && count > 0) {
        holders.push_back({file, r[0], first, count});
      }
    }
  }
  return holders;
}

}  // namespace

UidRange DefaultUidRange(uint32_t index) {
  return UidRange{UidRange::kLowestDefault + (index % UidRange::kDefaults) * UidRange::kSize};
}

uint32_t DefaultUidRangeIndex(const std::string& data_dir) {
  uint32_t index = 0;
  absl::SimpleHexAtoi(Sha256Hex(data_dir).substr(0, 8), &index);
  return index % UidRange::kDefaults;
}

std::string UidRange::ToString() const { return absl::StrCat(first, "-", last()); }

absl::StatusOr<UidRange> ParseUidRangeFirst(const std::string& text) {
  uint64_t first = 0;
  if (!absl::SimpleAtoi(text, &first) || first < kLowest || first + UidRange::kSize > kEnd) {
    return absl::InvalidArgumentError(absl::StrCat("invalid --unit-uids \"", text, "\": give the first of ",
                                                   UidRange::kSize, " uids, a number from ", kLowest, " to ",
                                                   kEnd - UidRange::kSize));
  }
  return UidRange{static_cast<uint32_t>(first)};
}

absl::Status CheckUidRangeIsFree(const UidRange& range, const HostIdFiles& files) {
  for (const Holder& h : Holders(files)) {
    const uint64_t last = h.first + h.count - 1;
    if (last < range.first || h.first > range.last()) continue;
    const bool sub = h.count > 1 || h.file == files.subuid || h.file == files.subgid;
    const std::string what = sub ? absl::StrCat("the subordinate ids of \"", h.name, "\" (", h.first, "-", last, ")")
                                 : absl::StrCat("\"", h.name, "\" (id ", h.first, ")");
    return absl::FailedPreconditionError(absl::StrCat("uid range ", range.ToString(), " meets ", what, " in ",
                                                      h.file,
                                                      "; choose another first uid with --unit-uids FIRST"));
  }
  return absl::OkStatus();
}

}  // namespace skein
