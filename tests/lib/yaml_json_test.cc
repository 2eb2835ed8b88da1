// The one YAML→JSON conversion (lib/format/yaml_json.h): each row is a plain scalar as each
// reader types it. kJuju/kKubernetes rows are Go's gopkg.in/yaml.v2 decoding into interface{}
// (what Juju's CLI and the Kubernetes API read), kPython rows are PyYAML's safe_load; kText keeps
// the text (bundles and config files, typed later by a schema).

#include "lib/format/yaml_json.h"

#include <cstdint>
#include <limits>
#include <string>

#include "gtest/gtest.h"
#include "lib/format/output.h"

namespace skein::format {
namespace {

using nlohmann::json;

struct Row {
  std::string yaml;  // the value as written after `v: `
  json text;
  json juju;    // also kKubernetes
  json python;
};

class DialectTest : public ::testing::TestWithParam<Row> {};

json Read(const std::string& yaml, YamlDialect dialect) {
  auto doc = YamlToJson("v: " + yaml + "\n", dialect);
  EXPECT_TRUE(doc.ok()) << yaml << ": " << doc.status();
  return doc.ok() ? (*doc)["v"] : json("<error>");
}

// Compares type and value: json's == takes 1 and 1.0 for equal.
void ExpectSame(const json& got, const json& want, const std::string& what) {
  EXPECT_EQ(got.type_name(), std::string(want.type_name())) << what << ": got " << got.dump();
  EXPECT_EQ(got, want) << what;
}

TEST_P(DialectTest, TypesPlainScalarsAsItsReaderDoes) {
  const Row& row = GetParam();
  ExpectSame(Read(row.yaml, YamlDialect::kText), row.text, row.yaml + " (text)");
  ExpectSame(Read(row.yaml, YamlDialect::kJuju), row.juju, row.yaml + " (juju)");
  ExpectSame(Read(row.yaml, YamlDialect::kKubernetes), row.juju, row.yaml + " (kubernetes)");
  ExpectSame(Read(row.yaml, YamlDialect::kPython), row.python, row.yaml + " (python)");
}

INSTANTIATE_TEST_SUITE_P(
    Table, DialectTest,
    ::testing::Values(
        // Booleans: YAML 1.1 in both; y/n only in Go's yaml.v2; case matters.
        Row{"yes", "yes", true, true}, Row{"on", "on", true, true}, Row{"Off", "Off", false, false},
        Row{"y", "y", true, "y"}, Row{"N", "N", false, "N"}, Row{"true", "true", true, true},
        Row{"tRUE", "tRUE", "tRUE", "tRUE"},
        // Null: yaml-cpp reads these as null nodes, so every dialect does.
        Row{"~", nullptr, nullptr, nullptr}, Row{"null", nullptr, nullptr, nullptr},
        Row{"", nullptr, nullptr, nullptr},
        // Integers: Go's base prefixes and leading-0 octal; PyYAML's YAML 1.1 forms.
        Row{"42", "42", 42, 42}, Row{"+5", "+5", 5, 5}, Row{"0o17", "0o17", 15, "0o17"},
        Row{"017", "017", 15, 15}, Row{"0x1F", "0x1F", 31, 31}, Row{"-0x10", "-0x10", -16, -16},
        Row{"0b101", "0b101", 5, 5}, Row{"1_000", "1_000", 1000, 1000}, Row{"08", "08", 8.0, "08"},
        Row{"1:30", "1:30", "1:30", 90},
        Row{"18446744073709551615", "18446744073709551615", std::numeric_limits<uint64_t>::max(),
            18446744073709551615.0},
        // Floats: PyYAML needs a point (and a signed exponent); Go does not.
        Row{"1e3", "1e3", 1000.0, "1e3"}, Row{"1.0e+3", "1.0e+3", 1000.0, 1000.0}, Row{"1.5", "1.5", 1.5, 1.5},
        Row{"1.", "1.", 1.0, 1.0}, Row{".5", ".5", 0.5, 0.5}, Row{"-.5", "-.5", -0.5, "-.5"},
        Row{"1e400", "1e400", "1e400", "1e400"},
        // Kept as text: infinities (JSON has none) and timestamps (JSON has no time type).
        Row{".inf", ".inf", ".inf", ".inf"}, Row{"2026-01-01", "2026-01-01", "2026-01-01", "2026-01-01"},
        // Quoted, block and !!str scalars are strings whatever they say.
        Row{"'yes'", "yes", "yes", "yes"}, Row{"\"0x1F\"", "0x1F", "0x1F", "0x1F"},
        Row{"!!str 42", "42", "42", "42"}, Row{"|\n  on\n", "on\n", "on\n", "on\n"},
        Row{"plain text", "plain text", "plain text", "plain text"}));

TEST(YamlJsonTest, ResolversKnowWhatTheyKeepAsTextIsNotAString) {
  // A writer must quote these although the readers above hand them over as text.
  for (YamlDialect d : {YamlDialect::kJuju, YamlDialect::kKubernetes, YamlDialect::kPython}) {
    EXPECT_TRUE(PlainScalarIsRetyped("2026-01-01", d));
    EXPECT_TRUE(PlainScalarIsRetyped(".inf", d));
    EXPECT_TRUE(PlainScalarIsRetyped("", d));
    EXPECT_FALSE(PlainScalarIsRetyped("mysql", d));
  }
  EXPECT_TRUE(PlainScalarIsRetyped("=", YamlDialect::kPython));
  EXPECT_FALSE(PlainScalarIsRetyped("=", YamlDialect::kJuju));
  EXPECT_FALSE(PlainScalarIsRetyped("yes", YamlDialect::kText));
}

TEST(YamlJsonTest, KeysStayTextAndOrderIsKeptWhenAsked) {
  auto doc = YamlToOrderedJson("z: 1\nyes: 2\n1: on\n", YamlDialect::kJuju);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->dump(), R"({"z":1,"yes":2,"1":true})");
  auto docs = YamlDocumentsToOrderedJson("a: y\n---\nb: 0o17\n", YamlDialect::kKubernetes);
  ASSERT_TRUE(docs.ok()) << docs.status();
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[0].dump(), R"({"a":true})");
  EXPECT_EQ((*docs)[1].dump(), R"({"b":15})");
}

TEST(YamlJsonTest, SyntaxErrorsNameTheLine) {
  EXPECT_EQ(YamlToJson("a: [1\n", YamlDialect::kText).status().message(),
            "cannot parse YAML: yaml: line 2, column 1: end of sequence flow not found");
}

TEST(YamlJsonTest, JujuOutputQuotesWhatYamlV2WouldRetype) {
  // Each reads back as the string it was; before, 1_000 and 0b101 came back as numbers.
  for (const std::string text : {"1_000", "0b101", "2026-01-01", "y", "0o17", "017", "1e3", "+5", ".5", "~", "on",
                                 "tRUE", "1:30", "plain"}) {
    json v = {{"k", text}};
    auto back = YamlToJson(ToYaml(v), YamlDialect::kJuju);
    ASSERT_TRUE(back.ok()) << ToYaml(v);
    EXPECT_EQ((*back)["k"], text) << ToYaml(v);
  }
  EXPECT_EQ(ToYaml(json{{"k", "1_000"}}), "k: '1_000'\n");
  // A time prints plain, as Juju prints a time.Time (status `since`).
  EXPECT_EQ(ToYaml(json{{"since", "2024-05-01T10:00:00Z"}}), "since: 2024-05-01T10:00:00Z\n");
  EXPECT_EQ(ToYaml(json{{"k", "tRUE"}}), "k: tRUE\n");
}

TEST(YamlJsonTest, KubernetesOutputReadsBackInEveryReader) {
  for (const std::string text : {"1_000", "1:30", "=", "2026-01-01", "y", "0o17", "1e3", "-.5", "yes"}) {
    nlohmann::ordered_json v = {{"k", text}};
    for (YamlDialect d : {YamlDialect::kKubernetes, YamlDialect::kPython}) {
      auto back = YamlToOrderedJson(OrderedToYaml(v), d);
      ASSERT_TRUE(back.ok()) << OrderedToYaml(v);
      EXPECT_EQ((*back)["k"], text) << OrderedToYaml(v);
    }
  }
}

}  // namespace
}  // namespace skein::format
