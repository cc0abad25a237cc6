// The RCU read side: rcu::read_lock() and its Guard (rust/kernel/sync/rcu.rs, seed 004).
//
// A read-side critical section runs from the outermost read_lock() of a simulated thread to the
// drop of its last Guard. synchronize_rcu() (grace_period.h) waits for every section that began
// before it. Each simulated thread (and code outside any simulated thread, as "no thread") has one
// reader slot:
//   live        bit i set while the thread's guard with index i is alive: the nesting is its
//               population count. A new guard takes the lowest free index.
//   generation  per index, bumped when that guard is dropped, so a guard is named by (slot, index,
//               generation) and a dropped guard can never be named again: what a Borrow checks.
//   seq         odd while the thread is inside a section, bumped at the outermost lock and unlock,
//               so a section is named by (slot, seq) and a section that ended can never be named
//               again.
// The slot's seq is a std::atomic. In threads mode: a store with seq_cst at the outermost lock (the
// grace period must see it before the reader's loads), a release store at the outermost unlock,
// which the grace period acquires: the happens-before TSan sees from a reader's accesses to
// whatever the updater does after the grace period (freeing the object). In deterministic runs
// both stores are relaxed and the happens-before is exactly the grace period's two guarantees,
// through cells (BeginSection, EndSection; grace_period.h). The rest of the slot is relaxed: it
// adds no happens-before.
//
// Every run ends with no section open: a simulated thread that finishes inside a section, or code
// outside the simulated threads that still holds a guard when the run ends, is a contract violation
// ("rcu-guard-leaked"), and the end of every run resets every slot (runtime.h: the engine's thread
// exit and run end hooks).
#ifndef RACEFUZZ_CORE_RCU_READ_SIDE_H_
#define RACEFUZZ_CORE_RCU_READ_SIDE_H_

#include <array>
#include <atomic>
#include <cstdint>

#include "core/sched/runtime.h"

namespace racefuzz::rcu {

namespace internal {

// Most guards one simulated thread may hold at once (an engine limit, reported as
// "rcu-too-many-guards").
inline constexpr int kMaxGuards = 64;

// One reader slot per simulated thread, plus slot 0 for code outside any simulated thread. Written
// only by the slot's thread, and by the reset at the end of a run.
struct ReaderSlot {
  std::atomic<uint64_t> live{0};  // bit i: the guard with index i is alive
  std::atomic<uint64_t> seq{0};   // odd: inside a read-side critical section
  std::array<std::atomic<uint64_t>, kMaxGuards> generation{};  // bumped when guard i is dropped
  // Deterministic runs: each outermost unlock releases the section here; a grace period acquires it
  // at the slot's quiescent state (grace_period.cc). Never read or written as memory.
  char ended = 0;
};
inline constexpr int kSlots = kMaxThreads + 1;
ReaderSlot& Slot(int index);
// The slots any run has used (the others were never touched): what a scan of every slot reads, so
// that a grace period costs the same at 2 threads whatever kMaxThreads is.
inline int SlotsInUse() { return thread_ids_used() + 1; }
// The slot index of the calling simulated thread.
inline int CurrentSlot() { return current_thread() + 1; }

// Names one guard and the read-side critical section it was taken in.
struct GuardToken {
  int slot = 0;
  int index = 0;
  uint64_t generation = 0;
  uint64_t section = 0;  // the slot's seq when the guard was taken (odd)
};

// Checks that the guard `token` names is still alive and its section still open (a borrow taken
// under it may be used): "rcu-borrow-after-guard" otherwise.
void CheckGuardAlive(const GuardToken& token);

// The age oracle's view of the readers (issue 11): which reader slots were inside a read-side
// critical section at one moment, an object's retirement (RcuOld, Rcu's drop) or a call_rcu. When
// the object is freed, or before the callback runs, a slot still inside that same section is a
// grace period too short: the reader began before the retirement, may still hold the object, and
// every grace period that may end must have waited for it. This catches a grace period or a cookie
// one grace period early at the free, while the reader holds the object, before any use after free
// (a count of grace periods since the retirement is 0 for a correct free and an early one alike).
//
// Relaxed loads both ways: the oracle adds no happens-before that could hide a race. It reports no
// correct free: a grace period that began after the snapshot has observed every slot's later seq
// (acquire), and the check runs after it on a thread it happens-before, so coherence shows the
// check that seq or a newer one.
class ReaderSnapshot {
 public:
  // The sections open now.
  static ReaderSnapshot Take();

  // Reports "rcu-grace-period-too-short" if a slot is still inside the section it was in at
  // Take(). `act` is what the caller is doing ("frees an object"), `moment` what Take() recorded
  // ("its retirement").
  void CheckReadersLeft(const char* act, const char* moment) const;

 private:
  std::array<uint64_t, kSlots> open_{};  // the slot's seq if it was odd (inside a section), or 0
};

// Deterministic runs, at the outermost read_lock of `slot` (same step as its seq store): the
// section is ordered after the requesters of every grace period that has recorded the slot's
// quiescent state since its last section (guarantee 2, grace_period.cc).
void BeginSection(int slot);

// Deterministic runs, at the outermost unlock of `slot`: releases the section for the grace
// periods that wait for it (guarantee 1).
void EndSection(int slot);

}  // namespace internal

// Evidence that the RCU read-side lock is held on the current simulated thread.
//
// Safety: a Guard is not thread-safe: it is dropped (or unlock()ed) by the simulated thread that
// took it, and only that thread may pass it to dereference(). Checked by a contract check
// ("rcu-guard-other-thread"). Guards nest: the read-side critical section ends when the thread's
// last Guard is dropped. Every guard is dropped before its thread finishes, and code outside the
// simulated threads drops its guards before the run ends (in the kernel, a task must not exit
// inside a read-side critical section): a contract check at thread exit and at the end of the run
// ("rcu-guard-leaked"), which also catches a Guard leaked with new. A Guard may be moved within
// its thread; a moved-from Guard is inert.
//
// Invariants: while `active_`, bit `token_.index` of slot `token_.slot`'s `live` mask is set, the
// slot's generation for that index is still `token_.generation`, and the slot's seq is
// `token_.section` (odd: the section is open); unlock() clears the bit and bumps the generation
// exactly once, and the outermost one ends the section. An inert guard (moved from, or unlocked)
// owns no bit.
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

  // Names this guard and its read-side critical section: what a Borrow taken under it checks.
  const internal::GuardToken& token() const { return token_; }

  // Checks that the calling thread owns this live guard ("rcu-guard-other-thread").
  void check_owner(const char* what) const;

 private:
  friend Guard read_lock();
  Guard();

  internal::GuardToken token_;
  bool active_;
};

// Acquires the RCU read-side lock on the current simulated thread (nests).
Guard read_lock();

// Whether the current simulated thread is inside a read-side critical section.
bool rcu_read_lock_held();

}  // namespace racefuzz::rcu

#endif  // RACEFUZZ_CORE_RCU_READ_SIDE_H_
