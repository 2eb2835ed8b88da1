// The one Go-style duration parser (lib/base/duration.h) against Go's time.ParseDuration: every
// row is what Go returns for that text (its value in nanoseconds, or its exact error), so the
// CLI's --wait, the controller's model-config validation and the unit agent read a value as
// Juju would.

#include "lib/base/duration.h"

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace skein {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

struct Accepted {
  std::string text;
  nanoseconds value;
};

class GoAcceptsTest : public ::testing::TestWithParam<Accepted> {};

TEST_P(GoAcceptsTest, ParsesToGosValue) {
  auto parsed = ParseDuration(GetParam().text);
  ASSERT_TRUE(parsed.ok()) << GetParam().text << ": " << parsed.status();
  EXPECT_EQ(parsed->count(), GetParam().value.count()) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, GoAcceptsTest,
    ::testing::Values(
        // `0` is the one number that needs no unit, with or without a sign.
        Accepted{"0", nanoseconds(0)}, Accepted{"+0", nanoseconds(0)}, Accepted{"-0", nanoseconds(0)},
        Accepted{"0s", nanoseconds(0)}, Accepted{"-0s", nanoseconds(0)},
        // Every unit, including both spellings of micro (U+00B5 and U+03BC).
        Accepted{"10ns", nanoseconds(10)}, Accepted{"11us", microseconds(11)},
        Accepted{"12\xc2\xb5s", microseconds(12)}, Accepted{"12\xce\xbcs", microseconds(12)},
        Accepted{"13ms", milliseconds(13)}, Accepted{"14s", seconds(14)}, Accepted{"15m", minutes(15)},
        Accepted{"16h", hours(16)},
        // Signs and fractions, as jubilant writes --wait (`f'{n}s'`).
        Accepted{"-5s", seconds(-5)}, Accepted{"+5s", seconds(5)}, Accepted{"5.6s", milliseconds(5600)},
        Accepted{"5.s", seconds(5)}, Accepted{".5s", milliseconds(500)}, Accepted{"0.001s", milliseconds(1)},
        Accepted{"120.0s", seconds(120)}, Accepted{"1.004s", milliseconds(1004)},
        Accepted{"100.00100s", nanoseconds(100001000000)},
        // Several parts, in any order and repeated.
        Accepted{"1h30m", minutes(90)}, Accepted{"1m30s", seconds(90)}, Accepted{"10.5s4m", milliseconds(250500)},
        Accepted{"-2m3.4s", -milliseconds(123400)}, Accepted{"1s1s", seconds(2)},
        Accepted{"1h2m3s4ms5us6ns", hours(1) + minutes(2) + seconds(3) + milliseconds(4) + microseconds(5) +
                                        nanoseconds(6)},
        Accepted{"39h9m14.425s", hours(39) + minutes(9) + milliseconds(14425)},
        // Long fractions (Go's own test rows) and the int64 edge.
        Accepted{"0.3333333333333333333h", minutes(20)},
        Accepted{"0.830103483285477580700h", minutes(49) + seconds(48) + nanoseconds(372539827)},
        Accepted{"9007199254740993ns", nanoseconds(9007199254740993)},
        Accepted{"9223372036854775807ns", nanoseconds(std::numeric_limits<int64_t>::max())},
        Accepted{"9223372036854775.807us", nanoseconds(std::numeric_limits<int64_t>::max())},
        Accepted{"9223372036s854ms775us807ns", nanoseconds(std::numeric_limits<int64_t>::max())},
        Accepted{"-9223372036854775807ns", nanoseconds(-std::numeric_limits<int64_t>::max())},
        Accepted{"-9223372036854775.808us", nanoseconds(std::numeric_limits<int64_t>::min())}));

struct Refused {
  std::string text;
  std::string error;
};

class GoRefusesTest : public ::testing::TestWithParam<Refused> {};

TEST_P(GoRefusesTest, FailsWithGosMessage) {
  auto parsed = ParseDuration(GetParam().text);
  ASSERT_FALSE(parsed.ok()) << GetParam().text << " gave " << parsed->count() << "ns";
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Table, GoRefusesTest,
    ::testing::Values(
        Refused{"", "time: invalid duration \"\""}, Refused{"-", "time: invalid duration \"-\""},
        Refused{"s", "time: invalid duration \"s\""}, Refused{".", "time: invalid duration \".\""},
        Refused{"-.", "time: invalid duration \"-.\""}, Refused{".s", "time: invalid duration \".s\""},
        Refused{"+.s", "time: invalid duration \"+.s\""}, Refused{"--5s", "time: invalid duration \"--5s\""},
        // A bare number other than 0, which the CLI used to read as seconds.
        Refused{"10", "time: missing unit in duration \"10\""}, Refused{"00", "time: missing unit in duration \"00\""},
        Refused{"1h30", "time: missing unit in duration \"1h30\""},
        Refused{"1.5", "time: missing unit in duration \"1.5\""},
        Refused{"1d", "time: unknown unit \"d\" in duration \"1d\""},
        Refused{"5 minutes", "time: unknown unit \" minutes\" in duration \"5 minutes\""},
        Refused{"1e3s", "time: unknown unit \"e\" in duration \"1e3s\""},
        Refused{"1h-5m", "time: unknown unit \"h-\" in duration \"1h-5m\""},
        Refused{"5S", "time: unknown unit \"S\" in duration \"5S\""},
        // absl takes these; Go does not.
        Refused{"inf", "time: invalid duration \"inf\""}, Refused{"-inf", "time: invalid duration \"-inf\""},
        // Bytes outside printable ASCII are shown as Go shows them.
        Refused{"\x85\x85", "time: invalid duration \"\\x85\\x85\""},
        Refused{"\xef\xbf\xbd", "time: invalid duration \"\\xef\\xbf\\xbd\""},
        Refused{"3\"s", "time: unknown unit \"\\\"s\" in duration \"3\\\"s\""},
        // Beyond Go's int64 of nanoseconds.
        Refused{"9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\""},
        Refused{"9223372036854775810ns", "time: invalid duration \"9223372036854775810ns\""},
        Refused{"-9223372036854775809ns", "time: invalid duration \"-9223372036854775809ns\""},
        Refused{"9223372036854776us", "time: invalid duration \"9223372036854776us\""},
        Refused{"3000000h", "time: invalid duration \"3000000h\""},
        Refused{"9223372036854775.808us", "time: invalid duration \"9223372036854775.808us\""},
        Refused{"9223372036854ms775us808ns", "time: invalid duration \"9223372036854ms775us808ns\""}));

TEST(FormatDurationTest, PrintsAsGoDurationString) {
  EXPECT_EQ(FormatDuration(nanoseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(nanoseconds(1)), "1ns");
  EXPECT_EQ(FormatDuration(nanoseconds(1100)), "1.1\xc2\xb5s");
  EXPECT_EQ(FormatDuration(milliseconds(500)), "500ms");
  EXPECT_EQ(FormatDuration(microseconds(2200)), "2.2ms");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(FormatDuration(seconds(60)), "1m0s");
  EXPECT_EQ(FormatDuration(milliseconds(125500)), "2m5.5s");
  EXPECT_EQ(FormatDuration(hours(1)), "1h0m0s");
  EXPECT_EQ(FormatDuration(-(minutes(1) + seconds(30))), "-1m30s");
  EXPECT_EQ(FormatDuration(nanoseconds(std::numeric_limits<int64_t>::max())), "2562047h47m16.854775807s");
  EXPECT_EQ(FormatDuration(nanoseconds(std::numeric_limits<int64_t>::min())), "-2562047h47m16.854775808s");
}

TEST(FormatDurationTest, WhatItPrintsParsesBack) {
  for (nanoseconds d : std::initializer_list<nanoseconds>{nanoseconds(7), nanoseconds(1100), milliseconds(2200),
                                                        milliseconds(125500), hours(49), -minutes(3)}) {
    auto back = ParseDuration(FormatDuration(d));
    ASSERT_TRUE(back.ok()) << FormatDuration(d);
    EXPECT_EQ(*back, d);
  }
}

}  // namespace
}  // namespace skein
