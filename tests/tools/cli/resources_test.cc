// Resources from the CLI against a real controller in this process: deploy --resource,
// attach-resource and resources, with the documents and errors a user sees, and refusals that
// leave nothing behind.

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/tools/cli/controller_fixture.h"

namespace skein::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::CliRun;

class ResourcesCliTest : public testing::ControllerCliTest {
 protected:
  std::string File(const std::string& name, const std::string& text) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string Charm() {
    return std::string(SKEIN_TESTDATA_DIR) + "/charms/resourceful";
  }
  nlohmann::json Json(const CliRun& r) {
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  // The `resources` document's entry for `name`.
  nlohmann::json Entry(const std::string& app, const std::string& name) {
    nlohmann::json doc = Json(Skein({"resources", app, "--format", "json"}));
    for (const auto& r : doc["resources"]) {
      if (r["name"] == name) return r;
    }
    return nullptr;
  }
};

TEST_F(ResourcesCliTest, DeployUploadsAndAttachAddsARevision) {
  CliRun deployed = Skein({"deploy", Charm(), "web", "--resource", "payload=" + File("one.txt", "first\n"),
                           "--resource=image=redis:7"});
  ASSERT_EQ(deployed.code, 0) << deployed.err;
  EXPECT_THAT(deployed.err, HasSubstr("Uploaded resource \"payload\" revision 1"));
  nlohmann::json payload = Entry("web", "payload");
  EXPECT_EQ(payload["revision"], "1");
  EXPECT_EQ(payload["type"], "file");
  EXPECT_EQ(payload["path"], "payload.txt");
  EXPECT_EQ(payload["size"], 6);
  EXPECT_EQ(payload["origin"], "upload");
  EXPECT_EQ(payload["used"], true);
  EXPECT_EQ(payload["fingerprint"].get<std::string>().size(), 96u);  // SHA-384, hex
  EXPECT_EQ(Entry("web", "image")["size"], 7);                      // "redis:7", stored as given

  // The unit comes after the upload (its first hook finds the resource).
  nlohmann::json status = Json(Skein({"status", "--format", "json"}));
  EXPECT_TRUE(status["applications"]["web"]["units"].contains("web/0")) << status.dump();
  const std::string charm_before = status["applications"]["web"]["charm"];

  // attach-resource, flags after the positionals, --model in its `-m` form.
  CliRun attached = Skein({"attach-resource", "web", "payload=" + File("two.txt", "second\n"), "-m", "dev"});
  ASSERT_EQ(attached.code, 0) << attached.err;
  EXPECT_EQ(attached.out, "");
  EXPECT_EQ(Entry("web", "payload")["revision"], "2");
  // The units run upgrade-charm for it: the application moved to its next charm revision.
  status = Json(Skein({"status", "--format", "json"}));
  EXPECT_NE(status["applications"]["web"]["charm"], charm_before);

  CliRun table = Skein({"resources", "web"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_EQ(table.out,
            "Resource  Supplied by  Revision\n"
            "image     admin        1\n"
            "payload   admin        2\n");
  CliRun unit = Skein({"resources", "web/0"});
  EXPECT_EQ(unit.out, "Resource  Revision\nimage     1\npayload   2\n");
  CliRun yaml = Skein({"resources", "web", "--format=yaml"});
  EXPECT_THAT(yaml.out, HasSubstr("name: payload"));
}

TEST_F(ResourcesCliTest, AFileResourceLeftOutIsMissingNotAnError) {
  ASSERT_EQ(Skein({"deploy", Charm(), "web"}).code, 0);
  nlohmann::json payload = Entry("web", "payload");
  EXPECT_EQ(payload["used"], false);
  EXPECT_FALSE(payload.contains("revision"));
  EXPECT_EQ(Skein({"resources", "web"}).out,
            "Resource  Supplied by  Revision\n"
            "image     -            -\n"
            "payload   -            -\n");
}

TEST_F(ResourcesCliTest, RefusalsNameTheProblemAndWriteNothing) {
  CliRun unknown = Skein({"deploy", Charm(), "web", "--resource", "nope=" + File("x", "x")});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_EQ(unknown.err, "ERROR charm \"resourceful\" has no resource \"nope\" (it declares image, payload)\n");
  CliRun missing = Skein({"deploy", Charm(), "web", "--resource", "payload=" + dir_.path() + "/absent"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no such file or directory"));
  EXPECT_EQ(Skein({"status", "--format", "json"}).out.find("\"web\""), std::string::npos) << "nothing deployed";

  CliRun shape = Skein({"deploy", Charm(), "web", "--resource", "payload"});
  EXPECT_EQ(shape.code, 2);
  EXPECT_EQ(shape.err, "ERROR expected \"name=value\", got \"payload\"\n");

  ASSERT_EQ(Skein({"deploy", Charm(), "web"}).code, 0);
  CliRun attach_unknown = Skein({"attach-resource", "web", "nope=" + File("y", "y")});
  EXPECT_EQ(attach_unknown.code, 1);
  EXPECT_THAT(attach_unknown.err, HasSubstr("has no resource \"nope\""));
  CliRun attach_missing = Skein({"attach-resource", "web", "payload=./absent"});
  EXPECT_EQ(attach_missing.code, 1);
  EXPECT_EQ(Skein({"attach-resource", "web"}).code, 2);
  CliRun no_app = Skein({"attach-resource", "nope", "payload=" + File("z", "z")});
  EXPECT_EQ(no_app.code, 1);
  EXPECT_THAT(no_app.err, HasSubstr("application \"nope\" not found"));
  EXPECT_EQ(Entry("web", "payload")["used"], false);
  EXPECT_EQ(Skein({"resources", "web", "--format", "xml"}).code, 2);
}

}  // namespace
}  // namespace skein::cli
