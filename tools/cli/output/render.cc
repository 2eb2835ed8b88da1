#include "tools/cli/output/render.h"

#include "lib/format/output.h"
#include "lib/format/utf8.h"

namespace skein::cli::output {

std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t n = format::Utf8SequenceLength(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

nlohmann::json SanitizeJson(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      return ValidUtf8(value.get_ref<const std::string&>());
    case nlohmann::json::value_t::object: {
      nlohmann::json out = nlohmann::json::object();
      for (auto it = value.begin(); it != value.end(); ++it) out[ValidUtf8(it.key())] = SanitizeJson(it.value());
      return out;
    }
    case nlohmann::json::value_t::array: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : value) out.push_back(SanitizeJson(item));
      return out;
    }
    default:
      return value;
  }
}

absl::StatusOr<std::string> RenderData(const nlohmann::json& value, const std::string& format) {
  return skein::format::Render(SanitizeJson(value), format);
}

}  // namespace skein::cli::output
