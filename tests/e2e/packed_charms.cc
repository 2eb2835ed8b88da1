#include "tests/e2e/packed_charms.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/base/sha256.h"
#include "lib/process/subprocess.h"

namespace skein::e2e {
namespace {

namespace fs = std::filesystem;

// What charmcraft's packer does, in python's zipfile: regular files with their Unix mode (the
// external attributes zipfile fills in from the file), symlinks as S_IFLNK entries holding the
// target.
constexpr char kZipfilePacker[] = R"PY(
import os, stat, sys, zipfile
src, out, method = sys.argv[1], sys.argv[2], sys.argv[3]
compression = zipfile.ZIP_STORED if method == "stored" else zipfile.ZIP_DEFLATED
with zipfile.ZipFile(out, "w", compression) as z:
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(dirs + files):
            path = os.path.join(root, name)
            arcname = os.path.relpath(path, src)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                info = zipfile.ZipInfo(arcname)
                info.create_system = 3
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                z.writestr(info, os.readlink(path))
            elif stat.S_ISREG(st.st_mode):
                z.write(path, arcname)
)PY";

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A charm whose every hook marks the unit active.
void WriteActiveCharm(const std::string& dir, const std::string& name) {
  WriteTestFile(dir + "/metadata.yaml", absl::StrCat("name: ", name, "\nsummary: memory test charm\n"));
  WriteTestFile(dir + "/dispatch", "#!/bin/sh\nstatus-set active ready\n", 0755);
}

}  // namespace

void WriteTestFile(const std::string& path, const std::string& content, unsigned mode) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  ::chmod(path.c_str(), mode);
}

std::string WriteRandomFile(const std::string& path, uint64_t size, uint32_t seed) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  Sha256 hash;
  std::vector<char> block(1 << 20);
  uint64_t x = 0x9E3779B97F4A7C15ull ^ seed;
  for (uint64_t written = 0; written < size;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(block.size(), size - written));
    for (size_t i = 0; i < n; i += 8) {
      // xorshift64*: fast, and nothing deflate can shrink.
      x ^= x >> 12;
      x ^= x << 25;
      x ^= x >> 27;
      const uint64_t v = x * 2685821657736338717ull;
      for (size_t b = 0; b < 8 && i + b < n; ++b) block[i + b] = static_cast<char>(v >> (8 * b));
    }
    out.write(block.data(), static_cast<std::streamsize>(n));
    hash.Update(std::string(block.data(), n));
    written += n;
  }
  return hash.HexDigest();
}

absl::Status PackWithZipfile(const std::string& dir, const std::string& out, bool stored) {
  process::SpawnOptions o;
  o.argv = {"/usr/bin/python3", "-c", kZipfilePacker, dir, out, stored ? "stored" : "deflated"};
  auto r = process::Run(o, std::chrono::minutes(5));
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) return absl::InternalError(absl::StrCat("zipfile packer failed: ", r->stderr_text));
  return absl::OkStatus();
}

int64_t PeakRssKiB(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

int ControllerPid(const Cluster& cluster) {
  std::string text = ReadText(cluster.data_dir() + "/controller/controller.pid");
  return text.empty() ? -1 : std::stoi(text);
}

int UnitAgentPid(const Cluster& cluster, const std::string& app) {
  for (int pid : cluster.ProcessesUsingDataDir()) {
    std::string comm = ReadText(absl::StrCat("/proc/", pid, "/comm"));
    if (comm.rfind("skein-agent", 0) != 0) continue;
    std::string cmdline = ReadText(absl::StrCat("/proc/", pid, "/cmdline"));
    if (cmdline.find(absl::StrCat("unit-", app, "-0")) != std::string::npos) return pid;
  }
  return -1;
}

absl::StatusOr<CharmMemoryFigures> MeasureCharmTransferMemory(const Cluster& cluster, uint64_t small_bytes,
                                                              uint64_t large_bytes) {
  CharmMemoryFigures figures;
  struct Phase {
    const char* app;
    uint64_t bytes;
    int64_t* controller_kib;
    int64_t* agent_kib;
  };
  const Phase phases[] = {{"mem-small", small_bytes, &figures.controller_small_kib, &figures.agent_small_kib},
                          {"mem-large", large_bytes, &figures.controller_large_kib, &figures.agent_large_kib}};
  for (const Phase& phase : phases) {
    const std::string dir = cluster.scratch_dir() + "/" + phase.app;
    const std::string archive = dir + ".charm";
    WriteActiveCharm(dir, phase.app);
    WriteRandomFile(dir + "/data/random.bin", phase.bytes, 7);
    if (absl::Status s = PackWithZipfile(dir, archive, /*stored=*/true); !s.ok()) return s;
    fs::remove_all(dir);  // only the archive is needed now: the disk holds a few copies already
    const auto start = std::chrono::steady_clock::now();
    CliResult r = cluster.Skein({"deploy", archive}, std::chrono::minutes(5));
    if (r.code != 0) return absl::InternalError(absl::StrCat("deploy ", phase.app, " failed: ", r.err, r.out));
    const std::string unit = absl::StrCat(phase.app, "/0");
    if (!cluster.WaitForStatus([&](const nlohmann::json& s) { return UnitSettled(s, unit, "active"); },
                               std::chrono::minutes(5))) {
      return absl::DeadlineExceededError(absl::StrCat(unit, " did not become active"));
    }
    if (phase.bytes == large_bytes) {
      figures.large_deploy_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    fs::remove(archive);
    const int controller = ControllerPid(cluster);
    const int agent = UnitAgentPid(cluster, phase.app);
    if (controller < 0 || agent < 0) {
      return absl::NotFoundError(absl::StrCat("cannot find the controller (", controller, ") or the unit agent of ",
                                              unit, " (", agent, ")"));
    }
    *phase.controller_kib = PeakRssKiB(controller);
    *phase.agent_kib = PeakRssKiB(agent);
  }
  return figures;
}

}  // namespace skein::e2e
