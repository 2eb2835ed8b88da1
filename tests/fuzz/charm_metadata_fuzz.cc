// libFuzzer target: a charm's metadata.yaml (lib/charm/metadata.h ParseMetadata).

#include <cstddef>
#include <cstdint>
#include <string>

#include "lib/charm/metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto metadata = skein::charm::ParseMetadata(std::string(reinterpret_cast<const char*>(data), size));
  (void)metadata;
  return 0;
}
