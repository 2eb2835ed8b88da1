#pragma once

// Runs a bundle through what `skein deploy <bundle> --dry-run` does before it talks to the
// controller (parse, overlays, resolve charms in the embedded store, plan), returning the error
// line the CLI prints or the plan.

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bundles/bundle.h"
#include "bundles/plan.h"
#include "bundles/store.h"
#include "gtest/gtest.h"

namespace skein::bundles::testing {

// The embedded store with `dirs` searched first; a failure to open fails the test and gives null.
inline std::unique_ptr<Store> OpenStore(const std::vector<std::string>& dirs = {}) {
  auto store = Store::Open(dirs);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

inline SourceFile ReadSource(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return SourceFile{ss.str(), std::filesystem::path(path).parent_path().string()};
}

struct PlanResult {
  absl::StatusOr<Plan> plan = absl::UnknownError("not run");
  absl::StatusOr<Bundle> bundle = absl::UnknownError("not run");
  // `ERROR cannot deploy bundle: <message>` as the CLI prints it, or empty.
  std::string error;
};

inline PlanResult PlanFile(const Store& store, const std::string& path, const std::vector<std::string>& overlays) {
  PlanResult r;
  std::vector<SourceFile> sources;
  for (const auto& o : overlays) sources.push_back(ReadSource(o));
  r.bundle = ParseBundle(ReadSource(path), sources);
  if (!r.bundle.ok()) {
    r.error = absl::StrCat("ERROR cannot deploy bundle: ", r.bundle.status().message());
    return r;
  }
  CharmResolver resolve = [&](const Application& app) -> absl::StatusOr<ResolvedCharm> {
    return store.ResolveCharm(app.charm, app.channel, app.revision);
  };
  r.plan = MakePlan(*r.bundle, resolve, ModelDescription{});
  if (!r.plan.ok()) r.error = absl::StrCat("ERROR cannot deploy bundle: ", r.plan.status().message());
  return r;
}

}  // namespace skein::bundles::testing
