// rcu_ops: readers and updaters of RCU-protected objects, rcutorture style.
//
// The input decides 2-4 simulated threads, each running up to 12 ops on 1-2 Rcu<KBox<Item>> slots:
// readers take (nested) guards, dereference, read through the borrow and re-read borrows they
// kept, release guards in any order; updaters copy_update / replace / clear under the updater
// mutex (the exclusive access the contract demands), and retire the old value by dropping it
// (synchronize_rcu), keeping it for later, or freeing it with kfree_rcu; any thread may also call
// synchronize_rcu, call_rcu and rcu_barrier (outside its read-side sections, as the contract
// demands). The oracle: every object carries its age in grace periods since retirement
// (TortureAge) and each read checks that it is 0 ("rcu-grace-period-too-short"); ASan sees a use
// after free, TSan every missing happens-before.
//
// RACEFUZZ_RCU_PLANT=skip-grace-period|relaxed-publish plants that bug in the RCU model (plant.h),
// to show the fuzzer finds it: a self-test, never for campaigns.
#include <cstdint>
#include <optional>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "core/rcu/plant.h"
#include "core/rcu/rcu.h"
#include "core/rcu/torture.h"
#include "core/sched/harness.h"
#include "core/sched/sync.h"

namespace racefuzz {
namespace {

using rcu::Borrow;
using rcu::KBox;
using rcu::Rcu;
using rcu::RcuOld;

struct Item {
  Item(uint64_t v) : value(v), check(~v) {}  // NOLINT: built by KBox::make
  uint64_t value;
  uint64_t check;
  rcu::TortureAge age;
};

enum class Op : uint8_t {
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
  kMaxValue = kBarrier,
};

enum class Retire : uint8_t { kDrop, kKeep, kDefer, kMaxValue = kDefer };

struct Step {
  Op op;
  uint8_t slot;
  uint8_t arg;
};

constexpr int kMaxSlots = 2;
constexpr int kMaxNesting = 3;

struct World {
  std::optional<Rcu<KBox<Item>>> slots[kMaxSlots];
  int nslots = 1;
  Mutex updater{"rcu_updater"};
  uint64_t next_value = 1;  // guarded by updater
  Atomic<int> callbacks_run{0, "callbacks_run"};
};

// Reads an item through a borrow: the age oracle first, then the payload (ASan/TSan on it).
void ReadItem(const Borrow<Item>& b) {
  const Item* item = b.get();
  item->age.check("item", item->value);
  yield_point("read_item", {"item", item->value});
  if (item->check != ~item->value) __builtin_trap();  // a torn or reused object
}

void Retired(std::optional<RcuOld<KBox<Item>>> old, Retire how, bool in_read_side,
             std::vector<RcuOld<KBox<Item>>>& kept) {
  if (!old.has_value()) return;
  old->get()->age.retire();
  // SAFETY: RcuOld::drop (synchronize_rcu) is only called outside a read-side section.
  if (how == Retire::kDrop && in_read_side) how = Retire::kDefer;
  switch (how) {
    case Retire::kDrop:
      old.reset();
      break;
    case Retire::kKeep:
      kept.push_back(std::move(*old));
      break;
    case Retire::kDefer:
      std::move(*old).defer_free();
      break;
  }
}

void RunThread(World& w, const std::vector<Step>& steps) {
  std::vector<RcuOld<KBox<Item>>> kept;  // destroyed last: outside any read-side section
  std::vector<rcu::Guard> guards;
  std::vector<Borrow<Item>> borrows;  // valid while `guards` is not empty
  for (const Step& s : steps) {
    Rcu<KBox<Item>>& slot = *w.slots[s.slot % w.nslots];
    const bool reading = !guards.empty();
    switch (s.op) {
      case Op::kReadLock:
        if (guards.size() < kMaxNesting) guards.push_back(rcu::read_lock());
        break;
      case Op::kReadUnlock:
        if (reading) {
          guards.erase(guards.begin() + s.arg % guards.size());
          if (guards.empty()) borrows.clear();
        }
        break;
      case Op::kDereference:
        if (reading) {
          if (std::optional<Borrow<Item>> b = slot.dereference(guards[s.arg % guards.size()])) {
            ReadItem(*b);
            if (borrows.size() < 4) borrows.push_back(*b);
          }
        }
        break;
      case Op::kReread:
        if (!borrows.empty()) ReadItem(borrows[s.arg % borrows.size()]);
        break;
      case Op::kCopyUpdate:
      case Op::kReplaceNull: {
        std::optional<RcuOld<KBox<Item>>> old;
        {
          Guard<Mutex> lock(w.updater);
          if (s.op == Op::kCopyUpdate) {
            const uint64_t v = w.next_value++;
            old = slot.copy_update([v](const Item* prev) {
              // COPY: the updater may read the old object (it is still published).
              if (prev != nullptr && prev->check != ~prev->value) __builtin_trap();
              return std::optional(KBox<Item>::make(v));
            });
          } else {
            old = slot.copy_update([](const Item*) { return std::optional<KBox<Item>>(); });
          }
        }
        Retired(std::move(old), static_cast<Retire>(s.arg % 3), reading, kept);
        break;
      }
      case Op::kDropOld:
        if (!reading && !kept.empty()) kept.erase(kept.begin() + s.arg % kept.size());
        break;
      case Op::kSynchronize:
        if (!reading) rcu::synchronize_rcu();
        break;
      case Op::kCallRcu:
        rcu::call_rcu([&w] { w.callbacks_run.fetch_add(1, std::memory_order_relaxed); });
        break;
      case Op::kBarrier:
        if (!reading) rcu::rcu_barrier();
        break;
    }
  }
  borrows.clear();
  guards.clear();
  kept.clear();
}

}  // namespace
}  // namespace racefuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  racefuzz::rcu::testing::PlantFromEnv();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace racefuzz;  // NOLINT
  FuzzedDataProvider input(data, size);
  World w;
  w.nslots = input.ConsumeIntegralInRange(1, kMaxSlots);
  for (int i = 0; i < w.nslots; ++i) {
    if (input.ConsumeBool())
      w.slots[i].emplace(KBox<Item>::make(w.next_value++), i);
    else
      w.slots[i].emplace(nullptr, i);
  }
  const int nthreads = input.ConsumeIntegralInRange(2, 4);
  std::vector<std::vector<Step>> programs(nthreads);
  for (std::vector<Step>& p : programs) {
    const int n = input.ConsumeIntegralInRange(1, 12);
    for (int i = 0; i < n; ++i) {
      p.push_back({input.ConsumeEnum<Op>(), input.ConsumeIntegral<uint8_t>(),
                   input.ConsumeIntegral<uint8_t>()});
    }
  }
  RunInput(input, [&] {
    for (const std::vector<Step>& p : programs) spawn([&w, &p] { RunThread(w, p); });
  });
  // Outside the run: every callback runs, then the slots wait a grace period and free.
  rcu::rcu_barrier();
  for (auto& s : w.slots) s.reset();
  return 0;
}
