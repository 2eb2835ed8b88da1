#include "lib/base/names.h"

#include <algorithm>

#include "gtest/gtest.h"
#include "lib/base/credential.h"

namespace skein {
namespace {

TEST(NamesTest, ApplicationNamesFollowJujuRules) {
  EXPECT_TRUE(IsValidApplicationName("mysql"));
  EXPECT_TRUE(IsValidApplicationName("katib-db"));
  EXPECT_TRUE(IsValidApplicationName("app2-scat"));
  EXPECT_FALSE(IsValidApplicationName("app2-scat-23"));  // all-digit segment
  EXPECT_FALSE(IsValidApplicationName("Mysql"));
  EXPECT_FALSE(IsValidApplicationName("2sql"));
  EXPECT_FALSE(IsValidApplicationName("my--sql"));
  EXPECT_FALSE(IsValidApplicationName("mysql-"));
  EXPECT_FALSE(IsValidApplicationName(""));
}

TEST(NamesTest, UnitNamesAndTagsRoundTrip) {
  auto u = ParseUnitName("katib-db/12");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->application, "katib-db");
  EXPECT_EQ(u->number, 12);
  EXPECT_EQ(u->Tag(), "unit-katib-db-12");
  auto back = ParseUnitTag("unit-katib-db-12");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ToString(), "katib-db/12");
  EXPECT_FALSE(ParseUnitName("katib-db").ok());
  EXPECT_FALSE(ParseUnitName("katib-db/x").ok());
  EXPECT_EQ(ParseUnitName("x/").status().message(), "\"x/\" is not a valid unit name");
}

TEST(NamesTest, UuidsAreExactlyWhatNewUuidWrites) {
  EXPECT_TRUE(IsValidUuid(NewUuid()));
  EXPECT_TRUE(IsValidUuid("0b5c3c7e-6f1a-4c1e-9a43-2f7d2e8b9c10"));
  EXPECT_FALSE(IsValidUuid(""));
  EXPECT_FALSE(IsValidUuid("0B5C3C7E-6F1A-4C1E-9A43-2F7D2E8B9C10"));  // upper case
  EXPECT_FALSE(IsValidUuid("0b5c3c7e-6f1a-4c1e-9a43-2f7d2e8b9c1"));   // short
  EXPECT_FALSE(IsValidUuid("0b5c3c7e66f1a-4c1e-9a43-2f7d2e8b9c10"));  // hyphen missing
  EXPECT_FALSE(IsValidUuid("../../../../../../../../../../etc/pw"));  // 36 characters, a path
}

TEST(NamesTest, NaturalSortOrdersNumbersByValue) {
  std::vector<std::string> names = {"app10", "app2", "app1", "b", "app2a"};
  std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) { return NaturalLess(a, b); });
  EXPECT_EQ(names, (std::vector<std::string>{"app1", "app2", "app2a", "app10", "b"}));
}

TEST(CredentialTest, HashMatchesOnlyTheSameSecret) {
  std::string a = NewCredential();
  std::string b = NewCredential();
  EXPECT_NE(a, b);
  EXPECT_GE(a.size(), 24u);  // >= 18 random bytes, base64
  std::string h = HashCredential(a);
  EXPECT_TRUE(CredentialMatches(a, h));
  EXPECT_FALSE(CredentialMatches(b, h));
  EXPECT_EQ(NewUuid().size(), 36u);
}

}  // namespace
}  // namespace skein
