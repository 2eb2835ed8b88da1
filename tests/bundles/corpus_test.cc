// The malformed-bundle corpus (tests/bundles/corpus/cases.yaml): every case gives exactly its
// expected error line, and every valid case plans with the expected counts.

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/bundles/bundle_test_util.h"
#include "yaml-cpp/yaml.h"

namespace skein::bundles {
namespace {

const std::string kCorpus = SKEIN_CORPUS_DIR;

std::vector<std::string> Overlays(const YAML::Node& c) {
  std::vector<std::string> out;
  if (c["overlays"]) {
    for (const auto& o : c["overlays"]) out.push_back(kCorpus + "/" + o.as<std::string>());
  }
  return out;
}

class CorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open({});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    cases_ = YAML::LoadFile(kCorpus + "/cases.yaml");
  }
  std::unique_ptr<Store> store_;
  YAML::Node cases_;
};

TEST_F(CorpusTest, EveryMalformedBundleGivesItsError) {
  ASSERT_GE(cases_["cases"].size(), 40u);
  for (const auto& c : cases_["cases"]) {
    const std::string name = c["name"].as<std::string>();
    const std::string expected = c["error"].as<std::string>();
    auto r = testing::PlanFile(*store_, kCorpus + "/" + c["bundle"].as<std::string>(), Overlays(c));
    // YAML syntax errors carry the parser's own words after `yaml:`; compare up to there.
    const auto yaml_at = expected.find(" yaml: ");
    if (yaml_at != std::string::npos) {
      EXPECT_EQ(r.error.substr(0, yaml_at + 7), expected.substr(0, yaml_at + 7)) << name;
    } else {
      EXPECT_EQ(r.error, expected) << name;
    }
  }
}

TEST_F(CorpusTest, EveryValidBundlePlans) {
  for (const auto& c : cases_["valid"]) {
    const std::string name = c["name"].as<std::string>();
    auto r = testing::PlanFile(*store_, kCorpus + "/" + c["bundle"].as<std::string>(), Overlays(c));
    ASSERT_TRUE(r.error.empty()) << name << ": " << r.error;
    EXPECT_EQ(r.plan->OfKind(ChangeKind::kDeployApplication).size(), c["applications"].as<size_t>()) << name;
    EXPECT_EQ(r.plan->relations.size(), c["relations"].as<size_t>()) << name;
  }
}

}  // namespace
}  // namespace skein::bundles
