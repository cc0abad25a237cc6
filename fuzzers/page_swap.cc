// page_swap: pages published through RCU (RcuPageSlot: Rcu<Owned<Page>>), as a driver like Binder
// would use the page and RCU abstractions together.
//
// The input decides 2-4 simulated threads running up to 10 ops each on 1-2 slots: readers take
// (nested) guards and copy a range of the current page (read_raw, or with_page_mapped and a copy),
// checking every byte against the page's generation pattern; updaters allocate a page (allocation
// failures are injected by the input), fill it, swap it in and retire the old one by dropping it
// (synchronize_rcu), keeping it for later, or kfree_rcu. Any thread may run synchronize_rcu or
// rcu_barrier outside its read-side sections. The oracle: each page generation carries its age in
// grace periods since retirement (TortureAge), checked at every read
// ("rcu-grace-period-too-short"); a freed page stays poisoned in the pool's quarantine (ASan), and
// TSan sees every missing happens-before on the page bytes.
//
// RACEFUZZ_RCU_PLANT=skip-grace-period|relaxed-publish plants that bug in the RCU model (plant.h),
// to show the fuzzer finds it: a self-test, never for campaigns.
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "core/check/report.h"
#include "core/page/page.h"
#include "core/rcu/page_slot.h"
#include "core/rcu/plant.h"
#include "core/rcu/torture.h"
#include "core/sched/harness.h"
#include "core/sched/sync.h"

namespace racefuzz {
namespace {

using page::Owned;
using page::Page;
using page::PAGE_SIZE;
using rcu::RcuPageSlot;

enum class Op : uint8_t {
  kReadLock,
  kReadUnlock,
  kRead,
  kReadMapped,
  kSwap,
  kDropKept,
  kSynchronize,
  kBarrier,
  kMaxValue = kBarrier,
};

enum class Retire : uint8_t { kDrop, kKeep, kDefer };

struct Step {
  Op op;
  uint8_t slot;
  uint8_t arg;
  uint16_t off;
  uint16_t len;
};

constexpr int kMaxSlots = 2;
constexpr int kMaxNesting = 2;
constexpr uint64_t kMaxGenerations = 32;
constexpr size_t kHeader = sizeof(uint64_t);  // the page's generation, at offset 0

// Byte `off` (>= kHeader) of the page of generation `gen`.
uint8_t Pattern(uint64_t gen, size_t off) { return static_cast<uint8_t>(gen * 131 + off * 7); }

struct World {
  std::optional<RcuPageSlot> slots[kMaxSlots];
  int nslots = 1;
  Atomic<uint64_t> next_gen{0, "next_gen"};
  std::array<rcu::TortureAge, kMaxGenerations> ages;
};

// A new page of a fresh generation, filled; nullopt if the allocation failed or the generations
// ran out.
std::optional<Owned<Page>> NewPage(World& w, std::vector<uint8_t>& buf) {
  const uint64_t gen = w.next_gen.fetch_add(1, std::memory_order_relaxed);
  if (gen >= kMaxGenerations) return std::nullopt;
  absl::StatusOr<Owned<Page>> p = Page::alloc_page(page::GFP_KERNEL);
  if (!p.ok()) return std::nullopt;  // the injected AllocError path
  std::memcpy(buf.data(), &gen, kHeader);
  for (size_t i = kHeader; i < PAGE_SIZE; ++i) buf[i] = Pattern(gen, i);
  // SAFETY: the page is not published yet: nobody else can access it.
  if (!(*p)->write_raw(buf.data(), 0, PAGE_SIZE).ok()) __builtin_trap();
  return std::move(*p);
}

uint64_t GenerationOf(const Page& p) {
  uint64_t gen = 0;
  // SAFETY: published pages are never written, so reading them races with nothing.
  if (!p.read_raw(reinterpret_cast<uint8_t*>(&gen), 0, kHeader).ok()) __builtin_trap();
  return gen;
}

// Copies [off, off + len) of the slot's current page under `guard` and checks it.
void ReadPage(const World& w, const RcuPageSlot& slot, const rcu::Guard& guard, const Step& s,
              std::vector<uint8_t>& buf) {
  std::optional<rcu::Borrow<Page>> p = slot.current(guard);
  if (!p.has_value()) return;
  const uint64_t gen = GenerationOf(**p);
  if (gen >= kMaxGenerations) __builtin_trap();
  w.ages[gen].check("page generation", gen);
  const size_t off = s.off % (PAGE_SIZE + 1);
  const size_t len = s.len % (PAGE_SIZE + 1);
  if (s.op == Op::kReadMapped) {
    if (!page::page_range_ok(off, len)) return;
    (*p)->with_page_mapped([&](uint8_t* mapped) {
      // SAFETY: the mapping is used only inside the closure, on this thread; the page is
      // published, so never written.
      std::memcpy(buf.data(), mapped + off, len);
    });
  } else {
    // SAFETY: the borrow's section is open and published pages are never written.
    const absl::Status st = (*p)->read_raw(buf.data(), off, len);
    if (!page::page_range_ok(off, len)) {
      if (!page::IsEinval(st)) __builtin_trap();
      return;
    }
    if (!st.ok()) __builtin_trap();
  }
  for (size_t i = 0; i < len; ++i) {
    const size_t at = off + i;
    const uint8_t want = at < kHeader ? static_cast<uint8_t>(gen >> (8 * at)) : Pattern(gen, at);
    RACEFUZZ_CONTRACT(buf[i] == want, "page-swap-content",
                      "T%d read byte %d of page generation %d: %d, expected %d", current_thread(),
                      at, gen, buf[i], want);
  }
}

void RunThread(World& w, const std::vector<Step>& steps) {
  std::vector<RcuPageSlot::PageOld> kept;  // destroyed last: outside any read-side section
  std::vector<rcu::Guard> guards;
  std::vector<uint8_t> buf(PAGE_SIZE);
  for (const Step& s : steps) {
    RcuPageSlot& slot = *w.slots[s.slot % w.nslots];
    const bool reading = !guards.empty();
    switch (s.op) {
      case Op::kReadLock:
        if (guards.size() < kMaxNesting) guards.push_back(rcu::read_lock());
        break;
      case Op::kReadUnlock:
        if (reading) guards.erase(guards.begin() + s.arg % guards.size());
        break;
      case Op::kRead:
      case Op::kReadMapped:
        if (reading) {
          ReadPage(w, slot, guards[s.arg % guards.size()], s, buf);
        } else {
          const rcu::Guard g = rcu::read_lock();
          ReadPage(w, slot, g, s, buf);
        }
        break;
      case Op::kSwap: {
        std::optional<Owned<Page>> next = NewPage(w, buf);
        if (!next.has_value()) break;
        std::optional<RcuPageSlot::PageOld> old = slot.swap(std::move(*next));
        if (!old.has_value()) break;
        w.ages[GenerationOf(*old->get())].retire();
        Retire how = static_cast<Retire>(s.arg % 3);
        // SAFETY: dropping an RcuOld (synchronize_rcu) only outside a read-side section.
        if (how == Retire::kDrop && reading) how = Retire::kDefer;
        if (how == Retire::kDrop) {
          old.reset();
        } else if (how == Retire::kKeep) {
          kept.push_back(std::move(*old));
        } else {
          std::move(*old).defer_free();
        }
        break;
      }
      case Op::kDropKept:
        if (!reading && !kept.empty()) kept.erase(kept.begin() + s.arg % kept.size());
        break;
      case Op::kSynchronize:
        if (!reading) rcu::synchronize_rcu();
        break;
      case Op::kBarrier:
        if (!reading) rcu::rcu_barrier();
        break;
    }
  }
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
  std::vector<uint8_t> buf(PAGE_SIZE);
  w.nslots = input.ConsumeIntegralInRange(1, kMaxSlots);
  for (int i = 0; i < w.nslots; ++i) {
    std::optional<Owned<Page>> p = NewPage(w, buf);
    if (!p.has_value()) return 0;
    w.slots[i].emplace(std::move(*p), i);
  }
  const uint64_t fail_mask = input.ConsumeIntegral<uint16_t>() & input.ConsumeIntegral<uint16_t>();
  const int nthreads = input.ConsumeIntegralInRange(2, 4);
  std::vector<std::vector<Step>> programs(nthreads);
  for (std::vector<Step>& p : programs) {
    const int n = input.ConsumeIntegralInRange(1, 10);
    for (int i = 0; i < n; ++i) {
      p.push_back({input.ConsumeEnum<Op>(), input.ConsumeIntegral<uint8_t>(),
                   input.ConsumeIntegral<uint8_t>(), input.ConsumeIntegral<uint16_t>(),
                   input.ConsumeIntegral<uint16_t>()});
    }
  }
  {
    page::ScopedAllocFaults faults(fail_mask);
    RunInput(input, [&] {
      for (const std::vector<Step>& p : programs) spawn([&w, &p] { RunThread(w, p); });
    });
  }
  // Outside the run: every callback runs, then the slots wait a grace period and free their pages.
  rcu::rcu_barrier();
  for (auto& s : w.slots) s.reset();
  return 0;
}
