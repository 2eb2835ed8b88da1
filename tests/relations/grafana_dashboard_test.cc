// The `grafana_dashboard` interface library against charms.grafana_k8s.v0.grafana_dashboard
// (kubeflow-catalog §4.5). Every expected string below was produced once by CPython 3.11 with
// lzma, base64, hashlib and json (the calls are quoted next to each), so that what skein's
// charms write is what grafana-k8s reads and what it answers is what a provider expects.

#include "relations/interfaces/grafana_dashboard.h"

#include <cstdint>
#include <regex>
#include <string>

#include "gtest/gtest.h"
#include "relations/interfaces/python_dump.h"

namespace skein::relations::interfaces::grafana_dashboard {
namespace {

using nlohmann::ordered_json;

// d1 = '{"title": "MLflow", "panels": []}'
const char kDashboard1[] = R"({"title": "MLflow", "panels": []})";
// base64.b64encode(lzma.compress(d1.encode())).decode()
const char kDashboard1Xz[] =
    "/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAQAgeyJ0aXRsZSI6ICJNTGZsb3ciLCAicGFuZWxzIjogW119AAAAAJpj0V8g/"
    "VkmAAE5Ic8oa2IftvN9AQAAAAAEWVo=";

// A multi-line dashboard with a non-ASCII title and its own uid.
const char kDashboard2[] =
    "{\n  \"title\": \"Kubeflow \u00e9\",\n  \"uid\": \"kf\",\n  \"panels\": [{\"type\": \"graph\", \"targets\": "
    "[{\"expr\": \"up{job=\\\"x\\\"}\"}]}]\n}\n";
const char kDashboard2Xz[] =
    "/Td6WFoAAATm1rRGAgAhARYAAAB0L+Wj4AB0AGBdAD2CgBccMYzJiG5X2O9GGcPZiuHmNRMJTNIw707+8f8FyxkBw8UNDf9ovqw9EySa//"
    "EXR31T57IMEJkswjZdv9jdPj6G3Jh0wsS8Ax5W5XrXk1VfLhXM7t/k4VaaKKgowADoyz4iw+BqtgABfHViBmODH7bzfQEAAAAABFla";

const Topology kTopology{"kubeflow", "8a4a7f3e-5a6b-4c1d-9e2f-0123456789ab", "mlflow-server", "mlflow-server/0"};
const char kUuid[] = "0c8e6a5e-3f2b-4b7a-9d11-5a2c7e9f4b10";

std::vector<Dashboard> TwoDashboards() {
  return {{"file:mlflow-server.json", kDashboard1}, {"file:other", kDashboard2}};
}

TEST(GrafanaDashboardTest, FileIdsAreTheFileStem) {
  // "file:" + pathlib.Path(name).stem
  EXPECT_EQ(DashboardIdForFile("mlflow-server.json.tmpl"), "file:mlflow-server.json");
  EXPECT_EQ(DashboardIdForFile("generic.json.tmpl"), "file:generic.json");
  EXPECT_EQ(DashboardIdForFile("src/grafana_dashboards/a.json"), "file:a");
  EXPECT_EQ(DashboardIdForFile(".hidden"), "file:.hidden");
  EXPECT_EQ(DashboardIdForFile("x."), "file:x.");
  EXPECT_EQ(DashboardIdForFile("plain"), "file:plain");
}

TEST(GrafanaDashboardTest, AltUidIsShake256OfCharmAndId) {
  // hashlib.shake_256(b"mlflow-server-file:mlflow-server.json").hexdigest(8)
  EXPECT_EQ(AltUid("mlflow-server", "file:mlflow-server.json"), "9eb6f1da1205c5b9");
  // hashlib.shake_256(b"kubeflow-dashboard-file:generic.json").hexdigest(8)
  EXPECT_EQ(AltUid("kubeflow-dashboard", "file:generic.json"), "398bd78800e677c0");
  EXPECT_EQ(AltUid("mlflow-server", "file:other"), "673e7df63adbafd3");
}

TEST(GrafanaDashboardTest, CompressIsPythonLzmaByteForByte) {
  EXPECT_EQ(LzmaBase64Compress(kDashboard1), kDashboard1Xz);
  EXPECT_EQ(LzmaBase64Compress(kDashboard2), kDashboard2Xz);
  auto back = LzmaBase64Decompress(kDashboard1Xz);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, kDashboard1);
  back = LzmaBase64Decompress(LzmaBase64Compress(kDashboard2));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, kDashboard2);
}

// A dashboard of 42208 bytes, 992 once compressed: the decoder goes round its output buffer
// several times. json.dumps({"title": "big", "panels": [{"id": i, "type": "graph", "targets":
// [{"expr": 'rate(mlflow_requests_total{instance="%d"}[5m])' % i}]} for i in range(400)]})
std::string BigDashboard() {
  ordered_json panels = ordered_json::array();
  for (int i = 0; i < 400; ++i) {
    ordered_json target = ordered_json::object();
    target["expr"] = "rate(mlflow_requests_total{instance=\"" + std::to_string(i) + "\"}[5m])";
    ordered_json panel = ordered_json::object();
    panel["id"] = i;
    panel["type"] = "graph";
    panel["targets"] = ordered_json::array({target});
    panels.push_back(panel);
  }
  ordered_json d = ordered_json::object();
  d["title"] = "big";
  d["panels"] = panels;
  return PythonJsonDumps(d);
}

// base64.b64encode(lzma.compress(BigDashboard().encode())).decode()
const char kBigDashboardXz[] =
    "/Td6WFoAAATm1rRGAgAhARYAAAB0L+Wj4KTfA51dAD2IiobUVOndN3jT8hDKMuz8EZFglSbmBJ6U8qk84SOxIJxeki9LSJA3Yz2lkGNJnAPu"
    "k50KKLvy16HsOljVvE3XpPoTxRrm6XXwo2oyrt/BFEsUvaCIkZM+Oa8ha94tNHvYTYJeGhcrhVbElPT6c8ToWck2OjYPvDUJa68GKg8gNuyU"
    "KyMCzt5C5QbILNdjsYN/3pr7wdB7NHkZLSdjnlj1oXVm/reMnFWFyVK1HfG+RZhcK1vjnk5+qFyrSLU3tFQ2+4bKsiZeNAf/a0s9YdNe6MOl"
    "cROvo5HgjGyshLu/GDD+YWltrSCR+6VMOoG5XATPDMMrX/8mZJvFw8rJMp71bawNT2JT7L7aOhDVMmcJ5QunuGnqZb568ZlCosB/+xz+Skr3"
    "mJ5tuBpSlmoBMRiaOBOBqFWI/ZCS3GOyu7reVAE8ZQEPeUJhKJRPLI0s0B/H4iPovT+NJIgkWzlM+GqCBRvdDcLjj9eWoL2vK81gN2qFg+QD"
    "I2la17RUbQka19fctJxF15wsFcw88AoCMlS4HmppoRVhDwSfcika4+H8jcAOIqOGjpYy1+6SIm0nxkdQUCK1mi/XfhT646v82Nn1el6IIADp"
    "zcupKa//vt1Vg4Age1uI8o5xXvErm4bCVYLtZ6uawvDOPeIK2e3pQT0LduSBOrUmfrAxN89p7n4vXKJPb+eComhyhRZLtbxb0RDeqkzbc0qv"
    "Z3043qkMdwMgztSZdXn3IJVAJBqC22vaIGa+mu/3wGKt2SSoSBhqkNj/isfkAK2RAVZPXm1bDuSUN4dSH5WjPRnp9INWNA9TMutA/zjlloow"
    "c6F/E/0I/rYNLOzN2iHjlGgkT89wyBg95cEgiDNwKSJBbdPAzN4FS2wcSij9M8h4MoPZRJA3NQS3RzSwlbVdD7L6EzDQxHKvuVtvxfkSoPSK"
    "UWskM9NhwBWdKfoAt+Km31ydFdZOOEi7wfrAAcXei3MS80heIhKzIQDByl5T/TMVLzhSaSYov6NKhhc2D0GbjfBuQ3tXHycLpQGtDmp5mWRT"
    "BCXm3kjLqhfYUatJh+OaOYROkWOjT96N5MPdEYw9ScRU3QzUnclNQofAgQuxtUbANPqzndWB+u0Ook38wvo6vxI0CXUJRf29sJRek737/cgM"
    "R02SEOzYoDmR+jqkT1GinuzBrXvl4NEP7uYKmLNSvGEu/uD6joJuuQ2wa3irs3qbURE8DNKAqk9k9WR2QwP48dwAAAAArTIc5yttAhoAAbkH"
    "4MkCAAXEhzaxxGf7AgAAAAAEWVo=";

TEST(GrafanaDashboardTest, LargeInputsMatchPythonToo) {
  // 30000 bytes of an LCG (x = (x * 1103515245 + 12345) % 2**31, byte = (x >> 16) & 0xff, x
  // starting at 1): incompressible, so the encoder output spans several buffers as well.
  std::string noise;
  uint64_t x = 1;
  for (int i = 0; i < 30000; ++i) {
    x = (x * 1103515245 + 12345) % (uint64_t{1} << 31);
    noise.push_back(static_cast<char>((x >> 16) & 0xff));
  }
  const std::string encoded = LzmaBase64Compress(noise);
  ASSERT_EQ(encoded.size(), 40080u);
  EXPECT_EQ(encoded.substr(0, 120),
            "/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAXUvxn6Ba0v74vtU9r3ffBzhhwG/Md5Wcg9HZ2aHWaqIPFnqVhN70oWh2DxUVS83rmVb2gJ5mMzjGnaOX9mZjx8/");
  EXPECT_EQ(encoded.substr(encoded.size() - 120),
            "JJI2hY7uJd3Q3Tj1fcNRrTHVBF1MG63GbkhNurM6KYurTyE1IG3RS4fQaaJCkk2/m/xsAIGPYI0AABjJUOWs5jd1AAHI6gGw6gH/Jf7yscRn+wIAAAAABFla");
  auto back = LzmaBase64Decompress(encoded);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, noise);

  const std::string big = BigDashboard();
  ASSERT_EQ(big.size(), 42208u);
  EXPECT_EQ(LzmaBase64Compress(big), kBigDashboardXz);
  back = LzmaBase64Decompress(kBigDashboardXz);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, big);
}

TEST(GrafanaDashboardTest, DecompressReadsWhatPythonWrites) {
  // base64.b64encode(lzma.compress(b"ab") + lzma.compress(b"cd") + b"garbage"): lzma.decompress
  // joins the streams and ignores the garbage after them.
  auto concat = LzmaBase64Decompress(
      "/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAQABYWIAAABGsIQOIHNlvAABGgLcLqV+H7bzfQEAAAAABFla/Td6WFoAAATm1rRGAgAhARYAAAB0L+"
      "WjAQABY2QAAAA0rOrg13XjmgABGgLcLqV+H7bzfQEAAAAABFlaZ2FyYmFnZQ==");
  ASSERT_TRUE(concat.ok()) << concat.status();
  EXPECT_EQ(*concat, "abcd");
  // lzma.compress(b"legacy", format=lzma.FORMAT_ALONE): FORMAT_AUTO reads the old .lzma format.
  auto legacy = LzmaBase64Decompress("XQAAgAD//////////wA2GUkpepqL3jKf//1HAAA=");
  ASSERT_TRUE(legacy.ok()) << legacy.status();
  EXPECT_EQ(*legacy, "legacy");
  // base64.b64decode skips characters outside the alphabet, such as the line breaks some tools add.
  std::string wrapped = kDashboard1Xz;
  wrapped.insert(40, "\n");
  wrapped.insert(80, "\r\n");
  auto read = LzmaBase64Decompress(wrapped);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, kDashboard1);
}

TEST(GrafanaDashboardTest, DecompressErrorsSayWhichLayerAndArePythonsMessages) {
  auto expect_error = [](const std::string& encoded, const std::string& message) {
    auto r = LzmaBase64Decompress(encoded);
    ASSERT_FALSE(r.ok()) << encoded;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(r.status().message()), message) << encoded;
  };
  // binascii.Error from base64.b64decode(s)
  expect_error("QUJDRA", "content is not base64: Incorrect padding");
  expect_error("QUJDR",
               "content is not base64: Invalid base64-encoded string: number of data characters (5) cannot be 1 "
               "more than a multiple of 4");
  // lzma.LZMAError from lzma.decompress(base64.b64decode(s))
  expect_error("aGVsbG8gd29ybGQ=", "content is not xz data: Input format not supported by decoder");  // b"hello world"
  expect_error("/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAQAgeyJ0",  // the first 30 bytes of kDashboard1Xz's xz
               "content is not xz data: Compressed data ended before the end-of-stream marker was reached");
  expect_error("", "content is not xz data: Compressed data ended before the end-of-stream marker was reached");
  // kDashboard1Xz's xz with byte 14 (block header) flipped, and with byte 30 (data) xor 0x55.
  expect_error(
      "/Td6WFoAAATm1rRGAgDeARYAAAB0L+WjAQAgeyJ0aXRsZSI6ICJNTGZsb3ciLCAicGFuZWxzIjogW119AAAAAJpj0V8g/"
      "VkmAAE5Ic8oa2IftvN9AQAAAAAEWVo=",
      "content is not xz data: Corrupt input data");
  expect_error(
      "/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAQAgeyJ0PHRsZSI6ICJNTGZsb3ciLCAicGFuZWxzIjogW119AAAAAJpj0V8g/"
      "VkmAAE5Ic8oa2IftvN9AQAAAAAEWVo=",
      "content is not xz data: Corrupt input data");
  // Python reads "QU=JD" as b"ABC" (a lone "=" is skipped), not as a base64 error; three bytes
  // are too few for the xz magic, so liblzma waits for more and the data ends first.
  expect_error("QU=JD", "content is not xz data: Compressed data ended before the end-of-stream marker was reached");
}

TEST(GrafanaDashboardTest, NewUuid4HasTheUuid4Form) {
  const std::regex form("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  const std::string a = NewUuid4();
  const std::string b = NewUuid4();
  EXPECT_TRUE(std::regex_match(a, form)) << a;
  EXPECT_TRUE(std::regex_match(b, form)) << b;
  EXPECT_NE(a, b);
}

TEST(GrafanaDashboardTest, ProviderAppBagIsWhatUpstreamWrites) {
  // json.dumps({"templates": {id: {"charm", "content", "juju_topology", "inject_dropdowns",
  // "dashboard_alt_uid"}, ...}, "uuid": uuid}) as _upset_dashboards_on_relation writes it.
  auto bag = ProviderAppBag("mlflow-server", kTopology, TwoDashboards(), true, kUuid);
  ASSERT_EQ(bag.size(), 1u);
  EXPECT_EQ(
      bag.at("dashboards"),
      R"({"templates": {"file:mlflow-server.json": {"charm": "mlflow-server", "content": "/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAQAgeyJ0aXRsZSI6ICJNTGZsb3ciLCAicGFuZWxzIjogW119AAAAAJpj0V8g/VkmAAE5Ic8oa2IftvN9AQAAAAAEWVo=", "juju_topology": {"model": "kubeflow", "model_uuid": "8a4a7f3e-5a6b-4c1d-9e2f-0123456789ab", "application": "mlflow-server", "unit": "mlflow-server/0"}, "inject_dropdowns": true, "dashboard_alt_uid": "9eb6f1da1205c5b9"}, "file:other": {"charm": "mlflow-server", "content": "/Td6WFoAAATm1rRGAgAhARYAAAB0L+Wj4AB0AGBdAD2CgBccMYzJiG5X2O9GGcPZiuHmNRMJTNIw707+8f8FyxkBw8UNDf9ovqw9EySa//EXR31T57IMEJkswjZdv9jdPj6G3Jh0wsS8Ax5W5XrXk1VfLhXM7t/k4VaaKKgowADoyz4iw+BqtgABfHViBmODH7bzfQEAAAAABFla", "juju_topology": {"model": "kubeflow", "model_uuid": "8a4a7f3e-5a6b-4c1d-9e2f-0123456789ab", "application": "mlflow-server", "unit": "mlflow-server/0"}, "inject_dropdowns": true, "dashboard_alt_uid": "673e7df63adbafd3"}}, "uuid": "0c8e6a5e-3f2b-4b7a-9d11-5a2c7e9f4b10"})");
}

TEST(GrafanaDashboardTest, ProviderAppBagWithoutDropdownsHasEmptyTopology) {
  auto bag = ProviderAppBag("mlflow-server", kTopology, TwoDashboards(), false, kUuid);
  EXPECT_EQ(
      bag.at("dashboards"),
      R"({"templates": {"file:mlflow-server.json": {"charm": "mlflow-server", "content": "/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAQAgeyJ0aXRsZSI6ICJNTGZsb3ciLCAicGFuZWxzIjogW119AAAAAJpj0V8g/VkmAAE5Ic8oa2IftvN9AQAAAAAEWVo=", "juju_topology": {}, "inject_dropdowns": false, "dashboard_alt_uid": "9eb6f1da1205c5b9"}, "file:other": {"charm": "mlflow-server", "content": "/Td6WFoAAATm1rRGAgAhARYAAAB0L+Wj4AB0AGBdAD2CgBccMYzJiG5X2O9GGcPZiuHmNRMJTNIw707+8f8FyxkBw8UNDf9ovqw9EySa//EXR31T57IMEJkswjZdv9jdPj6G3Jh0wsS8Ax5W5XrXk1VfLhXM7t/k4VaaKKgowADoyz4iw+BqtgABfHViBmODH7bzfQEAAAAABFla", "juju_topology": {}, "inject_dropdowns": false, "dashboard_alt_uid": "673e7df63adbafd3"}}, "uuid": "0c8e6a5e-3f2b-4b7a-9d11-5a2c7e9f4b10"})");
  // No dashboards still writes the key: upstream sends {"templates": {}} so that Grafana drops
  // the ones it had.
  EXPECT_EQ(ProviderAppBag("mlflow-server", kTopology, {}, true, kUuid).at("dashboards"),
            R"({"templates": {}, "uuid": "0c8e6a5e-3f2b-4b7a-9d11-5a2c7e9f4b10"})");
}

TEST(GrafanaDashboardTest, ConsumerReadsTheProviderBag) {
  auto received = ConsumerDashboards(ProviderAppBag("mlflow-server", kTopology, TwoDashboards(), true, NewUuid4()));
  ASSERT_TRUE(received.ok()) << received.status();
  ASSERT_EQ(received->size(), 2u);
  const auto& first = (*received)[0];
  EXPECT_EQ(first.id, "file:mlflow-server.json");
  EXPECT_EQ(first.charm, "mlflow-server");
  EXPECT_EQ(first.error, "");
  // grafana-k8s's _manage_dashboard_uid: no uid in the dashboard, so it takes the alt uid.
  EXPECT_EQ(first.content, ordered_json::parse(R"({"title": "MLflow", "panels": [], "uid": "9eb6f1da1205c5b9"})"));
  const auto& second = (*received)[1];
  EXPECT_EQ(second.id, "file:other");
  EXPECT_EQ(second.error, "");
  EXPECT_EQ(second.content["uid"], "kf");
  EXPECT_EQ(second.content["title"], "Kubeflow \u00e9");
  EXPECT_EQ(second.content["panels"][0]["targets"][0]["expr"], "up{job=\"x\"}");
  EXPECT_EQ(ConsumerEventBag(*received), (std::map<std::string, std::string>{{"event", ""}}));
}

TEST(GrafanaDashboardTest, ConsumerReportsInvalidTemplatesAsUpstreamDoes) {
  // The xz failures are the ones grafana-k8s reports; the event is byte for byte its
  // json.dumps({"errors": [{"dashboard_id": ..., "error": str(e)}, ...]}).
  const std::string dashboards =
      std::string(R"({"templates": {"file:good": {"charm": "mlflow-server", "content": ")") + kDashboard1Xz +
      R"(", "dashboard_alt_uid": "9eb6f1da1205c5b9"}, "file:bad-xz": {"charm": "mlflow-server", "content": "aGVsbG8gd29ybGQ="}, )"
      R"("file:truncated": {"charm": "mlflow-server", "content": "/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAQAgeyJ0"}}, "uuid": "x"})";
  auto received = ConsumerDashboards({{"dashboards", dashboards}});
  ASSERT_TRUE(received.ok()) << received.status();
  ASSERT_EQ(received->size(), 3u);
  EXPECT_EQ((*received)[0].error, "");
  EXPECT_EQ((*received)[1].id, "file:bad-xz");
  EXPECT_EQ((*received)[1].error, "Input format not supported by decoder");
  EXPECT_EQ((*received)[2].error, "Compressed data ended before the end-of-stream marker was reached");
  EXPECT_EQ(
      ConsumerEventBag(*received).at("event"),
      R"({"errors": [{"dashboard_id": "file:bad-xz", "error": "Input format not supported by decoder"}, {"dashboard_id": "file:truncated", "error": "Compressed data ended before the end-of-stream marker was reached"}]})");
}

TEST(GrafanaDashboardTest, ConsumerReportsWhatUpstreamWouldCrashOnOrSkip) {
  // lzma.compress(b"not json") and lzma.compress(b"[1, 2]"), both base64-encoded.
  const std::string dashboards =
      R"({"templates": {"file:b64": {"charm": "c", "content": "QUJDR"}, )"
      R"("file:text": {"charm": "c", "content": "/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAQAHbm90IGpzb24AtGBcCyy5XlAAASAIuxnZux+2830BAAAAAARZWg=="}, )"
      R"("file:list": {"charm": "c", "content": "/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAQAFWzEsIDJdAAAAx5B7mYKNmroAAR4GwS+kHR+2830BAAAAAARZWg=="}, )"
      R"("file:none": {"charm": "c"}, "file:scalar": 5}})";
  auto received = ConsumerDashboards({{"dashboards", dashboards}});
  ASSERT_TRUE(received.ok()) << received.status();
  ASSERT_EQ(received->size(), 5u);
  EXPECT_EQ((*received)[0].error,
            "content is not base64: Invalid base64-encoded string: number of data characters (5) cannot be 1 more "
            "than a multiple of 4");
  EXPECT_EQ((*received)[1].error.rfind("content is not JSON: parse error at line 1, column 2", 0), 0u)
      << (*received)[1].error;
  EXPECT_EQ((*received)[2].error, "content is not a JSON object");
  EXPECT_EQ((*received)[3].error, "template has no content string");
  EXPECT_EQ((*received)[4].error, "template is not a JSON object");
  auto event = ordered_json::parse(ConsumerEventBag(*received).at("event"));
  ASSERT_EQ(event["errors"].size(), 5u);
  EXPECT_EQ(event["errors"][3], ordered_json::parse(R"({"dashboard_id": "file:none", "error": "template has no content string"})"));
}

TEST(GrafanaDashboardTest, ConsumerRejectsMissingOrMalformedBags) {
  EXPECT_EQ(ConsumerDashboards({}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ConsumerDashboards({{"dashboards", ""}}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ConsumerDashboards({{"dashboards", "{not json"}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsumerDashboards({{"dashboards", "[]"}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsumerDashboards({{"dashboards", R"({"uuid": "x"})"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsumerDashboards({{"dashboards", R"({"templates": [], "uuid": "x"})"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto empty = ConsumerDashboards({{"dashboards", R"({"templates": {}, "uuid": "x"})"}});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(ConsumerEventBag(*empty).at("event"), "");
}

}  // namespace
}  // namespace skein::relations::interfaces::grafana_dashboard
