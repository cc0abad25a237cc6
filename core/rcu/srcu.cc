// SRCU (srcu.h): a domain's reader slots, its grace periods, its callbacks and their kthread.
#include "core/rcu/srcu.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "core/check/report.h"
#include "core/rcu/callbacks_internal.h"
#include "core/rcu/read_side.h"
#include "core/rcu/run_state.h"
#include "core/sched/happens_before.h"
#include "core/sched/kthread.h"
#include "core/sched/sync.h"

namespace racefuzz::rcu {
namespace internal {

// A simulated thread's reader state in one domain. Written by its thread only (and the grace
// period's bookkeeping by the domain's grace periods); relaxed except `seq` in threads mode.
struct SrcuSlot {
  std::array<std::atomic<uint32_t>, 2> nesting{};  // open sections taken with index 0 and 1
  std::atomic<uint64_t> seq{0};                    // odd while any section of the domain is open
  // Deterministic runs: each outermost unlock releases here; a grace period acquires it at the
  // slot's quiescent state. Never read or written as memory.
  char ended = 0;
  std::atomic<uint64_t> quiescent{0};  // the newest grace period that passed this slot
  std::atomic<uint64_t> acquired{0};   // the newest one whose requesters its sections follow
  std::atomic<bool> reads{false};      // the slot's thread has read the domain
};

// A callback queued by call_srcu.
struct SrcuPending {
  uint64_t cookie;  // the domain's `started` when queued: ready once `completed` passes it
  absl::AnyInvocable<void() &&> callback;
};

// Invariants: completed <= started <= completed + 1 (one grace period at a time, held by `busy`);
// `pending` is in call order (cookies never decrease) and guarded by `mu`; invoked <= queued.
struct SrcuState {
  explicit SrcuState(const char* n) : name(n) {}
  const char* name;
  std::array<SrcuSlot, kSlots> slots;
  std::atomic<uint32_t> idx{0};  // the index srcu_read_lock returns now; flips at each grace period
  std::atomic<uint64_t> started{0};
  std::atomic<uint64_t> completed{0};
  std::atomic<bool> busy{false};
  // Deterministic runs: guarantee 2 (requesters of grace period g -> sections that begin after
  // its quiescent state on their slot) and guarantee 1 (the sections g waited for -> its waiters
  // and the callbacks it made ready), as RCU's GracePeriods.
  std::array<char, kGpCells> before{};
  std::array<char, kGpCells> at_end{};
  SpinLock mu{"srcu_callbacks"};
  std::deque<SrcuPending> pending;
  std::atomic<uint64_t> queued{0};
  std::atomic<uint64_t> invoked{0};
  char invoked_cell = 0;  // each callback releases here; srcu_barrier acquires
  std::atomic<bool> kthread_spawned{false};
  std::atomic<uint64_t> wakeups{0};  // bumped by every wake-up of the kthread
};

}  // namespace internal

namespace {

using internal::SrcuSlot;
using internal::SrcuState;

// As grace_period.cc's: the bookkeeping adds no happens-before in deterministic runs.
std::memory_order Bookkeeping(std::memory_order strong) {
  return current_mode() == Mode::kThreads ? strong : std::memory_order_relaxed;
}

Object DomainObject(const SrcuState& st) { return {st.name, 0}; }

Object ReaderObject(int slot) {
  return slot == 0 ? Object{"setup_reader", 0}
                   : Object{"reader_T", static_cast<uint64_t>(slot - 1)};
}

uint32_t Nesting(const SrcuSlot& s) {
  return s.nesting[0].load(std::memory_order_relaxed) +
         s.nesting[1].load(std::memory_order_relaxed);
}

// Deterministic runs, at the outermost srcu_read_lock of `slot`: the section follows the
// requesters of every grace period that has passed the slot since its last section (guarantee 2).
void BeginSection(SrcuState& st, SrcuSlot& s) {
  s.reads.store(true, std::memory_order_relaxed);
  const uint64_t quiescent = s.quiescent.load(std::memory_order_relaxed);
  uint64_t from = s.acquired.load(std::memory_order_relaxed);
  if (quiescent - from > static_cast<uint64_t>(internal::kGpCells)) {
    from = quiescent - internal::kGpCells;
  }
  for (uint64_t g = from + 1; g <= quiescent; ++g) {
    happens_before_acquire(&st.before[g % internal::kGpCells]);
  }
  s.acquired.store(quiescent, std::memory_order_relaxed);
}

// One grace period of the domain, on the calling thread; the caller's past is its requesters'.
void RunGracePeriod(SrcuState& st) {
  wait_until(
      [&] {
        bool expected = false;
        return st.busy.compare_exchange_strong(expected, true,
                                               Bookkeeping(std::memory_order_acquire));
      },
      "srcu_gp_serialize", DomainObject(st));
  const uint64_t gp = st.started.fetch_add(1, Bookkeeping(std::memory_order_seq_cst)) + 1;
  st.idx.fetch_add(1, std::memory_order_relaxed);
  const int slots = internal::SlotsInUse();
  if (kthreads_available()) {
    // What the requester did before asking happens-before the sections that begin after their
    // slot's quiescent state (guarantee 2).
    happens_before_release(&st.before[gp % internal::kGpCells]);
    for (int i = 0; i < internal::SlotsInUse(); ++i) {
      SrcuSlot& s = st.slots[i];
      if (s.reads.load(std::memory_order_relaxed)) yield_point("srcu_gp_qs", ReaderObject(i));
      if (s.seq.load(std::memory_order_relaxed) & 1) {
        wait_until([&] { return (s.seq.load(std::memory_order_relaxed) & 1) == 0; }, "srcu_gp_wait",
                   ReaderObject(i));
      }
      happens_before_acquire(&s.ended);
      s.quiescent.store(gp, std::memory_order_relaxed);
    }
    st.completed.store(gp, std::memory_order_relaxed);
    happens_before_release(&st.at_end[gp % internal::kGpCells]);
  } else {
    // Snapshot (seq_cst pairs with the reader's seq_cst store at its outermost lock), wait for
    // the open sections, then acquire every slot's last outermost unlock.
    std::array<uint64_t, internal::kSlots> open{};
    for (int i = 0; i < slots; ++i) {
      const uint64_t seq = st.slots[i].seq.load(std::memory_order_seq_cst);
      open[i] = (seq & 1) ? seq : 0;
    }
    for (int i = 0; i < slots; ++i) {
      if (open[i] == 0) continue;
      SrcuSlot& s = st.slots[i];
      wait_until([&] { return s.seq.load(std::memory_order_relaxed) != open[i]; }, "srcu_gp_wait",
                 ReaderObject(i));
    }
    for (int i = 0; i < slots; ++i) (void)st.slots[i].seq.load(std::memory_order_acquire);
    st.completed.store(gp, Bookkeeping(std::memory_order_seq_cst));
  }
  st.busy.store(false, Bookkeeping(std::memory_order_release));
  note("srcu_gp_end", DomainObject(st));
}

// Takes the domain's oldest callback if its grace period has completed and invokes it on the
// calling thread, as an RCU callback (it must not sleep: RcuRunState::invoking). Returns whether
// it did.
bool InvokeOneReady(SrcuState& st) {
  std::optional<internal::SrcuPending> p;
  {
    racefuzz::Guard<SpinLock> lock(st.mu);
    if (!st.pending.empty() &&
        st.completed.load(Bookkeeping(std::memory_order_acquire)) > st.pending.front().cookie) {
      p.emplace(std::move(st.pending.front()));
      st.pending.pop_front();
    }
  }
  if (!p.has_value()) return false;
  // The sections the callback's grace period waited for happen-before it (guarantee 1).
  if (kthreads_available()) {
    happens_before_acquire(&st.at_end[(p->cookie + 1) % internal::kGpCells]);
  }
  note("srcu_callback", DomainObject(st));
  std::atomic<int>& invoking = internal::RunState().invoking[internal::CurrentSlot()];
  const int outer = invoking.load(std::memory_order_relaxed);
  invoking.store(internal::CurrentSlot() + 1, std::memory_order_relaxed);
  // SAFETY: a grace period of the domain that started after the call_srcu has completed, so no
  // section that could see what the callback frees is still open.
  std::move(p->callback)();
  invoking.store(outer, std::memory_order_relaxed);
  happens_before_release(&st.invoked_cell);
  st.invoked.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool HasPending(SrcuState& st) {
  return st.queued.load(std::memory_order_relaxed) != st.invoked.load(std::memory_order_relaxed);
}

// The domain's kthread in a deterministic run (the kernel's SRCU workqueue): runs a grace period
// while callbacks wait for one, invokes them in queue order, sleeps otherwise. As rcuo's, it
// sleeps only if no wake-up came since it began to look. It leaves only with nothing pending, so
// every callback queued in a run runs in it (a run's stop comes when every other thread has
// finished: no reader is left to hold a grace period up).
void SrcuKthread(std::shared_ptr<SrcuState> keep) {
  SrcuState& st = *keep;
  for (;;) {
    const uint64_t seen = st.wakeups.load(std::memory_order_relaxed);
    if (InvokeOneReady(st)) continue;
    if (HasPending(st)) {
      RunGracePeriod(st);
      continue;
    }
    if (kthread_should_stop()) break;
    if (st.wakeups.load(std::memory_order_relaxed) != seen) continue;
    kthread_sleep(&st.wakeups, "srcu_kthread_sleep", DomainObject(st));
  }
  st.kthread_spawned.store(false, std::memory_order_relaxed);
}

// "T2", or what slot 0 stands for.
std::string Who(int slot) {
  return slot == 0 ? std::string("code outside the simulated threads (the run's setup)")
                   : absl::StrFormat("T%d", slot - 1);
}

// Reports "srcu-read-lock-leaked" if `slot`'s thread is inside an SRCU section. `where` names the
// point at which it must not be, with %s for Who(slot).
void CheckNoSrcuSectionOpen(int slot, const absl::FormatSpec<std::string>& where) {
  const int open = internal::RunState().srcu_sections[slot].load(std::memory_order_relaxed);
  RACEFUZZ_CONTRACT(open == 0, "srcu-read-lock-leaked",
                    "%s inside read-side critical sections of %d SRCU domain(s) (an "
                    "srcu_read_lock with no srcu_read_unlock): every later grace period of the "
                    "domain would wait for it forever (lockdep: \"lock held at task exit time\")",
                    absl::StrFormat(where, Who(slot)), open);
}

// Thread exit hook: a simulated thread must leave its SRCU sections before it finishes.
void OnThreadExit(ThreadId finished) { CheckNoSrcuSectionOpen(finished + 1, "%s exited"); }

// Run end hook: code outside the simulated threads must have left its sections too; then the
// counts start the next run from zero.
void OnRunEnd() {
  CheckNoSrcuSectionOpen(0, "the run ended with %s");
  for (std::atomic<int>& open : internal::RunState().srcu_sections) {
    open.store(0, std::memory_order_relaxed);
  }
}

[[maybe_unused]] const bool g_hooks_registered = [] {
  add_thread_exit_hook(&OnThreadExit);
  add_run_end_hook(&OnRunEnd);
  return true;
}();

}  // namespace

srcu_struct::srcu_struct(const char* name) : state_(std::make_shared<internal::SrcuState>(name)) {}

srcu_struct::~srcu_struct() = default;

void cleanup_srcu_struct(srcu_struct* ssp) {
  SrcuState& st = ssp->state();
  for (int i = 0, slots = internal::SlotsInUse(); i < slots; ++i) {
    const uint32_t open = Nesting(st.slots[i]);
    RACEFUZZ_CONTRACT(
        open == 0, "srcu-cleanup-busy",
        "T%d calls cleanup_srcu_struct(%s) while %s is inside %u of its read-side "
        "critical sections",
        current_thread(), st.name,
        i == 0 ? "code outside the simulated threads" : absl::StrFormat("T%d", i - 1).c_str(),
        open);
  }
  const uint64_t left =
      st.queued.load(std::memory_order_relaxed) - st.invoked.load(std::memory_order_relaxed);
  RACEFUZZ_CONTRACT(left == 0, "srcu-cleanup-busy",
                    "T%d calls cleanup_srcu_struct(%s) with %llu call_srcu callback(s) still "
                    "pending: srcu_barrier must come first",
                    current_thread(), st.name, static_cast<unsigned long long>(left));
}

int srcu_read_lock(srcu_struct* ssp) {
  SrcuState& st = ssp->state();
  SrcuSlot& s = st.slots[internal::CurrentSlot()];
  yield_point("srcu_read_lock", DomainObject(st));
  const int idx = static_cast<int>(st.idx.load(std::memory_order_relaxed) & 1);
  if (Nesting(s) == 0) {
    std::atomic<int>& open = internal::RunState().srcu_sections[internal::CurrentSlot()];
    open.store(open.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    // Outermost: a new section of the domain (seq_cst in threads mode, as RCU's reader slots).
    const uint64_t next = s.seq.load(std::memory_order_relaxed) + 1;
    if (current_mode() == Mode::kDeterministic) {
      s.seq.store(next, std::memory_order_relaxed);
      BeginSection(st, s);
    } else {
      s.seq.store(next, std::memory_order_seq_cst);
    }
  }
  s.nesting[idx].store(s.nesting[idx].load(std::memory_order_relaxed) + 1,
                       std::memory_order_relaxed);
  return idx;
}

void srcu_read_unlock(srcu_struct* ssp, int idx) {
  SrcuState& st = ssp->state();
  SrcuSlot& s = st.slots[internal::CurrentSlot()];
  yield_point("srcu_read_unlock", DomainObject(st));
  const bool valid = idx == 0 || idx == 1;
  const uint32_t open = Nesting(s);
  if (!valid || s.nesting[idx].load(std::memory_order_relaxed) == 0) {
    check::ContractViolation(
        "srcu-unlock-wrong-index",
        absl::StrFormat(
            "T%d calls srcu_read_unlock(%s, %d) but holds no read-side critical section of %s "
            "taken with index %d (it holds %u of that domain%s): the index must be the one its "
            "srcu_read_lock returned, on the same domain",
            current_thread(), st.name, idx, st.name, idx, open,
            open == 0 ? "; an unbalanced unlock" : ", with the other index"));
  }
  s.nesting[idx].store(s.nesting[idx].load(std::memory_order_relaxed) - 1,
                       std::memory_order_relaxed);
  if (open == 1) {
    std::atomic<int>& sections = internal::RunState().srcu_sections[internal::CurrentSlot()];
    sections.store(sections.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    // Outermost unlock: everything the section did happens-before the end of a grace period that
    // waited for it.
    const uint64_t next = s.seq.load(std::memory_order_relaxed) + 1;
    if (current_mode() == Mode::kDeterministic) {
      happens_before_release(&s.ended);
      s.seq.store(next, std::memory_order_relaxed);
    } else {
      s.seq.store(next, std::memory_order_release);
    }
  }
}

bool srcu_read_lock_held(const srcu_struct* ssp) {
  return Nesting(ssp->state().slots[internal::CurrentSlot()]) != 0;
}

void synchronize_srcu(srcu_struct* ssp) {
  SrcuState& st = ssp->state();
  RACEFUZZ_CONTRACT(!internal::InCallback(), "rcu-synchronize-in-callback",
                    "T%d calls synchronize_srcu(%s) from an RCU callback: callbacks run in "
                    "softirq-like context and must not block or wait for a grace period",
                    current_thread(), st.name);
  yield_point("synchronize_srcu", DomainObject(st));
  // A grace period that starts after the call: its own, on this thread, which acquired the sections
  // it waited for itself (guarantee 1).
  RunGracePeriod(st);
}

void call_srcu(srcu_struct* ssp, absl::AnyInvocable<void() &&> callback) {
  SrcuState& st = ssp->state();
  {
    racefuzz::Guard<SpinLock> lock(st.mu);
    yield_point("call_srcu", DomainObject(st));
    const uint64_t cookie = st.started.load(Bookkeeping(std::memory_order_seq_cst));
    // The caller's past happens-before the sections that begin after the quiescent states of the
    // grace period the callback needs (guarantee 2): with serialized grace periods, cookie + 1,
    // which cannot have started yet (no yield point since the load).
    if (kthreads_available()) {
      happens_before_release(&st.before[(cookie + 1) % internal::kGpCells]);
    }
    st.pending.push_back({cookie, std::move(callback)});
    st.queued.fetch_add(1, std::memory_order_relaxed);
  }
  if (!kthreads_available()) return;
  if (!st.kthread_spawned.exchange(true, std::memory_order_relaxed)) {
    spawn_kthread([keep = ssp->shared_state()] { SrcuKthread(keep); });
  } else {
    st.wakeups.fetch_add(1, std::memory_order_relaxed);
    kthread_wake(&st.wakeups);
  }
}

void srcu_barrier(srcu_struct* ssp) {
  SrcuState& st = ssp->state();
  RACEFUZZ_CONTRACT(!internal::InCallback(), "rcu-barrier-in-callback",
                    "T%d calls srcu_barrier(%s) from an RCU callback: callbacks run in "
                    "softirq-like context and must not block; it would wait for itself",
                    current_thread(), st.name);
  yield_point("srcu_barrier", DomainObject(st));
  const uint64_t target = st.queued.load(std::memory_order_relaxed);
  auto done = [&] { return st.invoked.load(std::memory_order_relaxed) >= target; };
  if (kthreads_available()) {
    // The domain's kthread invokes them.
    wait_until(done, "srcu_barrier_wait", DomainObject(st));
  } else {
    // No kthread: the caller runs grace periods and invokes them.
    while (!done()) {
      if (!InvokeOneReady(st)) RunGracePeriod(st);
    }
  }
  if (target != 0) happens_before_acquire(&st.invoked_cell);
}

}  // namespace racefuzz::rcu
