// lib/format/yaml_budget.h: every parse of untrusted YAML is refused, with the limit named,
// when it is too long, expands too far through aliases, nests too deep or makes the parser hold
// too much memory; a document within the budget loads and converts as before.

#include "lib/format/yaml_budget.h"

#include <string>

#include "gtest/gtest.h"
#include "lib/charm/config.h"
#include "lib/charm/metadata.h"
#include "lib/format/allocation_budget.h"
#include "lib/format/output.h"
#include "lib/format/yaml_json.h"

namespace skein::format {
namespace {

// The classic billion laughs: `levels` levels of ten aliases each, 10^levels leaves.
std::string Laughs(int levels) {
  std::string text = "a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n";
  for (int i = 1; i <= levels; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", " : "") + prev;
    text += "]\n";
  }
  return text;
}

TEST(YamlUtf8Test, ScalarsMustBeUtf8AfterEscapesAreDecoded) {
  auto raw = LoadYaml("a: ok\nb: f\xc8lse\n");
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.status().message(), "yaml: line 2, column 4: invalid UTF-8 in a scalar");
  auto key = LoadYaml("\xe2\x82: 1\n");  // a truncated sequence in a key
  EXPECT_FALSE(key.ok());
  auto surrogate = LoadYaml("s: \"\\ud800\"\n");
  EXPECT_FALSE(surrogate.ok());
  // Valid multi-byte text and escapes of real code points load.
  auto good = LoadYaml("name: \"caf\\u00e9\"\nemoji: \xf0\x9f\x8c\xb2\n");
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ((*good)["name"].as<std::string>(), "caf\xc3\xa9");
}

// Found by tests/fuzz/bundle_fuzz and charm_actions_fuzz: a sequence or mapping as a key threw
// out of the YAML-to-JSON conversion.
TEST(YamlKeyTest, OnlyScalarsAreMappingKeys) {
  auto map_key = YamlToJson("a: 1\n? {b: c}\n: d\n", YamlDialect::kText);
  ASSERT_FALSE(map_key.ok());
  EXPECT_EQ(map_key.status().message(), "yaml: line 2, column 3: a mapping key must be a scalar");
  EXPECT_FALSE(YamlToJson("{[1, 2]: x}\n", YamlDialect::kJuju).ok());
  EXPECT_FALSE(YamlToJson("base: &m {k: v}\nother: {*m : 1}\n", YamlDialect::kText).ok());  // an alias of a mapping
  // Scalars, nulls and aliases of scalars stay fine as keys, and collections as values.
  auto fine = YamlToJson("&k key: [1, {a: b}]\nother: {*k : 2}\n", YamlDialect::kText);
  ASSERT_TRUE(fine.ok()) << fine.status();
  EXPECT_EQ((*fine)["other"]["key"], "2");
}

TEST(YamlBudgetTest, BillionLaughsIsRefusedBeforeAnythingExpands) {
  auto r = LoadYaml(Laughs(9));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "YAML expands to more than 150000 nodes (limit); an alias (*name) repeats the whole node it names, so "
            "aliases of aliases multiply");
}

TEST(YamlBudgetTest, AliasesWithinTheBudgetLoadAndWalk) {
  // 4 levels: about 11,000 nodes when expanded.
  auto r = YamlToJson(Laughs(4), YamlDialect::kJuju);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)["a4"][9][9][9][9][8], "lol");
}

TEST(YamlBudgetTest, NodeCapIsExactlyTheBudget) {
  YamlBudget budget;
  budget.max_nodes = 11;  // a sequence of ten scalars is eleven nodes
  std::string ten = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]";
  EXPECT_TRUE(LoadYaml(ten, budget).ok());
  auto r = LoadYaml("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]", budget);
  EXPECT_EQ(r.status().message(),
            "YAML expands to more than 11 nodes (limit); an alias (*name) repeats the whole node it names, so aliases "
            "of aliases multiply");
}

TEST(YamlBudgetTest, ExpandedTextIsCapped) {
  // One 1 MiB scalar named once and repeated 100 times: 100 MiB of text from 1 MiB of YAML.
  std::string text = "big: &big " + std::string(limits::kMiB, 'x') + "\nmany: [";
  for (int i = 0; i < 100; ++i) text += (i ? ", " : "") + std::string("*big");
  text += "]\n";
  auto r = LoadYaml(text);
  EXPECT_EQ(r.status().message(),
            "YAML expands to more than 64 MiB of text (limit); an alias (*name) repeats the whole node it names, so "
            "aliases of aliases multiply");
}

TEST(YamlBudgetTest, AnAliasInsideTheNodeItNamesIsRefused) {
  auto r = LoadYaml("a: &a [1, *a]\n");
  EXPECT_EQ(r.status().message(), "YAML alias at line 1 refers to a node that contains it");
}

TEST(YamlBudgetTest, DepthIsCapped) {
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_TRUE(LoadYaml(nested(256)).ok());
  EXPECT_EQ(LoadYaml(nested(257)).status().message(), "YAML nests deeper than 256 levels (limit)");
  // Unclosed and 100,000 deep: yaml-cpp's own guard or ours, reported as the depth limit.
  EXPECT_EQ(LoadYaml(std::string(100000, '[')).status().message(), "YAML nests deeper than 256 levels (limit)");
  std::string block;
  for (int i = 0; i < 300; ++i) block += std::string(2 * i, ' ') + "k:\n";
  EXPECT_EQ(LoadYaml(block).status().message(), "YAML nests deeper than 256 levels (limit)");
}

TEST(YamlBudgetTest, ALongFlowCollectionIsRefusedByTheParseMemoryBudget) {
  // yaml-cpp holds every token of an unclosed flow collection: 40 MiB of `[` would take GBs.
  std::string text = "[" + std::string(limits::kYamlInput.bytes - 2, '[');
  auto r = LoadYaml(text);
  EXPECT_EQ(r.status().message(),
            "YAML needs more than 96 MiB of memory to parse (limit); a flow collection ([...] or {...}) costs the "
            "most per item: write long lists and maps in block style");
}

TEST(YamlBudgetTest, BytesAreCapped) {
  YamlBudget budget;
  budget.max_text = limits::Cap{8, "a test document"};
  EXPECT_TRUE(LoadYaml("a: 12345", budget).ok());
  auto r = LoadYaml("a: 123456", budget);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(), "YAML (9 bytes) exceeds the 8 bytes limit of a test document");
}

TEST(YamlBudgetTest, SyntaxErrorsCarryTheirPlace) {
  YamlSyntaxError syntax;
  auto r = LoadYaml("a: [1\n", YamlBudget{}, &syntax);
  EXPECT_EQ(r.status().message(), "yaml: line 2, column 1: end of sequence flow not found");
  EXPECT_EQ(syntax.line, 1);
  EXPECT_EQ(syntax.reason, "end of sequence flow not found");
  EXPECT_EQ(YamlToJson("a: [1\n", YamlDialect::kJuju).status().message(),
            "cannot parse YAML: yaml: line 2, column 1: end of sequence flow not found");
}

TEST(YamlBudgetTest, EmptyTextIsNull) {
  auto r = LoadYaml("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->IsNull());
  auto docs = LoadYamlDocuments("a: 1\n---\nb: 2\n");
  ASSERT_TRUE(docs.ok());
  EXPECT_EQ(docs->size(), 2u);
}

TEST(YamlBudgetTest, CharmFilesNameTheFileAndTheLimit) {
  std::string bomb = "options:\n  x:\n    type: string\n    default: y\n" + Laughs(9);
  EXPECT_EQ(charm::ParseConfigSchema(bomb).status().message(),
            "config.yaml: YAML expands to more than 150000 nodes (limit); an alias (*name) repeats the whole node it "
            "names, so aliases of aliases multiply");
  EXPECT_EQ(charm::ParseActions(Laughs(9)).status().message(),
            "actions.yaml: YAML expands to more than 150000 nodes (limit); an alias (*name) repeats the whole node it "
            "names, so aliases of aliases multiply");
  EXPECT_EQ(charm::ParseMetadata("name: x\n" + Laughs(9)).status().message(),
            "metadata.yaml: YAML expands to more than 150000 nodes (limit); an alias (*name) repeats the whole node "
            "it names, so aliases of aliases multiply");
}

TEST(AllocationBudgetTest, RefusesPastTheBudgetAndSaysItWasOurs) {
  ScopedAllocationBudget budget(1 << 20);
  std::string small(1000, 'x');
  EXPECT_FALSE(budget.exceeded());
  bool thrown = false;
  try {
    std::string big(2 << 20, 'x');
  } catch (const std::bad_alloc&) {
    thrown = true;
  }
  EXPECT_TRUE(thrown);
  EXPECT_TRUE(budget.exceeded());
}

TEST(AllocationBudgetTest, FreedMemoryCountsAgain) {
  ScopedAllocationBudget budget(1 << 20);
  for (int i = 0; i < 100; ++i) {
    std::string chunk(512 << 10, 'x');  // half the budget, freed each time
  }
  EXPECT_FALSE(budget.exceeded());
}

}  // namespace
}  // namespace skein::format
