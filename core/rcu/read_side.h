// The RCU read side: rcu::read_lock() and its Guard (rust/kernel/sync/rcu.rs, seed 004).
//
// A read-side critical section runs from the outermost read_lock() of a simulated thread to the
// drop of its last Guard. synchronize_rcu() (grace_period.h) waits for every section that began
// before it. Each simulated thread (and the run's setup, as "no thread") has one reader slot:
//   nesting  how many Guards of the thread are alive;
//   seq      odd while the thread is inside a section, bumped at the outermost lock and unlock, so
//            a section is named by (slot, seq) and a section that ended can never be named again.
// The slot's seq is a std::atomic: a store with seq_cst at the outermost lock (the grace period
// must see it before the reader's loads), a release store at the outermost unlock, which the grace
// period acquires. That release/acquire pair is the happens-before TSan sees from a reader's
// accesses to whatever the updater does after the grace period (freeing the object), in
// deterministic and threads mode alike.
#ifndef RACEFUZZ_CORE_RCU_READ_SIDE_H_
#define RACEFUZZ_CORE_RCU_READ_SIDE_H_

#include <atomic>
#include <cstdint>

#include "core/sched/runtime.h"

namespace racefuzz::rcu {

namespace internal {

// One reader slot per simulated thread, plus slot 0 for code outside any simulated thread.
struct ReaderSlot {
  std::atomic<int> nesting{0};   // written only by the slot's thread
  std::atomic<uint64_t> seq{0};  // odd: inside a read-side critical section
};
inline constexpr int kSlots = kMaxThreads + 1;
ReaderSlot& Slot(int index);
// The slot index of the calling simulated thread.
inline int CurrentSlot() { return current_thread() + 1; }
// Checks that section `seq` of reader slot `slot` is still open ("rcu-borrow-after-guard").
void CheckSectionOpen(int slot, uint64_t seq);

}  // namespace internal

// Evidence that the RCU read-side lock is held on the current simulated thread.
//
// Safety: a Guard is not thread-safe: it is dropped (or unlock()ed) by the simulated thread that
// took it, and only that thread may pass it to dereference(). Checked by a contract check
// ("rcu-guard-other-thread"). Guards nest: the read-side critical section ends when the thread's
// last Guard is dropped. A Guard may be moved within its thread; a moved-from Guard is inert.
class [[nodiscard]] Guard {
 public:
  Guard(Guard&& other) noexcept;
  // Drops the guard held (unlock()), then takes `other`'s.
  Guard& operator=(Guard&& other) noexcept;
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;
  ~Guard() { unlock(); }

  // Drops the guard early (the Rust `drop(g)`); a no-op on an inert guard.
  void unlock();

  // The simulated thread that took the guard.
  ThreadId owner() const { return slot_ - 1; }
  // The read-side critical section the guard belongs to, as (slot, seq): what a Borrow checks.
  int slot() const { return slot_; }
  uint64_t section() const { return seq_; }
  bool active() const { return active_; }

  // Checks that the calling thread owns this live guard ("rcu-guard-other-thread").
  void check_owner(const char* what) const;

 private:
  friend Guard read_lock();
  Guard();

  int slot_;
  uint64_t seq_;
  bool active_;
};

// Acquires the RCU read-side lock on the current simulated thread (nests).
Guard read_lock();

// Whether the current simulated thread is inside a read-side critical section.
bool in_read_side();

}  // namespace racefuzz::rcu

#endif  // RACEFUZZ_CORE_RCU_READ_SIDE_H_
