#include "agents/unit/hook/tools/output.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/format/output.h"

namespace skein::agent::tools {

class Output::FormatValue : public FlagValue {
 public:
  FormatValue(std::string initial, std::vector<std::string> formats)
      : name_(std::move(initial)), formats_(std::move(formats)) {
    std::sort(formats_.begin(), formats_.end());
  }
  absl::Status Set(const std::string& text) override {
    if (std::find(formats_.begin(), formats_.end(), text) == formats_.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown format ", GoQuote(text)));
    }
    name_ = text;
    return absl::OkStatus();
  }
  std::string String() const override { return name_; }
  std::string Doc() const { return absl::StrCat("Specify output format (", absl::StrJoin(formats_, "|"), ")"); }

 private:
  std::string name_;
  std::vector<std::string> formats_;
};

namespace {

// Go prints float64 values without a fraction as integers (`3`, not `3.0`) in JSON and YAML; a
// charm reading config through ops would otherwise see a float where Juju gives it an int.
nlohmann::json Normalize(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object: {
      nlohmann::json out = nlohmann::json::object();
      for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = Normalize(it.value());
      return out;
    }
    case nlohmann::json::value_t::array: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& i : v) out.push_back(Normalize(i));
      return out;
    }
    case nlohmann::json::value_t::number_float: {
      double d = v.get<double>();
      if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 1e15) return static_cast<int64_t>(d);
      return v;
    }
    case nlohmann::json::value_t::string: {
      // Round-trip through dump with replacement to turn invalid UTF-8 into U+FFFD, as Go does.
      const std::string& s = v.get_ref<const std::string&>();
      bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
      if (ascii) return v;
      return nlohmann::json::parse(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    default:
      return v;
  }
}

absl::Status WriteFile(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  auto go_error = [&](const char* op, int err) {
    std::string why = strerror(err);
    if (!why.empty()) why[0] = static_cast<char>(tolower(static_cast<unsigned char>(why[0])));
    return absl::InternalError(absl::StrCat(op, " ", path, ": ", why));
  };
  if (fd < 0) return go_error("open", errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return go_error("write", err);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return go_error("close", errno);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> RenderValue(const nlohmann::json& value, const std::string& format) {
  try {
    nlohmann::json v = Normalize(value);
    if (format == "json") return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    return format::Render(v, format);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("cannot format output: ", e.what()));
  }
}

void Output::AddFlags(FlagSet& flags, const std::string& default_format, std::vector<std::string> formats) {
  format_ = std::make_shared<FormatValue>(default_format, std::move(formats));
  flags.Var(format_, {"format"}, format_->Doc());
  flags.StringVar(&out_path_, {"o", "output"}, "Specify an output file");
}

std::string Output::Name() const { return format_->String(); }

absl::Status Output::Write(RunContext& ctx, const nlohmann::json& value) {
  absl::StatusOr<std::string> text = RenderValue(value, Name());
  if (!text.ok()) return text.status();
  if (out_path_.empty()) {
    ctx.out() += *text;
    return absl::OkStatus();
  }
  return WriteFile(ctx.AbsPath(out_path_), *text);
}

}  // namespace skein::agent::tools
