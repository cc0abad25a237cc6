#include "core/sched/hooks.h"

#include <cstdlib>

#include "core/sched/internal.h"

namespace racefuzz {
namespace internal {
namespace {

// A fixed list of hooks, filled at static initialization and only read afterwards.
template <typename Hook>
struct HookList {
  Hook hooks[kMaxHooks] = {};
  int size = 0;

  void Add(Hook hook) {
    if (size == kMaxHooks) std::abort();
    hooks[size++] = hook;
  }
  template <typename... Args>
  void Call(Args... args) const {
    for (int i = 0; i < size; ++i) hooks[i](args...);
  }
};

HookList<SwitchHook> g_switch_hooks;
HookList<ThreadExitHook> g_thread_exit_hooks;
HookList<RunEndHook> g_run_end_hooks;
HookList<MightSleepHook> g_might_sleep_hooks;

}  // namespace

RACEFUZZ_SCHED_INTERNAL void RunSwitchHooks(ThreadId now_running) {
  g_switch_hooks.Call(now_running);
}
RACEFUZZ_SCHED_INTERNAL void RunThreadExitHooks(ThreadId finished) {
  g_thread_exit_hooks.Call(finished);
}
RACEFUZZ_SCHED_INTERNAL void RunRunEndHooks() { g_run_end_hooks.Call(); }

}  // namespace internal

void add_switch_hook(SwitchHook hook) { internal::g_switch_hooks.Add(hook); }
void add_thread_exit_hook(ThreadExitHook hook) { internal::g_thread_exit_hooks.Add(hook); }
void add_run_end_hook(RunEndHook hook) { internal::g_run_end_hooks.Add(hook); }
void add_might_sleep_hook(MightSleepHook hook) { internal::g_might_sleep_hooks.Add(hook); }
void might_sleep(Label op, Object obj) { internal::g_might_sleep_hooks.Call(op, obj); }

}  // namespace racefuzz
