#pragma once

// Quoting words for a POSIX shell command line, as `skein exec` builds one from several
// arguments (Juju joins them with spaces, each quoted only where needed).

#include <string>
#include <vector>

namespace skein {

// `word` unchanged when it holds only characters no shell treats specially
// (letters, digits and `@%+=:,./-_`), else in single quotes (a `'` inside becomes `'"'"'`);
// the empty word is `''`.
std::string ShellQuote(const std::string& word);

// The words quoted with ShellQuote and joined with single spaces.
std::string ShellJoin(const std::vector<std::string>& words);

}  // namespace skein
