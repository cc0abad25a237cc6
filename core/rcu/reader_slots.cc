// The reader slots (read_side.h) and their checks: a borrow's guard still alive, no section left
// open by a finished thread or at the end of a run, the age oracle's reader snapshots, and the
// reset that starts every run clean.
#include <array>
#include <bit>
#include <string>

#include "absl/strings/str_format.h"
#include "core/check/report.h"
#include "core/rcu/read_side.h"

namespace racefuzz::rcu::internal {
namespace {

// "T2", or what slot 0 stands for.
std::string Who(int slot) {
  return slot == 0 ? std::string("code outside the simulated threads (the run's setup)")
                   : absl::StrFormat("T%d", slot - 1);
}

// Reports "rcu-guard-leaked" if `slot` is inside a read-side critical section. `where` names the
// point at which it must not be, with %s for Who(slot).
void CheckNoSectionOpen(int slot, const absl::FormatSpec<std::string>& where) {
  const int held = std::popcount(Slot(slot).live.load(std::memory_order_relaxed));
  RACEFUZZ_CONTRACT(
      held == 0, "rcu-guard-leaked",
      "%s: %d read guard(s) taken there were never dropped (leaked, or kept past the "
      "end); a read-side critical section must end before its thread or the run does, "
      "or every later grace period would wait for it forever",
      absl::StrFormat(where, Who(slot)), held);
}

// Thread exit hook: a simulated thread that finishes inside a section (in the kernel, a task
// exiting with rcu_read_lock held).
void OnThreadExit(ThreadId finished) {
  CheckNoSectionOpen(finished + 1, "%s exited inside an RCU read-side critical section");
}

// Ends every section and kills every guard token, so a guard or a borrow kept from this run can
// never be taken for a live one and no grace period of a later run waits for this run's readers.
void ResetSlots() {
  for (int i = 0, slots = SlotsInUse(); i < slots; ++i) {
    ReaderSlot& s = Slot(i);
    for (uint64_t live = s.live.load(std::memory_order_relaxed); live != 0; live &= live - 1) {
      s.generation[std::countr_zero(live)].fetch_add(1, std::memory_order_relaxed);
    }
    s.live.store(0, std::memory_order_relaxed);
    const uint64_t seq = s.seq.load(std::memory_order_relaxed);
    if (seq & 1) s.seq.store(seq + 1, std::memory_order_release);
  }
}

// Run end hook: every simulated thread was checked when it exited; code outside them (slot 0)
// must not hold a guard either. Then every slot starts the next run clean.
void OnRunEnd() {
  for (int i = 0, slots = SlotsInUse(); i < slots; ++i) {
    CheckNoSectionOpen(i, "the run ended with %s inside an RCU read-side critical section");
  }
  ResetSlots();
}

// Registered at static initialization: this file is linked whenever a Guard is (Slot).
[[maybe_unused]] const bool g_hooks_registered = [] {
  add_thread_exit_hook(&OnThreadExit);
  add_run_end_hook(&OnRunEnd);
  return true;
}();

}  // namespace

ReaderSlot& Slot(int index) {
  static std::array<ReaderSlot, kSlots> slots;
  return slots[index];
}

void CheckGuardAlive(const GuardToken& token) {
  const ReaderSlot& s = Slot(token.slot);
  const bool guard_alive =
      s.generation[token.index].load(std::memory_order_relaxed) == token.generation;
  const bool section_open = s.seq.load(std::memory_order_relaxed) == token.section;
  if (guard_alive && section_open) [[likely]] {
    return;
  }
  const int owner = token.slot - 1;
  std::string what;
  if (guard_alive) {
    // Only a broken nesting count gets here (bench/planted: rcu-nested-unlock-ends-section).
    what = absl::StrFormat(
        "while its T%d read guard is alive, but the read-side critical section it was taken in "
        "has ended: the object may already be freed",
        owner);
  } else {
    what = absl::StrFormat(
        "after the T%d read guard it was taken under was dropped; %s", owner,
        section_open ? "the read-side critical section is still open (an outer guard holds it), "
                       "but a borrow is valid only while its own guard lives"
                     : "the read-side critical section has ended: the object may already be freed");
  }
  check::ContractViolation(
      "rcu-borrow-after-guard",
      absl::StrFormat("T%d uses a borrow from rcu dereference %s", current_thread(), what));
}

ReaderSnapshot ReaderSnapshot::Take() {
  ReaderSnapshot snapshot;
  for (int i = 0, slots = SlotsInUse(); i < slots; ++i) {
    const uint64_t seq = Slot(i).seq.load(std::memory_order_relaxed);
    snapshot.open_[i] = (seq & 1) ? seq : 0;
  }
  return snapshot;
}

void ReaderSnapshot::CheckReadersLeft(const char* act, const char* moment) const {
  for (int i = 0, slots = SlotsInUse(); i < slots; ++i) {
    if (open_[i] == 0 || Slot(i).seq.load(std::memory_order_relaxed) != open_[i]) continue;
    check::ContractViolation(
        "rcu-grace-period-too-short",
        absl::StrFormat("T%d %s while %s is still inside the read-side critical section it was in "
                        "at %s: every reader that began before then may still hold the object, "
                        "and no grace period that waited for it has ended (a grace period, or a "
                        "cookie, one too early)",
                        current_thread(), act, Who(i), moment));
  }
}

}  // namespace racefuzz::rcu::internal
