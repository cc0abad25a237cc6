// page_swap: pages published through RCU (RcuPageSlot: Rcu<Owned<Page>>), as a driver like Binder
// would use the page and RCU abstractions together.
//
// 2-4 simulated threads run input-chosen ops (fuzzers/common) on 1-2 slots: readers take (nested)
// guards and copy a range of the current page (read_raw, or with_page_mapped and a copy), checking
// every byte against the page's generation pattern; updaters allocate a page (allocation failures
// are injected by the input), fill it, swap it in and retire the old one by dropping it
// (synchronize_rcu), keeping it for later, or kfree_rcu. Any thread may run synchronize_rcu or
// rcu_barrier outside its read-side sections. The oracle: each page generation carries its age in
// grace periods since retirement (TortureAge), checked at every read
// ("rcu-grace-period-too-short"); a freed page stays poisoned in the pool's quarantine (ASan), and
// TSan sees every missing happens-before on the page bytes. The models are correct, so any report
// is a bug in them (or a false positive).
//
// To watch it find a bug, fuzz a planted build: racefuzz fuzz <target> --planted-bug=rcu-...
// (bench/planted/bugs.tsv).
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/check/report.h"
#include "core/page/page.h"
#include "core/page/pool.h"
#include "core/rcu/page_slot.h"
#include "core/rcu/torture.h"
#include "core/sched/sync.h"
#include "fuzzers/common/harness.h"
#include "fuzzers/common/rcu_retire.h"
#include "fuzzers/page_pattern.h"

namespace racefuzz::fuzz {
namespace {

using page::Owned;
using page::Page;
using page::PAGE_SIZE;
using rcu::RcuPageSlot;

enum OpCode : uint8_t {
  kReadLock,
  kReadUnlock,
  kRead,
  kReadMapped,
  kSwap,
  kDropKept,
  kSynchronize,
  kBarrier,
};

constexpr int kMaxSlots = 2;
constexpr int kMaxNesting = 2;
constexpr uint64_t kMaxGenerations = 32;
using PageBuf = std::array<uint8_t, PAGE_SIZE>;

class PageSwapWorld {
 public:
  static constexpr ProgramShape kShape = {.min_threads = 2, .max_threads = 4, .max_ops = 10};
  static constexpr std::array<OpSpec, 8> kOps = {{
      {"read_lock", 0, {}},
      {"read_unlock", 1, {kMaxNesting - 1}},
      {"read", 4, {kMaxSlots - 1, kMaxNesting - 1, PAGE_SIZE, PAGE_SIZE}},
      {"read_mapped", 4, {kMaxSlots - 1, kMaxNesting - 1, PAGE_SIZE, PAGE_SIZE}},
      {"swap", 2, {kMaxSlots - 1, kDefer}},
      {"drop_kept", 1, {kMaxKept - 1}},
      {"synchronize_rcu", 0, {}},
      {"rcu_barrier", 0, {}},
  }};

  struct Config {
    uint8_t slots = 1;       // 1..kMaxSlots published pages
    uint8_t fault_mask = 0;  // swaps whose allocation fails: bit k = the k-th attempt
  };
  template <typename C>
  static void VisitConfig(C& c, Config& config) {
    c.Field(config.slots, uint8_t{1}, uint8_t{kMaxSlots});
    c.Field(config.fault_mask, uint8_t{0}, uint8_t{255});
  }

  explicit PageSwapWorld(const Config& config) : nslots_(config.slots) {
    for (int i = 0; i < nslots_; ++i) {
      std::optional<Owned<Page>> p = NewPage(setup_buf_);
      if (!p.has_value()) __builtin_trap();  // no faults yet
      slots_[i].emplace(std::move(*p), i);
    }
    faults_.emplace(config.fault_mask);
  }

  void Execute(int thread, const Op& op) {
    ThreadState& ts = threads_[thread];
    const bool reading = !ts.guards.empty();
    RcuPageSlot& slot = *slots_[op.arg[0] % nslots_];
    switch (op.code) {
      case kReadLock:
        if (ts.guards.size() < kMaxNesting) ts.guards.push_back(rcu::read_lock());
        break;
      case kReadUnlock:
        if (reading) ts.guards.erase(ts.guards.begin() + op.arg[0] % ts.guards.size());
        break;
      case kRead:
      case kReadMapped:
        if (reading) {
          ReadPage(slot, ts.guards[op.arg[1] % ts.guards.size()], op, ts.buf);
        } else {
          const rcu::Guard g = rcu::read_lock();
          ReadPage(slot, g, op, ts.buf);
        }
        break;
      case kSwap:
        Swap(ts, slot, static_cast<Retire>(op.arg[1]));
        break;
      case kDropKept:
        // SAFETY: RcuOld::drop (synchronize_rcu) only outside a read-side section.
        if (!reading && !ts.kept.empty())
          ts.kept.erase(ts.kept.begin() + op.arg[0] % ts.kept.size());
        break;
      case kSynchronize:
        if (!reading) rcu::synchronize_rcu();
        break;
      case kBarrier:
        if (!reading) rcu::rcu_barrier();
        break;
    }
  }

  // Leaves the thread's sections, then drops what it kept (outside any section).
  void ThreadDone(int thread) {
    threads_[thread].guards.clear();
    threads_[thread].kept.clear();
  }

  // Outside the run: every callback runs, then the slots wait a grace period and free their pages.
  void Finish() {
    faults_.reset();
    rcu::rcu_barrier();
    for (auto& s : slots_) s.reset();
  }

  static std::vector<Seed<PageSwapWorld>> Seeds();

 private:
  struct ThreadState {
    std::vector<RcuPageSlot::PageOld> kept;  // cleared last: outside any read-side section
    std::vector<rcu::Guard> guards;
    PageBuf buf;  // private scratch, uninitialized: every op writes what it then reads
  };

  // A new page of a fresh generation, filled; nullopt if the allocation failed or the generations
  // ran out.
  std::optional<Owned<Page>> NewPage(PageBuf& buf) {
    const uint64_t gen = next_gen_.fetch_add(1, std::memory_order_relaxed);
    if (gen >= kMaxGenerations) return std::nullopt;
    absl::StatusOr<Owned<Page>> p = Page::alloc_page(page::GFP_KERNEL);
    if (!p.ok()) return std::nullopt;  // the injected AllocError path
    FillGeneration(gen, buf.data());
    // SAFETY: the page is not published yet: nobody else can access it.
    if (!(*p)->write_raw(buf.data(), 0, PAGE_SIZE).ok()) __builtin_trap();
    return std::move(*p);
  }

  static uint64_t GenerationOf(const Page& p) {
    uint64_t gen = 0;
    // SAFETY: published pages are never written, so reading them races with nothing.
    if (!p.read_raw(reinterpret_cast<uint8_t*>(&gen), 0, kGenerationHeader).ok()) {
      __builtin_trap();
    }
    return gen;
  }

  // Copies [off, off + len) of the slot's current page under `guard` and checks it.
  void ReadPage(const RcuPageSlot& slot, const rcu::Guard& guard, const Op& op,
                PageBuf& buf) const {
    std::optional<rcu::Borrow<Page>> p = slot.current(guard);
    if (!p.has_value()) return;
    const uint64_t gen = GenerationOf(**p);
    if (gen >= kMaxGenerations) __builtin_trap();
    ages_[gen].check("page generation", gen);
    const size_t off = op.arg[2];
    const size_t len = op.arg[3];
    if (op.code == kReadMapped) {
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
    CheckGeneration(gen, off, buf.data(), len);
  }

  void Swap(ThreadState& ts, RcuPageSlot& slot, Retire how) {
    std::optional<Owned<Page>> next = NewPage(ts.buf);
    if (!next.has_value()) return;
    std::optional<RcuPageSlot::PageOld> old = slot.swap(std::move(*next));
    if (!old.has_value()) return;
    ages_[GenerationOf(*old->get())].retire();
    // SAFETY: RetireOld drops (synchronize_rcu) only outside a read-side section.
    RetireOld(std::move(*old), how, !ts.guards.empty(), ts.kept);
  }

  int nslots_;
  PageBuf setup_buf_;
  Atomic<uint64_t> next_gen_{0, "next_gen"};
  std::array<rcu::TortureAge, kMaxGenerations> ages_;
  std::array<std::optional<RcuPageSlot>, kMaxSlots> slots_;
  std::array<ThreadState, kShape.max_threads> threads_;
  std::optional<page::ScopedAllocFaults> faults_;
};

std::vector<Seed<PageSwapWorld>> PageSwapWorld::Seeds() {
  const Op lock{kReadLock}, unlock{kReadUnlock}, sync{kSynchronize}, barrier{kBarrier};
  const Op read_all{kRead, {0, 0, 0, PAGE_SIZE}}, read_tail{kRead, {0, 0, PAGE_SIZE - 64, 64}},
      mapped{kReadMapped, {0, 0, 100, 200}}, read1{kRead, {1, 0, 4000, 96}},
      bad_range{kRead, {0, 0, PAGE_SIZE, 1}};
  const Op swap_drop{kSwap, {0, kDrop}}, swap_keep{kSwap, {0, kKeep}},
      swap_defer{kSwap, {1, kDefer}}, drop_kept{kDropKept};
  const std::string rr(64, '\x01');  // alternate threads at every decision
  const std::string first(64, '\x00');
  return {
      {"reader_vs_swap", {}, {{{lock, read_all, mapped, unlock}, {swap_drop}}}, rr},
      {"nested_reader_kept_page",
       {},
       {{{lock, lock, read_tail, unlock, mapped, unlock}, {swap_keep, swap_keep, drop_kept, sync}}},
       rr},
      {"two_slots_kfree_rcu",
       {.slots = 2},
       {{{lock, read1, read_all, unlock, read1}, {swap_defer, swap_defer, barrier}, {bad_range}}},
       rr},
      {"alloc_failure",
       {.fault_mask = 0x1},
       {{{swap_drop, swap_drop}, {read_all, lock, mapped, unlock}}},
       first},
  };
}

}  // namespace
}  // namespace racefuzz::fuzz

// libFuzzer's entry points: seeds on request, then one input per call.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  racefuzz::fuzz::MaybeWriteSeeds<racefuzz::fuzz::PageSwapWorld>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  return racefuzz::fuzz::RunOpFuzzer<racefuzz::fuzz::PageSwapWorld>(data, size);
}
