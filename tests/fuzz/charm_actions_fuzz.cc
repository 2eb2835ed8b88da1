// libFuzzer target: a charm's actions.yaml (lib/charm/metadata.h ParseActions).

#include <cstddef>
#include <cstdint>
#include <string>

#include "lib/charm/metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto actions = skein::charm::ParseActions(std::string(reinterpret_cast<const char*>(data), size));
  (void)actions;
  return 0;
}
