#include "lib/base/limits.h"

#include "absl/strings/str_cat.h"

namespace skein::limits {

std::string HumanBytes(size_t bytes) {
  if (bytes >= kMiB && bytes % kMiB == 0) return absl::StrCat(bytes / kMiB, " MiB");
  if (bytes >= kKiB && bytes % kKiB == 0) return absl::StrCat(bytes / kKiB, " KiB");
  return absl::StrCat(bytes, " bytes");
}

absl::Status SizeError(const Cap& cap, absl::string_view subject, size_t size) {
  return absl::ResourceExhaustedError(
      absl::StrCat(subject, " (", size, " bytes) exceeds the ", HumanBytes(cap.bytes), " limit of ", cap.what));
}

absl::Status OverCapError(const Cap& cap, absl::string_view subject) {
  return absl::ResourceExhaustedError(
      absl::StrCat(subject, " exceeds the ", HumanBytes(cap.bytes), " limit of ", cap.what));
}

absl::Status CheckSize(const Cap& cap, absl::string_view subject, size_t size) {
  if (size <= cap.bytes) return absl::OkStatus();
  return SizeError(cap, subject, size);
}

}  // namespace skein::limits
