// libFuzzer target: a charm's config.yaml (lib/charm/config.h ParseConfigSchema), then a value
// for every option it declares, as `skein config app k=v` parses one: the input's last line is
// the value.

#include <cstddef>
#include <cstdint>
#include <string>

#include "lib/charm/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t last_line = text.rfind('\n');
  std::string value = last_line == std::string::npos ? "" : text.substr(last_line + 1);
  auto schema = skein::charm::ParseConfigSchema(text);
  if (!schema.ok()) return 0;
  for (const auto& [key, option] : *schema) {
    auto parsed = skein::charm::ParseConfigValue(*schema, key, value);
    (void)parsed;
  }
  return 0;
}
