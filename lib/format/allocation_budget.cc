#include "lib/format/allocation_budget.h"

#include <malloc.h>

#include <cstdlib>
#include <new>

namespace skein::format {
namespace {

// Constant-initialised, so reading it from operator new needs no thread-local constructor.
thread_local ScopedAllocationBudget* current_budget = nullptr;

}  // namespace

ScopedAllocationBudget::ScopedAllocationBudget(size_t bytes)
    : limit_(static_cast<int64_t>(bytes)), outer_(current_budget) {
  current_budget = this;
}

ScopedAllocationBudget::~ScopedAllocationBudget() { current_budget = outer_; }

bool ScopedAllocationBudget::Charge(size_t bytes) {
  if (held_ + static_cast<int64_t>(bytes) > limit_) {
    exceeded_ = true;
    return false;
  }
  held_ += static_cast<int64_t>(bytes);
  return true;
}

// ThreadSanitizer's runtime defines the global allocation functions itself, and not weakly, so
// a second definition does not link: in the tsan build of tools/test budgets are not enforced,
// and that stage leaves the budget tests out (they run in the plain and asan builds).
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SKEIN_ALLOCATION_BUDGET_ENFORCED 0
#endif
#endif
#ifndef SKEIN_ALLOCATION_BUDGET_ENFORCED
#define SKEIN_ALLOCATION_BUDGET_ENFORCED 1
#endif

#if SKEIN_ALLOCATION_BUDGET_ENFORCED
namespace {

void* Allocate(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  if (ScopedAllocationBudget* budget = current_budget) {
    if (!budget->Charge(malloc_usable_size(p))) {
      std::free(p);
      throw std::bad_alloc();
    }
  }
  return p;
}

void Release(void* p) noexcept {
  if (p == nullptr) return;
  if (ScopedAllocationBudget* budget = current_budget) budget->Refund(malloc_usable_size(p));
  std::free(p);
}

}  // namespace
#endif  // SKEIN_ALLOCATION_BUDGET_ENFORCED
}  // namespace skein::format

#if SKEIN_ALLOCATION_BUDGET_ENFORCED

// The replaceable global allocation functions ([new.delete]); the aligned forms keep the
// library's own (they allocate separately and are not used by the parsers).
void* operator new(std::size_t n) { return skein::format::Allocate(n); }
void* operator new[](std::size_t n) { return skein::format::Allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return skein::format::Allocate(n);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return skein::format::Allocate(n);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { skein::format::Release(p); }
void operator delete[](void* p) noexcept { skein::format::Release(p); }
void operator delete(void* p, std::size_t) noexcept { skein::format::Release(p); }
void operator delete[](void* p, std::size_t) noexcept { skein::format::Release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { skein::format::Release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { skein::format::Release(p); }
#endif  // SKEIN_ALLOCATION_BUDGET_ENFORCED
