// Charm archives (lib/charm/charm_zip.h, archive_paths.h, documents.h): what a packed charm
// keeps (modes, links, big files), what is refused (entries and links leaving the charm), and
// how extraction treats what is already on disk.

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "lib/base/sha256.h"
#include "lib/charm/archive_paths.h"
#include "lib/charm/charm_zip.h"
#include "lib/charm/documents.h"

namespace skein::charm {
namespace {

namespace fs = std::filesystem;
// A cap for reading the small files of the test archives.
constexpr limits::Cap kSmall{100, "a test file"};

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "skein-zip-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& content, mode_t mode = 0644) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  ::chmod(path.c_str(), mode);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  ::lstat(path.c_str(), &st);
  return st.st_mode;
}

PackEntry File(const std::string& path, const std::string& content, uint32_t mode = 0644) {
  PackEntry e;
  e.path = path;
  e.content = content;
  e.mode = mode;
  return e;
}

PackEntry Link(const std::string& path, const std::string& target) {
  PackEntry e;
  e.path = path;
  e.kind = EntryKind::kSymlink;
  e.content = target;
  return e;
}

// Packs `entries` (as a hostile packer could: the writer does not judge names) and opens it.
absl::StatusOr<std::unique_ptr<CharmZip>> PackAndOpen(const TempDir& dir, const std::vector<PackEntry>& entries) {
  const std::string zip = dir.path() + "/test.charm";
  if (absl::Status s = WriteCharmZip(zip, entries); !s.ok()) return s;
  return CharmZip::Open(zip);
}

TEST(CharmZipTest, DirectoryRoundTripKeepsModesLinksAndContent) {
  TempDir dir;
  const std::string src = dir.path() + "/src";
  WriteFile(src + "/metadata.yaml", "name: demo\n");
  WriteFile(src + "/dispatch", "#!/bin/sh\n", 0755);
  WriteFile(src + "/hooks/install", "#!/bin/sh\necho hi\n", 0750);
  WriteFile(src + "/src/charm.py", "print(1)\n");
  WriteFile(src + "/.git/HEAD", "ref: refs/heads/main\n");
  WriteFile(src + "/.unit-state.db", "state");
  fs::create_directories(src + "/empty");
  ASSERT_EQ(::symlink("src/charm.py", (src + "/link.py").c_str()), 0);
  ASSERT_EQ(::symlink("../src", (src + "/hooks/code").c_str()), 0);
  auto entries = ListCharmDir(src);
  ASSERT_TRUE(entries.ok()) << entries.status();
  std::vector<std::string> paths;
  for (const PackEntry& e : *entries) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"dispatch", "empty", "hooks", "hooks/code", "hooks/install", "link.py",
                                             "metadata.yaml", "src", "src/charm.py"}));

  const std::string zip_path = dir.path() + "/demo.charm";
  ASSERT_TRUE(WriteCharmZip(zip_path, *entries).ok());
  auto zip = CharmZip::Open(zip_path);
  ASSERT_TRUE(zip.ok()) << zip.status();
  ASSERT_NE((*zip)->Find("dispatch"), nullptr);
  EXPECT_EQ((*zip)->Find("dispatch")->mode, 0755u);
  EXPECT_EQ((*zip)->Find("hooks/install")->mode, 0750u);
  EXPECT_EQ((*zip)->Find("link.py")->kind, EntryKind::kSymlink);
  EXPECT_EQ((*zip)->Find("link.py")->link_target, "src/charm.py");
  EXPECT_EQ((*zip)->Find("empty")->kind, EntryKind::kDirectory);
  auto metadata = (*zip)->ReadSmallFile("metadata.yaml", kSmall);
  ASSERT_TRUE(metadata.ok() && *metadata);
  EXPECT_EQ(**metadata, "name: demo\n");
  EXPECT_EQ(*(*zip)->ReadSmallFile("link.py", kSmall), std::nullopt) << "a link is not a file to read";

  const std::string out = dir.path() + "/out";
  ASSERT_TRUE((*zip)->ExtractTo(out).ok());
  EXPECT_EQ(ModeOf(out + "/dispatch") & 07777, 0755u);
  EXPECT_EQ(ModeOf(out + "/hooks/install") & 07777, 0750u);
  EXPECT_EQ(ReadFile(out + "/hooks/install"), "#!/bin/sh\necho hi\n");
  EXPECT_TRUE(S_ISLNK(ModeOf(out + "/link.py")));
  EXPECT_EQ(fs::read_symlink(out + "/link.py").string(), "src/charm.py");
  EXPECT_EQ(ReadFile(out + "/link.py"), "print(1)\n");
  EXPECT_EQ(fs::read_symlink(out + "/hooks/code").string(), "../src");
  EXPECT_TRUE(fs::is_directory(out + "/empty"));
  EXPECT_FALSE(fs::exists(out + "/.git"));
  EXPECT_FALSE(fs::exists(out + "/.unit-state.db"));
}

TEST(CharmZipTest, PackingIsDeterministic) {
  TempDir dir;
  WriteFile(dir.path() + "/c/metadata.yaml", "name: demo\n");
  WriteFile(dir.path() + "/c/dispatch", "#!/bin/sh\n", 0755);
  auto entries = ListCharmDir(dir.path() + "/c");
  ASSERT_TRUE(entries.ok());
  ASSERT_TRUE(WriteCharmZip(dir.path() + "/a.charm", *entries).ok());
  // A later mtime must not change the archive.
  ::utimensat(AT_FDCWD, (dir.path() + "/c/dispatch").c_str(), nullptr, 0);
  ASSERT_TRUE(WriteCharmZip(dir.path() + "/b.charm", *entries).ok());
  EXPECT_EQ(*Sha256OfFile(dir.path() + "/a.charm"), *Sha256OfFile(dir.path() + "/b.charm"));
}

TEST(CharmZipTest, BigFileStreamsThroughIntact) {
  TempDir dir;
  std::string big(6 * 1024 * 1024 + 17, '\0');
  uint32_t x = 12345;
  for (char& c : big) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  WriteFile(dir.path() + "/c/metadata.yaml", "name: demo\n");
  WriteFile(dir.path() + "/c/data/blob.bin", big);
  auto entries = ListCharmDir(dir.path() + "/c");
  ASSERT_TRUE(entries.ok());
  ASSERT_TRUE(WriteCharmZip(dir.path() + "/big.charm", *entries).ok());
  auto zip = CharmZip::Open(dir.path() + "/big.charm");
  ASSERT_TRUE(zip.ok()) << zip.status();
  EXPECT_EQ((*zip)->Find("data/blob.bin")->size, big.size());
  auto small = (*zip)->ReadSmallFile("data/blob.bin", limits::Cap{1024, "a test file"});
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.status().message(),
            "data/blob.bin (6291473 bytes) exceeds the 1 KiB limit of a test file");
  ASSERT_TRUE((*zip)->ExtractTo(dir.path() + "/out").ok());
  EXPECT_EQ(Sha256Hex(ReadFile(dir.path() + "/out/data/blob.bin")), Sha256Hex(big));
}

TEST(CharmZipTest, RefusesEntriesAndLinksLeavingTheCharm) {
  struct Case {
    std::vector<PackEntry> entries;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{File("../evil", "x")}, "charm entry \"../evil\" escapes the charm"},
      {{File("hooks/../../evil", "x")}, "charm entry \"hooks/../../evil\" escapes the charm"},
      {{File("/etc/evil", "x")}, "charm entry \"/etc/evil\" escapes the charm"},
      {{Link("passwd", "/etc/passwd")}, "symlink \"passwd\" -> \"/etc/passwd\" points outside the charm"},
      {{Link("hooks/up", "../../x")}, "symlink \"hooks/up\" -> \"../../x\" points outside the charm"},
      // Lexically `sub/b/..` is `sub`, but `sub/b` links to the charm root, so on disk it is the
      // charm's parent.
      {{Link("sub/b", ".."), Link("a", "sub/b/../..")}, "symlink \"a\" -> \"sub/b/../..\" points outside the charm"},
      {{Link("loop", "loop")}, "symlink \"loop\" -> \"loop\" has too many levels of links"},
      {{Link("lib", "src"), File("lib/x.py", "x")}, "charm entry \"lib/x.py\" lies inside symlink \"lib\""},
      {{File("a", "x"), File("./a", "y")}, "charm entry \"a\" appears more than once"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    auto zip = PackAndOpen(dir, c.entries);
    ASSERT_FALSE(zip.ok()) << c.error;
    EXPECT_EQ(zip.status().code(), absl::StatusCode::kInvalidArgument) << c.error;
    EXPECT_EQ(std::string(zip.status().message()).rfind(c.error, 0), 0u) << zip.status().message();
  }
}

TEST(CharmZipTest, LinksThatStayInsideAreKept) {
  TempDir dir;
  auto zip = PackAndOpen(dir, {File("src/charm.py", "x"), Link("hooks/install", "../dispatch"),
                               Link("lib/ops", "../venv/ops"), Link("here", "."), Link("deep/x", "../lib/ops/..")});
  ASSERT_TRUE(zip.ok()) << zip.status();
}

TEST(CharmZipTest, ExtractionReplacesLinksOnDiskInsteadOfWritingThroughThem) {
  TempDir dir;
  const std::string outside = dir.path() + "/outside";
  const std::string charm = dir.path() + "/charm";
  fs::create_directories(outside);
  fs::create_directories(charm);
  ASSERT_EQ(::symlink(outside.c_str(), (charm + "/lib").c_str()), 0);
  WriteFile(charm + "/.unit-state.db", "ops state");
  auto zip = PackAndOpen(dir, {File("lib/x.py", "code"), File("metadata.yaml", "name: demo\n")});
  ASSERT_TRUE(zip.ok()) << zip.status();
  ASSERT_TRUE((*zip)->ExtractTo(charm).ok());
  EXPECT_TRUE(fs::is_empty(outside)) << "the old link was written through";
  EXPECT_FALSE(S_ISLNK(ModeOf(charm + "/lib")));
  EXPECT_EQ(ReadFile(charm + "/lib/x.py"), "code");
  EXPECT_EQ(ReadFile(charm + "/.unit-state.db"), "ops state") << "what the charm did not name is kept";
}

TEST(CharmZipTest, NotAZip) {
  TempDir dir;
  WriteFile(dir.path() + "/bundle.yaml", "applications: {}\n");
  auto zip = CharmZip::Open(dir.path() + "/bundle.yaml");
  ASSERT_FALSE(zip.ok());
  EXPECT_EQ(zip.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(zip.status().message()).find("is not a charm archive (zip)"), std::string::npos);
  EXPECT_EQ(CharmZip::Open(dir.path() + "/missing.charm").status().code(), absl::StatusCode::kNotFound);
}

// Reads documents from a map standing in for a charm's root.
CharmFileReader Reader(const std::map<std::string, std::string>& files) {
  return [files](const std::string& name) -> absl::StatusOr<std::optional<std::string>> {
    auto it = files.find(name);
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
}

TEST(CharmDocumentsTest, CharmcraftYamlStandsInForTheSeparateFiles) {
  auto docs = ReadCharmDocuments(Reader({{"charmcraft.yaml", R"(
name: testdb
type: charm
summary: a test database
bases: [{name: ubuntu, channel: "22.04"}]
provides:
  db: {interface: mysql}
config:
  options:
    port: {type: int, default: 5432}
actions:
  backup: {description: Back up.}
)"}}));
  ASSERT_TRUE(docs.ok()) << docs.status();
  EXPECT_EQ(docs->metadata_source, "charmcraft.yaml");
  auto parsed = ParseCharmDocuments(*docs);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->metadata.name, "testdb");
  ASSERT_NE(parsed->metadata.FindEndpoint("db"), nullptr);
  EXPECT_EQ(parsed->config.at("port").default_value, 5432);
  EXPECT_EQ(parsed->actions.count("backup"), 1u);
}

TEST(CharmDocumentsTest, SeparateFilesWinAndErrorsNameTheirFile) {
  auto docs = ReadCharmDocuments(Reader({{"metadata.yaml", "name: a\n"},
                                         {"config.yaml", "options: {x: {type: string}}\n"},
                                         {"charmcraft.yaml", "type: charm\nname: b\n"}}));
  ASSERT_TRUE(docs.ok());
  EXPECT_EQ(docs->metadata_source, "metadata.yaml");
  EXPECT_EQ(ParseCharmDocuments(*docs)->metadata.name, "a");

  auto nameless = ReadCharmDocuments(Reader({{"charmcraft.yaml", "type: charm\n"}}));
  ASSERT_TRUE(nameless.ok());
  EXPECT_EQ(ParseCharmDocuments(*nameless).status().message(), "charmcraft.yaml: missing \"name\"");

  auto none = ReadCharmDocuments(Reader({{"dispatch", "#!/bin/sh\n"}}));
  EXPECT_EQ(none.status().message(), "charm has no metadata.yaml or charmcraft.yaml at its root");
}

TEST(CharmDocumentsTest, OversizedDocumentIsRefused) {
  TempDir dir;
  auto zip = PackAndOpen(dir, {File("metadata.yaml", "name: a\n"),
                               File("config.yaml", "# " + std::string(limits::kCharmYaml.bytes, 'x') + "\n")});
  ASSERT_TRUE(zip.ok());
  auto docs = ReadCharmDocuments(
      [&](const std::string& name) { return (*zip)->ReadSmallFile(name, limits::kCharmYaml); });
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().message(), "config.yaml (1048579 bytes) exceeds the 1 MiB limit of a charm's YAML file");
}

}  // namespace
}  // namespace skein::charm
