// Packed charms through the real gRPC API: UploadCharm streaming in chunks, Deploy and Refresh
// naming the upload by digest, and a unit agent streaming its charm back (GetCharmContent).

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "lib/base/sha256.h"
#include "lib/charm/charm_zip.h"
#include "tests/controller/api_fixture.h"

namespace skein::controller {
namespace {

namespace fs = std::filesystem;

class CharmApiTest : public testing::ApiTest {
 protected:
  // A charm archive with the given metadata and a file of `filler` pseudo-random bytes (so the
  // archive spans several chunks).
  std::string MakeZip(const std::string& metadata, size_t filler) {
    std::vector<charm::PackEntry> entries(2);
    entries[0].path = "metadata.yaml";
    entries[0].content = metadata;
    entries[1].path = "dispatch";
    entries[1].mode = 0755;
    entries[1].content = "#!/bin/sh\n";
    charm::PackEntry blob;
    blob.path = "data.bin";
    uint32_t x = 7;
    blob.content.resize(filler);
    for (char& c : blob.content) {
      x = x * 1664525u + 1013904223u;
      c = static_cast<char>(x >> 24);
    }
    entries.push_back(std::move(blob));
    const std::string path = dir_.path() + "/upload.charm";
    EXPECT_TRUE(charm::WriteCharmZip(path, entries).ok());
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  grpc::Status Upload(const rpc::Identity& who, const std::string& bytes, const std::string& sha256,
                      v1::UploadCharmResponse* resp) {
    grpc::ClientContext ctx;
    rpc::PrepareContext(&ctx, who, std::chrono::seconds(20));
    auto writer = controller_->UploadCharm(&ctx, resp);
    v1::UploadCharmRequest req;
    req.set_sha256(sha256);
    req.set_size(static_cast<int64_t>(bytes.size()));
    constexpr size_t kChunk = 1 << 20;
    for (size_t off = 0; off == 0 || off < bytes.size(); off += kChunk) {
      req.set_chunk(bytes.substr(off, kChunk));
      if (!writer->Write(req)) break;
      req.clear_sha256();
      req.clear_size();
    }
    writer->WritesDone();
    return writer->Finish();
  }

  grpc::Status DeployBySha(const std::string& app, const std::string& sha256, int units) {
    v1::DeployRequest req;
    req.set_model("test");
    req.set_application(app);
    req.set_charm_sha256(sha256);
    req.set_num_units(units);
    req.set_charm_origin("local");
    v1::DeployResponse resp;
    return Call(controller_.get(), &v1::Controller::Stub::Deploy, Admin(), req, &resp);
  }

  int StoredCharms() {
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir_.path() + "/charms")) n += e.is_regular_file() ? 1 : 0;
    return n;
  }
};

TEST_F(CharmApiTest, UploadDeployAndDownloadInChunks) {
  const std::string zip = MakeZip("name: big\n", 3 * 1024 * 1024 + 5);
  v1::UploadCharmResponse uploaded;
  grpc::Status s = Upload(Admin(), zip, Sha256Hex(zip), &uploaded);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(uploaded.sha256(), Sha256Hex(zip));
  EXPECT_EQ(uploaded.size(), static_cast<int64_t>(zip.size()));
  EXPECT_EQ(uploaded.charm_name(), "big");
  ASSERT_TRUE(DeployBySha("big", uploaded.sha256(), 1).ok());

  std::string downloaded;
  v1::CharmChunk first;
  s = Download(UnitIdentity("big/0"), "local:big-0", &downloaded, &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(first.sha256(), Sha256Hex(zip));
  EXPECT_EQ(first.size(), static_cast<int64_t>(zip.size()));
  EXPECT_TRUE(downloaded == zip) << "the archive changed on its way";
}

TEST_F(CharmApiTest, BadUploadsAreRefusedAndKeepNothing) {
  const std::string zip = MakeZip("name: small\n", 10);
  v1::UploadCharmResponse resp;
  grpc::Status s = Upload(Admin(), zip, Sha256Hex("other"), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("does not match its SHA-256"), std::string::npos) << s.error_message();
  s = Upload({"user-admin", "wrong"}, zip, Sha256Hex(zip), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(StoredCharms(), 0);
  EXPECT_TRUE(fs::is_empty(dir_.path() + "/charms/tmp"));

  grpc::Status unknown = DeployBySha("small", Sha256Hex(zip), 1);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(unknown.error_message().find("upload it first"), std::string::npos);
}

TEST_F(CharmApiTest, RefreshMovesTheUnitsToTheNewArchive) {
  const std::string v0 = MakeZip("name: web\n", 10);
  v1::UploadCharmResponse up0;
  ASSERT_TRUE(Upload(Admin(), v0, Sha256Hex(v0), &up0).ok());
  ASSERT_TRUE(DeployBySha("web", up0.sha256(), 1).ok());
  const std::string v1_zip = MakeZip("name: web\nsummary: second\n", 10);
  v1::UploadCharmResponse up1;
  ASSERT_TRUE(Upload(Admin(), v1_zip, Sha256Hex(v1_zip), &up1).ok());

  v1::RefreshRequest req;
  req.set_model("test");
  req.set_application("web");
  req.set_charm_sha256(up1.sha256());
  req.set_charm_origin("local");
  v1::RefreshResponse resp;
  grpc::Status s = Call(controller_.get(), &v1::Controller::Stub::Refresh, Admin(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.charm_url(), "local:web-1");
  EXPECT_EQ(resp.revision(), 1);

  const rpc::Identity unit = UnitIdentity("web/0");
  std::string downloaded;
  ASSERT_TRUE(Download(unit, "local:web-1", &downloaded).ok());
  EXPECT_TRUE(downloaded == v1_zip);
  std::string old;
  EXPECT_EQ(Download(unit, "local:web-0", &old).error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << "a unit gets only its application's current charm";
}

}  // namespace
}  // namespace skein::controller
