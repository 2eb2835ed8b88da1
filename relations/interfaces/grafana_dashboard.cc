#include "relations/interfaces/grafana_dashboard.h"

#include <lzma.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "relations/interfaces/python_dump.h"

namespace skein::relations::interfaces::grafana_dashboard {
namespace {

using nlohmann::ordered_json;

// Why a decode failed. Upstream reports only xz failures back to the provider, with Python's
// own message, so the kind decides whether that message is written bare or prefixed.
enum class DecodeFailure { kNone, kBase64, kXz };

struct Decoded {
  DecodeFailure failure = DecodeFailure::kNone;
  std::string message;  // Python's exception text when failure is not kNone
  std::string bytes;
};

// Closes a liblzma stream on every return path.
struct LzmaStreamCloser {
  lzma_stream* stream;
  ~LzmaStreamCloser() { lzma_end(stream); }
};

// binascii.a2b_base64(data, strict_mode=False), which base64.b64decode uses by default: bytes
// outside the alphabet are skipped, and a complete pad sequence ends the data even when more
// follows. Reimplemented rather than taken from absl so that what Python accepts we accept, and
// the error texts are Python's.
Decoded PythonB64Decode(const std::string& ascii) {
  static const auto* table = [] {
    auto* t = new std::array<uint8_t, 256>();
    t->fill(0xff);
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < alphabet.size(); ++i) (*t)[static_cast<uint8_t>(alphabet[i])] = static_cast<uint8_t>(i);
    return t;
  }();
  Decoded out;
  int quad_pos = 0;
  int pads = 0;
  uint8_t left = 0;
  for (char c : ascii) {
    const auto ch = static_cast<uint8_t>(c);
    if (ch == '=') {
      if (quad_pos >= 2 && quad_pos + ++pads >= 4) return out;
      continue;
    }
    const uint8_t v = (*table)[ch];
    if (v >= 64) continue;
    pads = 0;
    switch (quad_pos) {
      case 0:
        quad_pos = 1;
        left = v;
        break;
      case 1:
        quad_pos = 2;
        out.bytes.push_back(static_cast<char>((left << 2) | (v >> 4)));
        left = v & 0x0f;
        break;
      case 2:
        quad_pos = 3;
        out.bytes.push_back(static_cast<char>((left << 4) | (v >> 2)));
        left = v & 0x03;
        break;
      default:
        quad_pos = 0;
        out.bytes.push_back(static_cast<char>((left << 6) | v));
        left = 0;
        break;
    }
  }
  if (quad_pos == 1) {
    out.failure = DecodeFailure::kBase64;
    out.message = absl::StrCat("Invalid base64-encoded string: number of data characters (",
                               out.bytes.size() / 3 * 4 + 1, ") cannot be 1 more than a multiple of 4");
  } else if (quad_pos != 0) {
    out.failure = DecodeFailure::kBase64;
    out.message = "Incorrect padding";
  }
  return out;
}

// The LZMAError texts of CPython's _lzma module (catch_lzma_error), so that the errors we send
// back read as the ones grafana-k8s sends.
std::string PythonLzmaMessage(lzma_ret ret) {
  switch (ret) {
    case LZMA_UNSUPPORTED_CHECK: return "Unsupported integrity check";
    case LZMA_MEM_ERROR: return "Out of memory";
    case LZMA_MEMLIMIT_ERROR: return "Memory usage limit exceeded";
    case LZMA_FORMAT_ERROR: return "Input format not supported by decoder";
    case LZMA_OPTIONS_ERROR: return "Invalid or unsupported options";
    case LZMA_DATA_ERROR: return "Corrupt input data";
    case LZMA_BUF_ERROR: return "Insufficient buffer space";
    case LZMA_PROG_ERROR: return "Internal error";
    default: return absl::StrCat("Unrecognized error from liblzma: ", static_cast<int>(ret));
  }
}

// One LZMADecompressor(FORMAT_AUTO).decompress(data) call: decodes a single stream from `in`,
// appending to `out`. Returns LZMA_STREAM_END with `*consumed` set when the stream ended,
// LZMA_OK when the input ran out first, or the liblzma error.
lzma_ret DecodeOneStream(const uint8_t* in, size_t size, std::string& out, size_t* consumed) {
  lzma_stream strm = LZMA_STREAM_INIT;
  // Python asks for LZMA_TELL_ANY_CHECK | LZMA_TELL_NO_CHECK and then treats both answers as
  // LZMA_OK; asking for neither decodes identically.
  lzma_ret ret = lzma_auto_decoder(&strm, UINT64_MAX, 0);
  if (ret != LZMA_OK) return ret;
  LzmaStreamCloser closer{&strm};
  strm.next_in = in;
  strm.avail_in = size;
  uint8_t buf[BUFSIZ];
  while (true) {
    strm.next_out = buf;
    strm.avail_out = sizeof buf;
    ret = lzma_code(&strm, LZMA_RUN);
    out.append(reinterpret_cast<const char*>(buf), sizeof buf - strm.avail_out);
    // No progress because the input is exhausted is not an error to Python either.
    if (ret == LZMA_BUF_ERROR && strm.avail_in == 0 && strm.avail_out > 0) ret = LZMA_OK;
    if (ret == LZMA_STREAM_END) {
      *consumed = size - strm.avail_in;
      return ret;
    }
    if (ret != LZMA_OK) return ret;
    if (strm.avail_in == 0 && strm.avail_out > 0) return LZMA_OK;
  }
}

// lzma.decompress(data): streams are decoded one after another; an error in the first one is
// reported, in a later one it ends the data (trailing garbage is ignored), and a stream that
// stops before its end marker is an error wherever it is.
Decoded PythonLzmaDecompress(const std::string& data) {
  Decoded out;
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t left = data.size();
  bool first = true;
  while (true) {
    size_t consumed = 0;
    const lzma_ret ret = DecodeOneStream(p, left, out.bytes, &consumed);
    if (ret != LZMA_OK && ret != LZMA_STREAM_END) {
      if (!first) return out;
      out.failure = DecodeFailure::kXz;
      out.message = PythonLzmaMessage(ret);
      return out;
    }
    if (ret != LZMA_STREAM_END) {
      out.failure = DecodeFailure::kXz;
      out.message = "Compressed data ended before the end-of-stream marker was reached";
      return out;
    }
    p += consumed;
    left -= consumed;
    first = false;
    if (left == 0) return out;
  }
}

Decoded DecodeContent(const std::string& encoded) {
  Decoded raw = PythonB64Decode(encoded);
  if (raw.failure != DecodeFailure::kNone) return raw;
  return PythonLzmaDecompress(raw.bytes);
}

// Python's truthiness, for `not dashboard.get("uid")`.
bool Falsy(const ordered_json& v) {
  return v.is_null() || (v.is_boolean() && !v.get<bool>()) || (v.is_number() && v == 0) ||
         (v.is_string() && v.get_ref<const std::string&>().empty()) || ((v.is_array() || v.is_object()) && v.empty());
}

ReceivedDashboard ReadTemplate(const std::string& id, const ordered_json& tmpl) {
  ReceivedDashboard d;
  d.id = id;
  if (!tmpl.is_object()) {
    d.error = "template is not a JSON object";
    return d;
  }
  if (tmpl.contains("charm") && tmpl["charm"].is_string()) d.charm = tmpl["charm"].get<std::string>();
  if (!tmpl.contains("content") || !tmpl["content"].is_string()) {
    d.error = "template has no content string";
    return d;
  }
  Decoded decoded = DecodeContent(tmpl["content"].get<std::string>());
  if (decoded.failure == DecodeFailure::kXz) {
    // Upstream writes str(LZMAError) as it is; keep the provider's view identical.
    d.error = decoded.message;
    return d;
  }
  if (decoded.failure == DecodeFailure::kBase64) {
    d.error = absl::StrCat("content is not base64: ", decoded.message);
    return d;
  }
  try {
    d.content = ordered_json::parse(decoded.bytes);
  } catch (const ordered_json::parse_error& e) {
    std::string what = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " tag; the rest says where and why.
    if (auto pos = what.find("] "); !what.empty() && what[0] == '[' && pos != std::string::npos) what.erase(0, pos + 2);
    d.error = absl::StrCat("content is not JSON: ", what);
    return d;
  }
  if (!d.content.is_object()) {
    d.error = "content is not a JSON object";
    d.content = nullptr;
    return d;
  }
  // grafana-k8s gives a dashboard without a uid the provider's alternative one, so that the
  // dashboard keeps its URL across reloads.
  if ((!d.content.contains("uid") || Falsy(d.content["uid"])) && tmpl.contains("dashboard_alt_uid")) {
    d.content["uid"] = tmpl["dashboard_alt_uid"];
  }
  return d;
}

}  // namespace

std::string DashboardIdForFile(const std::string& file_name) {
  std::string name = file_name.substr(file_name.rfind('/') == std::string::npos ? 0 : file_name.rfind('/') + 1);
  // Path.stem: a leading dot (hidden file) or a trailing one is not a suffix.
  const size_t dot = name.rfind('.');
  if (dot != std::string::npos && dot > 0 && dot < name.size() - 1) name.resize(dot);
  return absl::StrCat("file:", name);
}

std::string LzmaBase64Compress(const std::string& text) {
  // The streaming encoder, as Python's LZMACompressor uses: lzma_easy_buffer_encode writes the
  // block sizes into the block header and so gives different (equally valid) bytes.
  lzma_stream strm = LZMA_STREAM_INIT;
  if (lzma_easy_encoder(&strm, 6, LZMA_CHECK_CRC64) != LZMA_OK) throw std::runtime_error("lzma_easy_encoder failed");
  LzmaStreamCloser closer{&strm};
  std::string compressed;
  uint8_t buf[BUFSIZ];
  strm.next_in = reinterpret_cast<const uint8_t*>(text.data());
  strm.avail_in = text.size();
  // compress() feeds everything with LZMA_RUN, then flush() finishes with LZMA_FINISH.
  for (lzma_action action : {LZMA_RUN, LZMA_FINISH}) {
    while (true) {
      strm.next_out = buf;
      strm.avail_out = sizeof buf;
      const lzma_ret ret = lzma_code(&strm, action);
      compressed.append(reinterpret_cast<const char*>(buf), sizeof buf - strm.avail_out);
      if (ret == LZMA_STREAM_END) break;
      if (ret != LZMA_OK) throw std::runtime_error(absl::StrCat("lzma_code failed: ", PythonLzmaMessage(ret)));
      if (action == LZMA_RUN && strm.avail_in == 0) break;
    }
  }
  return absl::Base64Escape(compressed);
}

absl::StatusOr<std::string> LzmaBase64Decompress(const std::string& encoded) {
  Decoded d = DecodeContent(encoded);
  switch (d.failure) {
    case DecodeFailure::kBase64: return absl::InvalidArgumentError(absl::StrCat("content is not base64: ", d.message));
    case DecodeFailure::kXz: return absl::InvalidArgumentError(absl::StrCat("content is not xz data: ", d.message));
    case DecodeFailure::kNone: break;
  }
  return std::move(d.bytes);
}

std::string AltUid(const std::string& charm_name, const std::string& id) {
  const std::string raw = absl::StrCat(charm_name, "-", id);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char digest[8];
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_shake256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), raw.data(), raw.size()) != 1 ||
      EVP_DigestFinalXOF(ctx.get(), digest, sizeof digest) != 1) {
    throw std::runtime_error("SHAKE-256 failed");
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string NewUuid4() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("RAND_bytes failed");
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  const std::string hex = absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(b), sizeof b));
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-", hex.substr(16, 4), "-",
                      hex.substr(20));
}

std::map<std::string, std::string> ProviderAppBag(const std::string& charm_name, const Topology& t,
                                                  const std::vector<Dashboard>& dashboards, bool inject_dropdowns,
                                                  const std::string& uuid) {
  ordered_json topology = ordered_json::object();
  if (inject_dropdowns) {
    topology["model"] = t.model;
    topology["model_uuid"] = t.model_uuid;
    topology["application"] = t.application;
    topology["unit"] = t.unit;
  }
  ordered_json templates = ordered_json::object();
  for (const auto& d : dashboards) {
    // Key order as upstream's _content_to_dashboard_object builds the dict.
    ordered_json tmpl = ordered_json::object();
    tmpl["charm"] = charm_name;
    tmpl["content"] = LzmaBase64Compress(d.content);
    tmpl["juju_topology"] = topology;
    tmpl["inject_dropdowns"] = inject_dropdowns;
    tmpl["dashboard_alt_uid"] = AltUid(charm_name, d.id);
    templates[d.id] = std::move(tmpl);
  }
  ordered_json data = ordered_json::object();
  data["templates"] = std::move(templates);
  data["uuid"] = uuid;
  return {{"dashboards", PythonJsonDumps(data)}};
}

absl::StatusOr<std::vector<ReceivedDashboard>> ConsumerDashboards(
    const std::map<std::string, std::string>& remote_app_bag) {
  auto it = remote_app_bag.find("dashboards");
  // Upstream treats an empty value like a missing one: nothing has been provided yet.
  if (it == remote_app_bag.end() || it->second.empty()) return absl::NotFoundError("no dashboards in the app bag");
  const ordered_json data = ordered_json::parse(it->second, nullptr, false);
  if (data.is_discarded() || !data.is_object()) return absl::InvalidArgumentError("dashboards is not a JSON object");
  if (!data.contains("templates") || !data["templates"].is_object()) {
    return absl::InvalidArgumentError("dashboards has no templates object");
  }
  std::vector<ReceivedDashboard> out;
  for (const auto& [id, tmpl] : data["templates"].items()) out.push_back(ReadTemplate(id, tmpl));
  return out;
}

std::map<std::string, std::string> ConsumerEventBag(const std::vector<ReceivedDashboard>& received) {
  ordered_json errors = ordered_json::array();
  for (const auto& d : received) {
    if (d.error.empty()) continue;
    ordered_json e = ordered_json::object();
    e["dashboard_id"] = d.id;
    e["error"] = d.error;
    errors.push_back(std::move(e));
  }
  if (errors.empty()) return {{"event", ""}};
  ordered_json event = ordered_json::object();
  event["errors"] = std::move(errors);
  return {{"event", PythonJsonDumps(event)}};
}

}  // namespace skein::relations::interfaces::grafana_dashboard
