// Storage end to end (issue 15) with the `storer` test charm and real agents: the data storage is
// attached before install with JUJU_STORAGE_ID and a directory the unit writes to; storage-add
// makes a logs instance that gets its own hook; the directory survives remove-unit, is attached
// again with add-unit --attach-storage (the new unit finds the old one's file), and goes with
// --destroy-storage. `skein storage`, `show-storage` and status show it in Juju's shapes.
// destroy-model asks for --destroy-storage or --release-storage when the model has storage.

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

using nlohmann::json;

class StorageTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  json StorageJson() {
    CliResult r = cluster_.Skein({"storage", "--format", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    return json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  }
  // The log's lines of `unit`, without the unit's name.
  std::vector<std::string> Lines(const std::string& unit) {
    std::vector<std::string> out;
    for (const auto& l : ReadLines(log_)) {
      if (l.rfind(unit + " ", 0) == 0) out.push_back(l.substr(unit.size() + 1));
    }
    return out;
  }
  // Index of the first line of `unit` starting with `prefix` (-1 when none).
  int IndexOf(const std::string& unit, const std::string& prefix) {
    auto lines = Lines(unit);
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].rfind(prefix, 0) == 0) return static_cast<int>(i);
    }
    return -1;
  }

  Cluster cluster_;
  std::string log_ = cluster_.scratch_dir() + "/storer.log";
};

TEST_F(StorageTest, StorageIsAttachedSurvivesItsUnitAndIsDestroyedOnRequest) {
  Ok({"bootstrap"});
  Ok({"add-model", "store"});
  Ok({"deploy", TestCharm("storer"), "--config", "log-path=" + log_});
  ASSERT_TRUE(WaitFor([&] { return IndexOf("storer/0", "logs-storage-attached") >= 0; }))
      << "storage-add's instance never got its hook:\n" << ReadFile(log_);
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return UnitSettled(s, "storer/0", "active"); }));

  // Juju's order on machines: the initial storage is attached before install.
  const int attached = IndexOf("storer/0", "data-storage-attached id=data/0 ");
  ASSERT_GE(attached, 0) << ReadFile(log_);
  EXPECT_LT(attached, IndexOf("storer/0", "install")) << ReadFile(log_);
  EXPECT_GE(IndexOf("storer/0", "logs-storage-attached id=logs/1 list=[\"data/0\",\"logs/1\"]"), 0) << ReadFile(log_);

  json storage = StorageJson();
  ASSERT_TRUE(storage.contains("storage")) << storage.dump(2);
  const json& data = storage["storage"]["data/0"];
  EXPECT_EQ(data["kind"], "filesystem");
  EXPECT_EQ(data["status"]["current"], "attached");
  EXPECT_EQ(data["persistent"], false);
  const std::string location = data["attachments"]["units"]["storer/0"]["location"];
  EXPECT_EQ(storage["filesystems"]["0"]["storage"], "data/0");
  // The directory is the unit's: its hook wrote there, and storage-get and the hook environment
  // named the same place.
  EXPECT_EQ(ReadFile(location + "/owner"), "storer/0\n");
  EXPECT_GE(IndexOf("storer/0", "data-storage-attached id=data/0 env-location=" + location + " kind=filesystem found="),
            0)
      << ReadFile(log_);
  json status = cluster_.Status();
  EXPECT_EQ(status["storage"]["storage"]["logs/1"]["status"]["current"], "attached") << status.dump(2);
  CliResult shown = cluster_.Skein({"show-storage", "data/0", "--format", "json"});
  ASSERT_EQ(shown.code, 0) << shown.err;
  EXPECT_EQ(json::parse(shown.out)["data/0"]["attachments"]["units"]["storer/0"]["location"], location);

  // remove-unit: storage-detaching runs before stop, and the directory stays, detached.
  Ok({"remove-unit", "storer/0", "--no-prompt"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return !HasUnit(s, "storer/0"); }));
  const int detaching = IndexOf("storer/0", "data-storage-detaching id=data/0");
  ASSERT_GE(detaching, 0) << ReadFile(log_);
  EXPECT_LT(detaching, IndexOf("storer/0", "stop")) << ReadFile(log_);
  EXPECT_EQ(ReadFile(location + "/owner"), "storer/0\n") << "the storage did not survive its unit";
  storage = StorageJson();
  EXPECT_EQ(storage["storage"]["data/0"]["status"]["current"], "detached") << storage.dump(2);
  EXPECT_EQ(storage["storage"]["data/0"]["life"], "alive");
  EXPECT_FALSE(storage["storage"]["data/0"].contains("attachments"));

  // A new unit takes the detached instance and finds what the old one left.
  Ok({"add-unit", "storer", "--attach-storage", "data/0"});
  ASSERT_TRUE(WaitFor([&] { return IndexOf("storer/1", "data-storage-attached id=data/0 ") >= 0; }))
      << ReadFile(log_);
  EXPECT_GE(IndexOf("storer/1", "data-storage-attached id=data/0 env-location=" + location +
                                    " kind=filesystem found=storer/0"),
            0)
      << ReadFile(log_);
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return UnitSettled(s, "storer/1", "active"); }));
  EXPECT_EQ(ReadFile(location + "/owner"), "storer/1\n");

  // --destroy-storage: the instances and their directories go with the unit.
  Ok({"remove-unit", "storer/1", "--no-prompt", "--destroy-storage"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return !HasUnit(s, "storer/1"); }));
  ASSERT_TRUE(WaitFor([&] { return !std::filesystem::exists(location); })) << location << " is still there";
  storage = StorageJson();
  EXPECT_FALSE(storage.contains("storage") && storage["storage"].contains("data/0")) << storage.dump(2);
  // The logs instance of the first unit was kept (that removal did not destroy storage).
  EXPECT_EQ(storage["storage"]["logs/1"]["status"]["current"], "detached") << storage.dump(2);
  const std::string storage_dir = std::filesystem::path(location).parent_path().string();
  ASSERT_TRUE(std::filesystem::exists(storage_dir + "/logs-1"));

  // destroy-model: a model with storage needs a choice (Juju's rule), and a refusal changes
  // nothing; --destroy-storage removes the detached instance's directory with the model.
  CliResult refused = cluster_.Skein({"destroy-model", "store", "--no-prompt"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("ERROR cannot destroy model \"store\": the model has persistent storage remaining"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(cluster_.Skein({"show-model", "store", "--format", "json"}).code, 0);
  Ok({"destroy-model", "store", "--no-prompt", "--destroy-storage", "--timeout", "60s"});
  ASSERT_TRUE(WaitFor([&] { return !std::filesystem::exists(storage_dir); })) << storage_dir << " is still there";
}

TEST_F(StorageTest, BadDirectivesAndIdsAreRefusedClearly) {
  Ok({"bootstrap"});
  Ok({"add-model", "store"});
  CliResult r = cluster_.Skein({"deploy", TestCharm("storer"), "--storage", "data"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("ERROR invalid storage directive \"data\""), std::string::npos) << r.err;
  r = cluster_.Skein({"deploy", TestCharm("storer"), "--storage", "logs=3"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR storage \"logs\": the charm allows at most 2 instances per unit, not 3\n");
  Ok({"deploy", TestCharm("storer"), "--storage", "logs=2,2G"});
  json storage = StorageJson();
  EXPECT_EQ(storage["filesystems"]["1"]["size"], 2048) << storage.dump(2);
  r = cluster_.Skein({"show-storage", "data/9"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR storage \"data/9\" not found\n");
  r = cluster_.Skein({"add-unit", "storer", "--attach-storage", "data/0"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR storage \"data/0\" is attached to unit \"storer/0\"\n");
}

}  // namespace
}  // namespace skein::e2e
