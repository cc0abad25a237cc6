// rcu_ops: readers and updaters of RCU-protected objects, rcutorture style.
//
// 2-4 simulated threads run input-chosen ops (fuzzers/common) on 1-2 Rcu<KBox<Item>> slots:
// readers take (nested) guards, dereference, read through the borrow and re-read borrows they
// kept (while the guard each was taken under lives), release guards in any order; updaters
// copy_update / replace with null under the updater spinlock (the exclusive access the contract
// demands; a spinlock, since an updater may be inside its own read-side section, where a mutex
// would sleep), and retire the old value by dropping it (synchronize_rcu), keeping it for later, or
// freeing it with kfree_rcu; any thread may also call synchronize_rcu, call_rcu and rcu_barrier
// (outside its read-side sections, as the contract demands). The oracle: every object carries its
// age in grace periods since retirement (TortureAge) and each read checks that it is 0
// ("rcu-grace-period-too-short"); ASan sees a use after free, TSan every missing happens-before.
// The model is correct, so any report is a bug in it (or a false positive).
//
// To watch it find a bug, fuzz a planted build: racefuzz fuzz <target> --planted-bug=rcu-...
// (bench/planted/bugs.tsv).
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/rcu/rcu.h"
#include "core/rcu/torture.h"
#include "core/sched/sync.h"
#include "fuzzers/common/harness.h"
#include "fuzzers/common/rcu_retire.h"

namespace racefuzz::fuzz {
namespace {

using rcu::Borrow;
using rcu::KBox;
using rcu::Rcu;
using rcu::RcuOld;

struct Item {
  explicit Item(uint64_t v) : value(v), check(~v) {}
  uint64_t value;
  uint64_t check;
  rcu::TortureAge age;
};

enum OpCode : uint8_t {
  kReadLock,
  kReadUnlock,
  kDereference,
  kReread,
  kCopyUpdate,
  kReplaceNull,
  kDropOld,
  kSynchronize,
  kCallRcu,
  kBarrier,
};

constexpr int kMaxSlots = 2;
constexpr int kMaxNesting = 3;
constexpr int kMaxBorrows = 4;

class RcuOpsWorld {
 public:
  static constexpr ProgramShape kShape = {.min_threads = 2, .max_threads = 4, .max_ops = 12};
  static constexpr std::array<OpSpec, 10> kOps = {{
      {"read_lock", 0, {}},
      {"read_unlock", 1, {kMaxNesting - 1}},
      {"dereference", 2, {kMaxSlots - 1, kMaxNesting - 1}},
      {"reread", 1, {kMaxBorrows - 1}},
      {"copy_update", 2, {kMaxSlots - 1, kDefer}},
      {"replace_null", 2, {kMaxSlots - 1, kDefer}},
      {"drop_old", 1, {kMaxKept - 1}},
      {"synchronize_rcu", 0, {}},
      {"call_rcu", 0, {}},
      {"rcu_barrier", 0, {}},
  }};

  struct Config {
    uint8_t slots = 1;   // 1..kMaxSlots Rcu pointers
    bool null0 = false;  // slot 0 starts null
    bool null1 = false;  // slot 1 starts null
  };
  template <typename C>
  static void VisitConfig(C& c, Config& config) {
    c.Field(config.slots, uint8_t{1}, uint8_t{kMaxSlots});
    c.Field(config.null0);
    c.Field(config.null1);
  }

  explicit RcuOpsWorld(const Config& config) : nslots_(config.slots) {
    for (int i = 0; i < nslots_; ++i) {
      if (i == 0 ? config.null0 : config.null1) {
        slots_[i].emplace(nullptr, i);
      } else {
        slots_[i].emplace(KBox<Item>::make(next_value_++), i);
      }
    }
  }

  void Execute(int thread, const Op& op) {
    ThreadState& ts = threads_[thread];
    const bool reading = !ts.guards.empty();
    Rcu<KBox<Item>>& slot = *slots_[op.arg[0] % nslots_];
    switch (op.code) {
      case kReadLock:
        if (ts.guards.size() < kMaxNesting)
          ts.guards.push_back({ts.next_guard++, rcu::read_lock()});
        break;
      case kReadUnlock:
        if (reading) {
          const auto dropped = ts.guards.begin() + op.arg[0] % ts.guards.size();
          // SAFETY: a borrow is valid only while its own guard lives (even if an outer guard
          // keeps the section open): forget the borrows taken under the guard being dropped.
          std::erase_if(ts.borrows, [&](const Kept& k) { return k.guard == dropped->id; });
          ts.guards.erase(dropped);
        }
        break;
      case kDereference:
        if (reading) {
          const Held& g = ts.guards[op.arg[1] % ts.guards.size()];
          if (std::optional<Borrow<Item>> b = slot.dereference(g.guard)) {
            ReadItem(*b);
            if (ts.borrows.size() < kMaxBorrows) ts.borrows.push_back({g.id, *b});
          }
        }
        break;
      case kReread:
        if (!ts.borrows.empty()) ReadItem(ts.borrows[op.arg[0] % ts.borrows.size()].borrow);
        break;
      case kCopyUpdate:
      case kReplaceNull:
        Update(ts, slot, op.code == kCopyUpdate, static_cast<Retire>(op.arg[1]));
        break;
      case kDropOld:
        // SAFETY: RcuOld::drop (synchronize_rcu) only outside a read-side section.
        if (!reading && !ts.kept.empty())
          ts.kept.erase(ts.kept.begin() + op.arg[0] % ts.kept.size());
        break;
      case kSynchronize:
        if (!reading) rcu::synchronize_rcu();
        break;
      case kCallRcu:
        rcu::call_rcu([this] { callbacks_run_.fetch_add(1, std::memory_order_relaxed); });
        break;
      case kBarrier:
        if (!reading) rcu::rcu_barrier();
        break;
    }
  }

  // Leaves the thread's sections, then drops what it kept (outside any section).
  void ThreadDone(int thread) {
    ThreadState& ts = threads_[thread];
    ts.borrows.clear();
    ts.guards.clear();
    ts.kept.clear();
  }

  // Outside the run: every callback runs, then the slots wait a grace period and free.
  void Finish() {
    rcu::rcu_barrier();
    for (auto& s : slots_) s.reset();
  }

  static std::vector<Seed<RcuOpsWorld>> Seeds();

 private:
  // A guard the thread holds, numbered so that borrows can name it.
  struct Held {
    uint64_t id;
    rcu::Guard guard;
  };
  // A borrow the thread kept, valid while the guard it was taken under is held.
  struct Kept {
    uint64_t guard;  // Held::id
    Borrow<Item> borrow;
  };
  struct ThreadState {
    std::vector<RcuOld<KBox<Item>>> kept;  // cleared last: outside any read-side section
    std::vector<Held> guards;
    std::vector<Kept> borrows;
    uint64_t next_guard = 0;
  };

  // Reads an item through a borrow: the age oracle first, then the payload (ASan/TSan on it).
  static void ReadItem(const Borrow<Item>& b) {
    const Item* item = b.get();
    item->age.check("item", item->value);
    yield_point("read_item", {"item", item->value});
    if (item->check != ~item->value) __builtin_trap();  // a torn or reused object
  }

  void Update(ThreadState& ts, Rcu<KBox<Item>>& slot, bool copy, Retire how) {
    std::optional<RcuOld<KBox<Item>>> old;
    {
      Guard<SpinLock> lock(updater_);
      // SAFETY: updater_ gives copy_update its exclusive access.
      if (copy) {
        const uint64_t v = next_value_++;
        old = slot.copy_update([v](const Item* prev) {
          // COPY: the updater may read the old object (it is still published).
          if (prev != nullptr && prev->check != ~prev->value) __builtin_trap();
          return std::optional(KBox<Item>::make(v));
        });
      } else {
        old = slot.copy_update([](const Item*) { return std::optional<KBox<Item>>(); });
      }
    }
    if (!old.has_value()) return;
    old->get()->age.retire();
    // SAFETY: RetireOld drops (synchronize_rcu) only outside a read-side section.
    RetireOld(std::move(*old), how, !ts.guards.empty(), ts.kept);
  }

  int nslots_;
  std::array<std::optional<Rcu<KBox<Item>>>, kMaxSlots> slots_;
  SpinLock updater_{"rcu_updater"};  // a spinlock: updates may run inside a reader's section
  uint64_t next_value_ = 1;          // guarded by updater_ once the run starts
  Atomic<int> callbacks_run_{0, "callbacks_run"};
  std::array<ThreadState, kShape.max_threads> threads_;
};

std::vector<Seed<RcuOpsWorld>> RcuOpsWorld::Seeds() {
  const Op lock{kReadLock}, unlock{kReadUnlock}, unlock_inner{kReadUnlock, {1}}, sync{kSynchronize},
      call{kCallRcu}, barrier{kBarrier};
  const Op deref0{kDereference, {0, 0}}, deref1{kDereference, {1, 0}}, reread{kReread};
  const Op update_drop{kCopyUpdate, {0, kDrop}}, update_keep{kCopyUpdate, {0, kKeep}},
      update_defer{kCopyUpdate, {1, kDefer}}, null_drop{kReplaceNull, {0, kDrop}},
      drop_old{kDropOld};
  const std::string rr(64, '\x01');  // alternate threads at every decision
  const std::string first(64, '\x00');
  return {
      {"reader_vs_updater", {}, {{{lock, deref0, reread, unlock}, {update_drop}}}, rr},
      {"nested_readers",
       {},
       {{{lock, lock, deref0, unlock_inner, reread, unlock}, {update_keep, drop_old, sync}}},
       rr},
      {"two_slots_deferred",
       {.slots = 2, .null1 = true},
       {{{lock, deref0, deref1, reread, unlock},
         {update_defer, update_defer, barrier},
         {lock, call, deref1, unlock, sync}}},
       rr},
      {"null_and_back",
       {},
       {{{null_drop, update_drop}, {lock, deref0, unlock, lock, deref0, reread, unlock}}},
       first},
      // rcutorture's hard case for call_rcu: a callback posted while a grace period is already
      // waiting (T1) must wait for the next one, because a reader (T2) that began after that grace
      // period started may still hold the object the callback frees.
      {"kfree_rcu_during_grace_period",
       {},
       {{{lock, update_defer, unlock}, {sync}, {lock, deref0, reread, unlock}}},
       rr},
  };
}

}  // namespace
}  // namespace racefuzz::fuzz

// libFuzzer's entry points: seeds on request, then one input per call.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  racefuzz::fuzz::MaybeWriteSeeds<racefuzz::fuzz::RcuOpsWorld>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  return racefuzz::fuzz::RunOpFuzzer<racefuzz::fuzz::RcuOpsWorld>(data, size);
}
