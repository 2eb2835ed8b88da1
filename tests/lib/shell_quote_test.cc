// lib/base/shell_quote: how `skein exec` joins several arguments into one command line, checked
// against what bash makes of the result.

#include "lib/base/shell_quote.h"

#include "gtest/gtest.h"
#include "lib/process/subprocess.h"

namespace skein {
namespace {

TEST(ShellQuoteTest, QuotesOnlyWhereNeeded) {
  EXPECT_EQ(ShellQuote("echo"), "echo");
  EXPECT_EQ(ShellQuote("/a/b-c_d.e:f,g@h%i+j=k"), "/a/b-c_d.e:f,g@h%i+j=k");
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("$HOME"), "'$HOME'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\"'\"'s'");
  EXPECT_EQ(ShellJoin({"echo", "bar", "baz"}), "echo bar baz");
}

TEST(ShellQuoteTest, BashReadsTheJoinedWordsBack) {
  const std::vector<std::string> words = {"printf", "[%s]", "a b", "it's", "$x", "", "*", "\"q\"", "tab\there"};
  process::SpawnOptions spawn;
  spawn.argv = {"/bin/bash", "-c", ShellJoin(words)};
  auto run = process::Run(spawn);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->stdout_text, "[a b][it's][$x][][*][\"q\"][tab\there]");
}

}  // namespace
}  // namespace skein
