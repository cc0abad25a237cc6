#include "core/sched/fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <boost/context/detail/fcontext.hpp>

#include "core/sched/internal.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RACEFUZZ_TSAN 1
#include <sanitizer/tsan_interface.h>
#endif
#if __has_feature(address_sanitizer)
#define RACEFUZZ_ASAN 1
#include <sanitizer/common_interface_defs.h>
#endif
#endif

namespace racefuzz::internal {

namespace bctx = boost::context::detail;

namespace {

// The context being switched into for the first time (set just before the jump, read by
// Trampoline on the new stack; both run on the same OS thread).
thread_local FiberContext* g_starting = nullptr;

RACEFUZZ_SWITCH_CODE void Trampoline(bctx::transfer_t t) {
  FiberContext* self = g_starting;
  FiberContext* from = static_cast<FiberContext*>(t.data);
  from->fctx = t.fctx;
#ifdef RACEFUZZ_ASAN
  // Learns the bounds of the stack we came from (the OS thread's, on the first switch from main).
  __sanitizer_finish_switch_fiber(nullptr, &from->stack_bottom, &from->stack_size);
#endif
  self->entry(self->arg);
  std::abort();  // unreachable: entry switches away for good
}

}  // namespace

FiberStack::FiberStack() {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  mapping_ =
      mmap(nullptr, kSize + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping_ == MAP_FAILED) {
    std::perror("racefuzz: mmap of a fiber stack");
    std::abort();
  }
  // Guard page below the stack: an overflow faults instead of corrupting a neighbour.
  mprotect(mapping_, page, PROT_NONE);
  bottom_ = static_cast<char*>(mapping_) + page;
}

FiberStack::~FiberStack() { munmap(mapping_, kSize + static_cast<size_t>(sysconf(_SC_PAGESIZE))); }

void PrepareFiber(FiberContext& ctx, const FiberStack& stack, void (*entry)(void*), void* arg,
                  const char* name) {
  ctx.fctx = bctx::make_fcontext(stack.top(), FiberStack::kSize, &Trampoline);
  ctx.stack_bottom = stack.bottom();
  ctx.stack_size = FiberStack::kSize;
  ctx.asan_fake_stack = nullptr;
  ctx.entry = entry;
  ctx.arg = arg;
  ctx.started = false;
#ifdef RACEFUZZ_TSAN
  if (ctx.tsan_fiber == nullptr) {
    ctx.tsan_fiber = __tsan_create_fiber(0);
    __tsan_set_fiber_name(ctx.tsan_fiber, name);
  }
#else
  (void)name;
#endif
}

void CaptureCurrent(FiberContext& ctx) {
#ifdef RACEFUZZ_TSAN
  ctx.tsan_fiber = __tsan_get_current_fiber();
#endif
  ctx.asan_fake_stack = nullptr;
}

RACEFUZZ_SWITCH_CODE void SwitchFiber(FiberContext& from, FiberContext& to, bool from_exits) {
  if (!to.started) {
    to.started = true;
    g_starting = &to;
  }
#ifdef RACEFUZZ_ASAN
  __sanitizer_start_switch_fiber(from_exits ? nullptr : &from.asan_fake_stack, to.stack_bottom,
                                 to.stack_size);
#else
  (void)from_exits;
#endif
#ifdef RACEFUZZ_TSAN
  __tsan_switch_to_fiber(to.tsan_fiber, __tsan_switch_to_fiber_no_sync);
#endif
  bctx::transfer_t t = bctx::jump_fcontext(to.fctx, &from);
  // Resumed: whoever switched to us passed its own context; save where it stopped.
  static_cast<FiberContext*>(t.data)->fctx = t.fctx;
#ifdef RACEFUZZ_ASAN
  __sanitizer_finish_switch_fiber(from.asan_fake_stack, nullptr, nullptr);
#endif
}

}  // namespace racefuzz::internal
