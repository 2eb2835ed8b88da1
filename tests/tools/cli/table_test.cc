#include "tools/cli/output/table.h"

#include "gtest/gtest.h"

namespace skein::cli::output {
namespace {

TEST(TableTest, ElasticColumnsWithPaddingTwo) {
  Table t(false);
  t.AddHeader({"App", "Scale", "Message"});
  t.AddRow({"mysql", "1", "ready"});
  t.AddRow({"wordpress", "10", ""});
  t.AlignRight(1);
  EXPECT_EQ(t.Render(),
            "App        Scale  Message\n"
            "mysql          1  ready\n"
            "wordpress     10\n");
}

TEST(TableTest, WidthIgnoresColourAndCountsCodePoints) {
  Table t(true);
  t.AddRow({Cell("ok", Style::kGreen), "x"});
  t.AddRow({"h\xC3\xA9llo", "y"});
  EXPECT_EQ(t.Render(), "\x1b[32mok\x1b[0m     x\nh\xC3\xA9llo  y\n");
  EXPECT_EQ(DisplayWidth("\x1b[1mabc\x1b[0m"), 3u);
}

TEST(TableTest, StatusColours) {
  EXPECT_EQ(StatusStyle("active"), Style::kGreen);
  EXPECT_EQ(StatusStyle("maintenance"), Style::kYellow);
  EXPECT_EQ(StatusStyle("blocked"), Style::kRed);
  EXPECT_EQ(StatusStyle("waiting"), Style::kNone);
  EXPECT_EQ(Paint("x", Style::kRed, false), "x");
}

}  // namespace
}  // namespace skein::cli::output
