// SRCU (srcu.h): a domain's reader slots, its grace periods, its callbacks and their kthread.
#include "core/rcu/srcu.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

// A callback queued by call_srcu.
struct SrcuPending {
  uint64_t cookie;  // the domain's `started` when queued: ready once `completed` passes it
  absl::AnyInvocable<void() &&> callback;
};

// A simulated thread's state in one domain (the kernel's per-CPU srcu_data): its reader state,
// written by its thread only (and the grace period's bookkeeping by the domain's grace periods;
// relaxed except `seq` in threads mode), and its callback queue.
//
// Invariants: `pending[head..]` is in call order (cookies never decrease) and, with `head`,
// guarded by `mu`; invoked <= queued, and queued - invoked callbacks are pending or running.
struct SrcuSlot {
  std::array<std::atomic<uint32_t>, 2> nesting{};  // open sections taken with index 0 and 1
  std::atomic<uint64_t> seq{0};                    // odd while any section of the domain is open
  // Deterministic runs: each outermost unlock releases here; a grace period acquires it at the
  // slot's quiescent state. Never read or written as memory.
  char ended = 0;
  std::atomic<uint64_t> quiescent{0};  // the newest grace period that passed this slot
  std::atomic<uint64_t> acquired{0};   // the newest one whose requesters its sections follow
  std::atomic<bool> reads{false};      // the slot's thread has read the domain
  // The thread's callbacks: one queue per thread, invoked in queue order by its own kthread in a
  // deterministic run; different threads' callbacks run in the order the input picks. The
  // spinlock orders only this thread's calls with its kthread.
  SpinLock mu{"srcu_callbacks"};
  std::vector<SrcuPending> pending;  // a vector, not a deque: a domain has kSlots of them
  size_t head = 0;
  std::atomic<uint64_t> queued{0};
  std::atomic<uint64_t> invoked{0};
  char invoked_cell = 0;  // each callback releases here; srcu_barrier acquires
  std::atomic<bool> kthread_spawned{false};
  std::atomic<uint64_t> wakeups{0};  // bumped by every wake-up of the queue's kthread
};

// Bit 0 of SrcuState::gate: the index srcu_read_lock and srcu_down_read return now. Above it, the
// srcu_down_read sections open with each index (31 bits each): one word, so that a down_read takes
// the index and counts itself in one atomic step that a grace period's flip cannot split.
constexpr int DownShift(int idx) { return idx == 0 ? 1 : 32; }
inline constexpr uint64_t kDownMask = (uint64_t{1} << 31) - 1;
inline uint64_t DownOpen(uint64_t gate, int idx) { return (gate >> DownShift(idx)) & kDownMask; }

// Invariants: completed <= started <= completed + 1 (one grace period at a time, held by `busy`);
// the gate's index flips at each grace period's start, and a grace period waits for the down
// sections of the index before its flip (the sections that began before it: those of older grace
// periods with that index were waited for by the grace period before).
struct SrcuState {
  explicit SrcuState(const char* n) : name(n) {}
  const char* name;
  std::atomic<int> refs{1};  // the srcu_struct's, and one per running queue kthread
  std::array<SrcuSlot, kSlots> slots;
  std::atomic<uint64_t> gate{0};
  std::atomic<uint64_t> started{0};
  std::atomic<uint64_t> completed{0};
  std::atomic<bool> busy{false};
  std::atomic<bool> down_used{false};  // a down section was ever taken: grace periods yield there
  // Deterministic runs: guarantee 2 (requesters of grace period g -> sections that begin after
  // its quiescent state on their slot) and guarantee 1 (the sections g waited for -> its waiters
  // and the callbacks it made ready), as RCU's GracePeriods.
  std::array<char, kGpCells> before{};
  std::array<char, kGpCells> at_end{};
  std::array<char, 2> down_ended{};  // each srcu_up_read releases its index's cell
};

}  // namespace internal

namespace {

using internal::DownOpen;
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

// Waits for the domain's grace period to be free and takes it; returns false, taking nothing, as
// soon as grace period `done_after` + 1 has completed instead (a callback's: another thread ran
// it).
bool TakeGracePeriod(SrcuState& st, uint64_t done_after) {
  bool taken = false;
  wait_until(
      [&] {
        if (st.completed.load(Bookkeeping(std::memory_order_acquire)) > done_after) return true;
        bool expected = false;
        taken =
            st.busy.compare_exchange_strong(expected, true, Bookkeeping(std::memory_order_acquire));
        return taken;
      },
      "srcu_gp_serialize", DomainObject(st));
  return taken;
}

// One grace period of the domain, on the calling thread, which has taken it (TakeGracePeriod); the
// caller's past is its requesters'.
void RunTakenGracePeriod(SrcuState& st) {
  const uint64_t gp = st.started.fetch_add(1, Bookkeeping(std::memory_order_seq_cst)) + 1;
  // The flip: down sections that take the index from now on are not waited for.
  const int old_idx =
      static_cast<int>(st.gate.fetch_xor(1, Bookkeeping(std::memory_order_seq_cst)) & 1);
  const int slots = internal::SlotsInUse();
  auto down_drained = [&] {
    return DownOpen(st.gate.load(Bookkeeping(std::memory_order_acquire)), old_idx) == 0;
  };
  if (kthreads_available()) {
    // What the requester did before asking happens-before the sections that begin after their
    // slot's quiescent state, and the down sections that begin after the flip (guarantee 2).
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
    if (st.down_used.load(std::memory_order_relaxed)) {
      yield_point("srcu_gp_qs_down", DomainObject(st));
      wait_until(down_drained, "srcu_gp_wait_down", DomainObject(st));
      happens_before_acquire(&st.down_ended[old_idx]);
    }
    st.completed.store(gp, std::memory_order_relaxed);
    happens_before_release(&st.at_end[gp % internal::kGpCells]);
  } else {
    // Snapshot (seq_cst pairs with the reader's seq_cst store at its outermost lock), wait for
    // the open sections, then acquire every slot's last outermost unlock; the down sections of
    // the old index drain (an acquire load of the gate, after their release fetch_sub).
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
    wait_until(down_drained, "srcu_gp_wait_down", DomainObject(st));
    for (int i = 0; i < slots; ++i) (void)st.slots[i].seq.load(std::memory_order_acquire);
    st.completed.store(gp, Bookkeeping(std::memory_order_seq_cst));
  }
  st.busy.store(false, Bookkeeping(std::memory_order_release));
  note("srcu_gp_end", DomainObject(st));
}

// A full grace period that starts after the call (synchronize_srcu's).
void RunGracePeriod(SrcuState& st) {
  TakeGracePeriod(st, ~uint64_t{0});
  RunTakenGracePeriod(st);
}

// Whether queue `s` has callbacks pending or running.
bool HasPending(const SrcuSlot& s) {
  return s.queued.load(std::memory_order_relaxed) != s.invoked.load(std::memory_order_relaxed);
}

// Takes queue `q`'s oldest callback if its grace period has completed and invokes it on the
// calling thread, as an RCU callback of that queue (it must not sleep; one it queues goes on the
// same queue). Returns whether it did; if not, `*waiting` is the cookie of the oldest (or stays).
bool InvokeOneReady(SrcuState& st, int q, uint64_t* waiting = nullptr) {
  SrcuSlot& s = st.slots[q];
  std::optional<internal::SrcuPending> p;
  {
    racefuzz::Guard<SpinLock> lock(s.mu);
    if (s.head != s.pending.size()) {
      internal::SrcuPending& oldest = s.pending[s.head];
      if (st.completed.load(Bookkeeping(std::memory_order_acquire)) > oldest.cookie) {
        p.emplace(std::move(oldest));
        if (++s.head == s.pending.size()) {
          s.pending.clear();
          s.head = 0;
        }
      } else if (waiting != nullptr) {
        *waiting = oldest.cookie;
      }
    }
  }
  if (!p.has_value()) return false;
  // The sections the callback's grace period waited for happen-before it (guarantee 1).
  if (kthreads_available()) {
    happens_before_acquire(&st.at_end[(p->cookie + 1) % internal::kGpCells]);
  }
  note("srcu_callback", DomainObject(st));
  {
    const internal::InvokingCallback invoking(q);
    // SAFETY: a grace period of the domain that started after the call_srcu has completed, so no
    // section that could see what the callback frees is still open.
    std::move(p->callback)();
  }
  happens_before_release(&s.invoked_cell);
  s.invoked.fetch_add(1, std::memory_order_relaxed);
  return true;
}

// A counted reference to a domain's state (srcu_struct's invariant): a queue kthread's.
//
// Invariants: `st_` holds one of the state's references, or is null (moved from).
class StateRef {
 public:
  explicit StateRef(SrcuState& st) : st_(&st) { st.refs.fetch_add(1, std::memory_order_relaxed); }
  StateRef(StateRef&& other) noexcept : st_(std::exchange(other.st_, nullptr)) {}
  StateRef& operator=(StateRef&&) = delete;
  ~StateRef() { Drop(st_); }
  SrcuState& operator*() const { return *st_; }

  // Drops one reference to `st` (if not null): the last frees it.
  static void Drop(SrcuState* st) {
    if (st != nullptr && st->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete st;
  }

 private:
  SrcuState* st_;
};

// The kthread of queue `q` in a deterministic run (the kernel's SRCU workqueue, per CPU): invokes
// the queue's callbacks in queue order, runs the grace period the oldest waits for unless another
// thread does, sleeps with nothing pending. As rcuo's, it sleeps only if no wake-up came since it
// began to look. It leaves only with nothing pending, so every callback queued in a run runs in it
// (a run's stop comes when every other thread has finished: no reader is left to hold a grace
// period up).
void SrcuKthread(SrcuState& st, int q) {
  SrcuSlot& s = st.slots[q];
  for (;;) {
    const uint64_t seen = s.wakeups.load(std::memory_order_relaxed);
    uint64_t waiting = 0;
    if (InvokeOneReady(st, q, &waiting)) continue;
    if (HasPending(s)) {
      if (TakeGracePeriod(st, waiting)) RunTakenGracePeriod(st);
      continue;
    }
    if (kthread_should_stop()) break;
    if (s.wakeups.load(std::memory_order_relaxed) != seen) continue;
    kthread_sleep(&s.wakeups, "srcu_kthread_sleep", {st.name, static_cast<uint64_t>(q)});
  }
  s.kthread_spawned.store(false, std::memory_order_relaxed);
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

srcu_struct::srcu_struct(const char* name) : state_(new internal::SrcuState(name)) {}

srcu_struct::~srcu_struct() { StateRef::Drop(state_); }

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
  const uint64_t gate = st.gate.load(std::memory_order_relaxed);
  const uint64_t down = DownOpen(gate, 0) + DownOpen(gate, 1);
  RACEFUZZ_CONTRACT(down == 0, "srcu-cleanup-busy",
                    "T%d calls cleanup_srcu_struct(%s) while %llu srcu_down_read section(s) of it "
                    "are open (no srcu_up_read yet)",
                    current_thread(), st.name, static_cast<unsigned long long>(down));
  uint64_t left = 0;
  for (int i = 0, slots = internal::SlotsInUse(); i < slots; ++i) {
    left += st.slots[i].queued.load(std::memory_order_relaxed) -
            st.slots[i].invoked.load(std::memory_order_relaxed);
  }
  RACEFUZZ_CONTRACT(left == 0, "srcu-cleanup-busy",
                    "T%d calls cleanup_srcu_struct(%s) with %llu call_srcu callback(s) still "
                    "pending: srcu_barrier must come first",
                    current_thread(), st.name, static_cast<unsigned long long>(left));
}

int srcu_read_lock(srcu_struct* ssp) {
  SrcuState& st = ssp->state();
  SrcuSlot& s = st.slots[internal::CurrentSlot()];
  yield_point("srcu_read_lock", DomainObject(st));
  const int idx = static_cast<int>(st.gate.load(std::memory_order_relaxed) & 1);
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

int srcu_down_read(srcu_struct* ssp) {
  SrcuState& st = ssp->state();
  yield_point("srcu_down_read", DomainObject(st));
  st.down_used.store(true, std::memory_order_relaxed);
  // Takes the index and counts the section under it in one step: a grace period's flip comes
  // wholly before (the section is not waited for) or after (it is).
  uint64_t gate = st.gate.load(std::memory_order_relaxed);
  int idx = 0;
  do {
    idx = static_cast<int>(gate & 1);
  } while (!st.gate.compare_exchange_weak(gate, gate + (uint64_t{1} << internal::DownShift(idx)),
                                          Bookkeeping(std::memory_order_seq_cst),
                                          std::memory_order_relaxed));
  if (current_mode() == Mode::kDeterministic) {
    // A section no grace period in progress waits for follows its requesters, and those of every
    // grace period that passed this thread's slot (guarantee 2).
    SrcuSlot& s = st.slots[internal::CurrentSlot()];
    BeginSection(st, s);
    const uint64_t started = st.started.load(std::memory_order_relaxed);
    if (started != st.completed.load(std::memory_order_relaxed)) {
      happens_before_acquire(&st.before[started % internal::kGpCells]);
    }
  }
  return idx;
}

void srcu_up_read(srcu_struct* ssp, int idx) {
  SrcuState& st = ssp->state();
  yield_point("srcu_up_read", DomainObject(st));
  const uint64_t gate = st.gate.load(std::memory_order_relaxed);
  const bool valid = idx == 0 || idx == 1;
  if (!valid || DownOpen(gate, idx) == 0) {
    check::ContractViolation(
        "srcu-up-read-unmatched",
        absl::StrFormat("T%d calls srcu_up_read(%s, %d) but no srcu_down_read section of %s "
                        "taken with index %d is open (%llu with index 0, %llu with index 1): "
                        "the index must be one an srcu_down_read of the domain returned, each "
                        "released once",
                        current_thread(), st.name, idx, st.name, idx,
                        static_cast<unsigned long long>(DownOpen(gate, 0)),
                        static_cast<unsigned long long>(DownOpen(gate, 1))));
  }
  // Everything the section did (on any thread, up to here) happens-before the end of a grace
  // period that waited for it.
  if (current_mode() == Mode::kDeterministic) happens_before_release(&st.down_ended[idx]);
  st.gate.fetch_sub(uint64_t{1} << internal::DownShift(idx),
                    Bookkeeping(std::memory_order_release));
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
  // The calling thread's queue (its CPU's srcu_data): no lock or order is shared with other
  // threads' call_srcu.
  const int q = internal::CallbackQueueOfCaller();
  SrcuSlot& s = st.slots[q];
  {
    racefuzz::Guard<SpinLock> lock(s.mu);
    yield_point("call_srcu", DomainObject(st));
    const uint64_t cookie = st.started.load(Bookkeeping(std::memory_order_seq_cst));
    // The caller's past happens-before the sections that begin after the quiescent states of the
    // grace period the callback needs (guarantee 2): with serialized grace periods, cookie + 1,
    // which cannot have started yet (no yield point since the load).
    if (kthreads_available()) {
      happens_before_release(&st.before[(cookie + 1) % internal::kGpCells]);
    }
    s.pending.push_back({cookie, std::move(callback)});
    s.queued.fetch_add(1, std::memory_order_relaxed);
  }
  if (!kthreads_available()) return;
  if (!s.kthread_spawned.exchange(true, std::memory_order_relaxed)) {
    spawn_kthread([keep = StateRef(st), q] { SrcuKthread(*keep, q); });
  } else {
    s.wakeups.fetch_add(1, std::memory_order_relaxed);
    kthread_wake(&s.wakeups);
  }
}

void srcu_barrier(srcu_struct* ssp) {
  SrcuState& st = ssp->state();
  RACEFUZZ_CONTRACT(!internal::InCallback(), "rcu-barrier-in-callback",
                    "T%d calls srcu_barrier(%s) from an RCU callback: callbacks run in "
                    "softirq-like context and must not block; it would wait for itself",
                    current_thread(), st.name);
  yield_point("srcu_barrier", DomainObject(st));
  // The callbacks queued before the call: each queue's count now (not those queued after it).
  const int queues = internal::SlotsInUse();
  std::array<uint64_t, internal::kSlots> targets{};
  for (int q = 0; q < queues; ++q) targets[q] = st.slots[q].queued.load(std::memory_order_relaxed);
  auto invoked = [&](int q) {
    return st.slots[q].invoked.load(std::memory_order_relaxed) >= targets[q];
  };
  auto done = [&] {
    for (int q = 0; q < queues; ++q) {
      if (!invoked(q)) return false;
    }
    return true;
  };
  if (kthreads_available()) {
    // The queues' kthreads invoke them.
    wait_until(done, "srcu_barrier_wait", DomainObject(st));
  } else {
    // No kthread: the caller runs grace periods and invokes them, queue by queue.
    while (!done()) {
      bool ran = false;
      for (int q = 0; q < queues; ++q) {
        while (!invoked(q) && InvokeOneReady(st, q)) ran = true;
      }
      if (!ran && !done()) RunGracePeriod(st);
    }
  }
  for (int q = 0; q < queues; ++q) {
    if (targets[q] != 0) happens_before_acquire(&st.slots[q].invoked_cell);
  }
}

}  // namespace racefuzz::rcu
