#pragma once

// A cap on the memory one thread allocates while it parses untrusted input.
//
// yaml-cpp's scanner keeps every token of an unclosed flow collection (`[a, a, a, ...`, or
// `[[[[...`) in memory until the collection ends, about 240 bytes a token, so 40 MiB of `[`
// would take 9 GB before the parser sees a single node (measured on yaml-cpp 0.7), and its
// node tree takes about 450 bytes a node. Neither can be bounded from outside the parser by
// counting: only by what the parser allocates. This file replaces the global operator new and
// delete with ones that, while a ScopedAllocationBudget is alive on the calling thread, count
// the bytes that thread holds and throw std::bad_alloc past the budget. Everywhere else they
// are malloc and free plus one thread-local read.

#include <cstddef>
#include <cstdint>

namespace skein::format {

class ScopedAllocationBudget {
 public:
  explicit ScopedAllocationBudget(size_t bytes);
  ~ScopedAllocationBudget();
  ScopedAllocationBudget(const ScopedAllocationBudget&) = delete;
  ScopedAllocationBudget& operator=(const ScopedAllocationBudget&) = delete;

  // True once an allocation was refused: the std::bad_alloc the caller caught was ours.
  bool exceeded() const { return exceeded_; }

  // Called by operator new/delete only.
  bool Charge(size_t bytes);
  void Refund(size_t bytes) { held_ -= static_cast<int64_t>(bytes); }

 private:
  int64_t limit_;
  // Bytes held since the budget began; memory allocated before and freed during it makes this
  // negative, which only gives back what existed already.
  int64_t held_ = 0;
  bool exceeded_ = false;
  ScopedAllocationBudget* outer_;
};

}  // namespace skein::format
