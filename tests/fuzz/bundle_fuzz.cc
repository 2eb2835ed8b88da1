// libFuzzer target: a bundle file with its overlays (documents after the first), as `skein
// deploy` and `skein diff-bundle` read them (bundles/bundle.h ParseBundle). Includes resolve in
// a directory that does not exist, so no input reads the machine's files.

#include <cstddef>
#include <cstdint>
#include <string>

#include "bundles/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  skein::bundles::SourceFile base{std::string(reinterpret_cast<const char*>(data), size),
                                  "/nonexistent/skein-fuzz", "bundle.yaml"};
  auto bundle = skein::bundles::ParseBundle(base, {});
  (void)bundle;
  return 0;
}
