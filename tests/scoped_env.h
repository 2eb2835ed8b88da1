#pragma once

// Sets an environment variable for a scope (the code under test, and the processes it starts,
// read it) and restores the previous value, or its absence, at the end. Tests only: setenv is
// not thread-safe, so use it while the test has no other threads reading the environment.

#include <stdlib.h>

#include <optional>
#include <string>

namespace skein::testing {

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace skein::testing
