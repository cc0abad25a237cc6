// One execution context: a stack, a Boost.Context fcontext, and the sanitizers' view of it (a TSan
// fiber, ASan's fake-stack handle and stack bounds). Internal to the scheduler.
//
// Why Boost.Context and not ucontext: glibc's swapcontext makes an rt_sigprocmask syscall on every
// switch, and ASan's swapcontext interceptor clears the shadow of the whole target stack on every
// switch. fcontext switches in a few instructions; the sanitizer annotations are ours to make.
#ifndef RACEFUZZ_CORE_SCHED_FIBER_H_
#define RACEFUZZ_CORE_SCHED_FIBER_H_

#include <cstddef>

namespace racefuzz::internal {

struct FiberContext {
  void* fctx = nullptr;        // saved boost::context::detail::fcontext_t
  void* tsan_fiber = nullptr;  // TSan's fiber, or the OS thread's own for the main context
  void* asan_fake_stack = nullptr;
  const void* stack_bottom = nullptr;  // lowest address, for ASan
  size_t stack_size = 0;
  void (*entry)(void*) = nullptr;  // run on the first switch-in, with `arg`; must never return
  void* arg = nullptr;
  bool started = true;  // false until the first switch-in of a prepared fiber
};

// A stack with a guard page below it, mapped once and reused for every run (munmap'd at exit).
// 256 KiB: sanitizer reports run on the fiber's stack, and a small stack loses them silently.
class FiberStack {
 public:
  static constexpr size_t kSize = 256 * 1024;
  FiberStack();
  ~FiberStack();
  FiberStack(const FiberStack&) = delete;
  FiberStack& operator=(const FiberStack&) = delete;

  void* bottom() const { return bottom_; }
  void* top() const { return static_cast<char*>(bottom_) + kSize; }

 private:
  void* mapping_;
  void* bottom_;
};

// Makes `ctx` run `entry(arg)` on `stack` from its next switch-in. `entry` must end by switching
// away with from_exits = true. `name` labels the TSan fiber in reports; the TSan fiber is created
// once per context and reused by every later run (no per-input fiber creation).
void PrepareFiber(FiberContext& ctx, const FiberStack& stack, void (*entry)(void*), void* arg,
                  const char* name);

// Captures the calling OS thread as a context to switch back to.
void CaptureCurrent(FiberContext& ctx);

// Switches from `from` to `to`. Returns when something switches back to `from`. If `from_exits`,
// `from` is finished and is never switched back to (its fake stack is released).
void SwitchFiber(FiberContext& from, FiberContext& to, bool from_exits);

}  // namespace racefuzz::internal

#endif  // RACEFUZZ_CORE_SCHED_FIBER_H_
