#pragma once

// Content digests shared by every module that names or checks something by its hash.

#include <string>
#include <string_view>

namespace skein {

// SHA-256 of `bytes` as 64 lower-case hex characters.
std::string Sha256Hex(std::string_view bytes);

}  // namespace skein
