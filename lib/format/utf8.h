#pragma once

// UTF-8 validity, strictly: overlong forms, surrogates and code points above U+10FFFF are
// invalid. JSON text must be UTF-8 (nlohmann::json's dump throws on anything else), so text
// from outside the process is checked here before it becomes a JSON string.

#include <cstddef>
#include <string_view>

namespace skein::format {

// Length of the valid UTF-8 sequence starting at `text[i]` (1 to 4), or 0 when it is not valid.
size_t Utf8SequenceLength(std::string_view text, size_t i);

// True when the whole of `text` is valid UTF-8.
bool IsValidUtf8(std::string_view text);

}  // namespace skein::format
