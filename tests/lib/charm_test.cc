#include "gtest/gtest.h"
#include "lib/charm/config.h"
#include "lib/charm/metadata.h"

namespace skein::charm {
namespace {

TEST(MetadataTest, ParsesEndpointsInBothForms) {
  auto m = ParseMetadata(R"(
name: mlflow-server
provides:
  metrics-endpoint:
    interface: prometheus_scrape
requires:
  relational-db: mysql_client
peers:
  cluster:
    interface: cluster
    limit: 1
)");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->name, "mlflow-server");
  ASSERT_NE(m->FindEndpoint("relational-db"), nullptr);
  EXPECT_EQ(m->FindEndpoint("relational-db")->interface, "mysql_client");
  EXPECT_EQ(m->FindEndpoint("relational-db")->role, Role::kRequires);
  EXPECT_EQ(m->FindEndpoint("cluster")->role, Role::kPeers);
  EXPECT_EQ(m->FindEndpoint("cluster")->limit, 1);
}

TEST(MetadataTest, RejectsMissingNameAndDuplicates) {
  EXPECT_EQ(ParseMetadata("summary: x\n").status().message(), "metadata.yaml: missing \"name\"");
  auto dup = ParseMetadata("name: a\nprovides: {db: x}\nrequires: {db: y}\n");
  EXPECT_EQ(dup.status().message(), "metadata.yaml: endpoint \"db\" is declared more than once");
  EXPECT_FALSE(ParseMetadata("name: a\nprovides: {juju-info: x}\n").ok());
}

TEST(MetadataTest, ResourcesHaveATypeAFilenameAndADescription) {
  auto m = ParseMetadata(R"(
name: a
resources:
  payload:
    type: file
    filename: payload.tar.gz
    description: The workload's archive.
  bare:
    filename: bare.bin
  image:
    type: oci-image
    upstream-source: example/image:1
)");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->resources.size(), 3u);
  EXPECT_EQ(m->resources.at("payload").type, ResourceType::kFile);
  EXPECT_EQ(m->resources.at("payload").filename, "payload.tar.gz");
  EXPECT_EQ(m->resources.at("payload").description, "The workload's archive.");
  // Juju's default type is file.
  EXPECT_EQ(m->resources.at("bare").type, ResourceType::kFile);
  EXPECT_EQ(m->resources.at("image").type, ResourceType::kOciImage);
  EXPECT_EQ(ResourceTypeName(ResourceType::kOciImage), "oci-image");
  EXPECT_EQ(ParseResourceType("file"), ResourceType::kFile);
  EXPECT_EQ(ParseResourceType("blob"), std::nullopt);
}

TEST(MetadataTest, RejectsResourcesOfUnknownTypeOrWithoutAFilename) {
  EXPECT_EQ(ParseMetadata("name: a\nresources: {r: {type: blob, filename: x}}\n").status().message(),
            "metadata.yaml: resource \"r\" has unknown type \"blob\" (want file or oci-image)");
  EXPECT_EQ(ParseMetadata("name: a\nresources: {r: {type: file}}\n").status().message(),
            "metadata.yaml: resource \"r\" has no filename");
  EXPECT_EQ(ParseMetadata("name: a\nresources: {r: {filename: ../x}}\n").status().message(),
            "metadata.yaml: resource \"r\" has filename \"../x\" with a path in it");
  EXPECT_EQ(ParseMetadata("name: a\nresources: [r]\n").status().message(),
            "metadata.yaml: \"resources\" must be a map");
}

TEST(MetadataTest, CharmUserSaysWhetherTheCharmNeedsRoot) {
  EXPECT_EQ(ParseMetadata("name: a\n")->charm_user, CharmUser::kUnspecified);
  EXPECT_EQ(ParseMetadata("name: a\ncharm-user: root\n")->charm_user, CharmUser::kRoot);
  EXPECT_EQ(ParseMetadata("name: a\ncharm-user: sudoer\n")->charm_user, CharmUser::kSudoer);
  EXPECT_EQ(ParseMetadata("name: a\ncharm-user: non-root\n")->charm_user, CharmUser::kNonRoot);
  auto bad = ParseMetadata("name: a\ncharm-user: admin\n");
  EXPECT_EQ(bad.status().message(), "metadata.yaml: \"charm-user\" must be one of root, sudoer, non-root");
  EXPECT_FALSE(ParseMetadata("name: a\ncharm-user: [root]\n").ok());
}

TEST(ConfigTest, TypedValuesAndDefaults) {
  auto s = ParseConfigSchema(R"(
options:
  port: {type: int, default: 5000}
  debug: {type: boolean, default: false}
  name: {type: string}
  ratio: {type: float, default: 1}
)");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*ParseConfigValue(*s, "port", "8080"), 8080);
  EXPECT_EQ(*ParseConfigValue(*s, "debug", "True"), true);
  EXPECT_EQ(ParseConfigValue(*s, "port", "abc").status().message(), "option \"port\" expected int, got \"abc\"");
  EXPECT_EQ(ParseConfigValue(*s, "nope", "1").status().code(), absl::StatusCode::kNotFound);
  nlohmann::json eff = EffectiveConfig(*s, {{"name", "x"}});
  EXPECT_EQ(eff, (nlohmann::json{{"port", 5000}, {"debug", false}, {"name", "x"}, {"ratio", 1.0}}));
  EXPECT_FALSE(ParseConfigSchema("options:\n  a: {type: list}\n").ok());
  EXPECT_FALSE(ParseConfigSchema("").status().ok() == false);  // empty file = no options
}

TEST(ActionsTest, ParsesSchemaKeys) {
  auto a = ParseActions(R"(
create-profile:
  description: Create a profile
  params:
    username: {type: string}
  required: [username]
  additionalProperties: false
)");
  ASSERT_TRUE(a.ok()) << a.status();
  const ActionSpec& spec = a->at("create-profile");
  EXPECT_EQ(spec.required, std::vector<std::string>{"username"});
  EXPECT_FALSE(spec.additional_properties);
  EXPECT_TRUE(spec.params.contains("username"));
  EXPECT_FALSE(ParseActions("Bad_Name: {}\n").ok());
}

// Found by tests/fuzz/charm_actions_fuzz: a `required` entry that is not a string threw out of
// the parser (nlohmann::json's type_error), which would end the process that read the charm.
TEST(CharmTest, ActionsRequiredNamesMustBeStrings) {
  auto a = ParseActions("echo:\n  params:\n    message: {type: string}\n  required: [message, 1]\n");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().message(), "actions.yaml: action \"echo\": required lists parameter names, not 1");
}

// Found by tests/fuzz/charm_config_fuzz: bytes that are not UTF-8 in a default became a JSON
// string whose dump (for the error message) threw. YAML is refused first (yaml_budget.h).
TEST(CharmTest, CharmYamlThatIsNotUtf8IsAnErrorNotAThrow) {
  auto config = ParseConfigSchema("options:\n  debug:\n    type: boolean\n    default: f\xc8lse\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("invalid UTF-8 in a scalar"), std::string::npos) << config.status();
  EXPECT_FALSE(ParseMetadata("name: \xff\xfe\n").ok());
  EXPECT_FALSE(ParseActions("do:\n  description: \"\\ud800\"\n").ok());  // an escaped lone surrogate
}

}  // namespace
}  // namespace skein::charm
