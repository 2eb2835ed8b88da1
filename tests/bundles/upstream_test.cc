// Real upstream bundle files (../shared/upstream, read-only test input): every *.bundle.yaml
// parses, and every one whose charms are all in the store plans as `deploy --dry-run` would.

#include <filesystem>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/bundles/bundle_test_util.h"

namespace skein::bundles {
namespace {

namespace fs = std::filesystem;

TEST(UpstreamBundlesTest, EveryBundleParsesAndThoseWithStoreCharmsPlan) {
  const fs::path root = fs::path(SKEIN_SHARED_DIR) / "upstream";
  if (!fs::is_directory(root)) GTEST_SKIP() << "../shared/upstream is absent: no upstream bundles to read";
  auto store = Store::Open({});
  ASSERT_TRUE(store.ok()) << store.status();
  int parsed = 0, planned = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string path = entry.path().string();
    if (!absl::EndsWith(path, ".bundle.yaml")) continue;
    auto r = testing::PlanFile(**store, path, {});
    ASSERT_TRUE(r.bundle.ok()) << path << ": " << r.bundle.status();
    ++parsed;
    bool all_in_store = true;
    for (const auto& [name, app] : r.bundle->applications) {
      if (!(*store)->ResolveCharm(app.charm, app.channel, app.revision).ok()) all_in_store = false;
    }
    // The release chain the store carries must plan, never be skipped for a missing charm.
    const std::string base = entry.path().filename().string();
    const bool in_chain = entry.path().parent_path() == root &&
                          (absl::StartsWith(base, "kubeflow-1.") || absl::StartsWith(base, "mlflow-2."));
    EXPECT_TRUE(all_in_store || !in_chain) << path << " names a charm or channel the store lacks";
    if (!all_in_store) continue;
    EXPECT_TRUE(r.plan.ok()) << path << ": " << r.error;
    ++planned;
  }
  EXPECT_GE(parsed, 30);
  // The kubeflow 1.7-1.11 files (15, and 2 of their history), the mlflow (10) and cos-lite (1)
  // bundles.
  EXPECT_GE(planned, 28) << "of " << parsed;
  std::cout << "upstream bundles: " << parsed << " parsed, " << planned << " planned\n";
}

}  // namespace
}  // namespace skein::bundles
