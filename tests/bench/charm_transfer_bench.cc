// Benchmark: peak memory (VmHWM) of the controller and of a unit agent while charms of two
// sizes move through them (upload, charm store, streamed download, extraction), and how long
// the large one takes from `skein deploy` to an active unit. Issue 11 asks that neither daemon
// grows by more than 32 MiB from a 1 MiB to a 200 MiB charm; e2e_packed_charm_test checks it.
//
//   charm_transfer_bench [large MiB]     (default 200)

#include <cstdlib>
#include <iostream>

#include "tests/e2e/harness.h"
#include "tests/e2e/packed_charms.h"

int main(int argc, char** argv) {
  const uint64_t large_mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200;
  skein::e2e::Cluster cluster;
  for (const std::vector<std::string>& args : {std::vector<std::string>{"bootstrap"},
                                               std::vector<std::string>{"add-model", "bench"}}) {
    skein::e2e::CliResult r = cluster.Skein(args);
    if (r.code != 0) {
      std::cerr << "bench: skein " << args[0] << " failed: " << r.err << r.out << "\n";
      return 1;
    }
  }
  auto figures = skein::e2e::MeasureCharmTransferMemory(cluster, 1 << 20, large_mib << 20);
  if (!figures.ok()) {
    std::cerr << "bench: " << figures.status() << "\n";
    return 1;
  }
  auto mib = [](int64_t kib) { return static_cast<double>(kib) / 1024; };
  std::cout << "charm transfer, peak RSS (VmHWM):\n"
            << "  controller: " << mib(figures->controller_small_kib) << " MiB after a 1 MiB charm, "
            << mib(figures->controller_large_kib) << " MiB after a " << large_mib << " MiB charm (+"
            << mib(figures->controller_large_kib - figures->controller_small_kib) << " MiB)\n"
            << "  unit agent: " << mib(figures->agent_small_kib) << " MiB for the 1 MiB charm, "
            << mib(figures->agent_large_kib) << " MiB for the " << large_mib << " MiB charm (+"
            << mib(figures->agent_large_kib - figures->agent_small_kib) << " MiB)\n"
            << "  " << large_mib << " MiB charm: deploy to active unit in " << figures->large_deploy_seconds << " s\n";
  return 0;
}
