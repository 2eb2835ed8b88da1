// libFuzzer target: channel strings (lib/base/channel.h). Besides not crashing, a channel that
// parses prints in a form that parses back to the same channel.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lib/base/channel.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto channel = skein::ParseChannel(text);
  if (!channel.ok()) return 0;
  const std::string printed = channel->String();
  auto again = skein::ParseChannel(printed);
  if (!again.ok() || !(*again == *channel)) {
    std::fprintf(stderr, "channel \"%s\" prints as \"%s\", which does not parse back to it\n", text.c_str(),
                 printed.c_str());
    std::abort();
  }
  return 0;
}
