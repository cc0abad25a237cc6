// page_ops: 2 to 4 simulated threads run input-chosen sequences of page operations (map, read,
// write, zero, copy from user, byte-wise atomic copies, swaps, bounds probes) over a few shared
// pages. Every access follows the contracts under an input-chosen locking discipline (a lock per
// page, one global lock, or per-thread slices of each page), so a correct model must stay silent:
// any sanitizer report or contract violation is a bug in the model (or a false positive).
// Oracles: the bounds check (EINVAL exactly when the range leaves the page) and page contents
// (a shadow copy of what was written).
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/page/page.h"
#include "core/page/pool.h"
#include "core/page/user.h"
#include "core/sched/trace.h"
#include "fuzzers/common/harness.h"
#include "fuzzers/page_fuzz.h"

namespace racefuzz::fuzz {
namespace {

using page::PAGE_SIZE;
using namespace std::string_literals;

enum OpCode : uint8_t {
  kRead,
  kWrite,
  kZero,
  kMapWrite,
  kCopyFromUser,
  kReadBytewise,
  kWriteBytewise,
  kUserStore,
  kSwap,
  kBounds,
  kVerify,
};

constexpr uint32_t kPageArg = DisciplineLock::kMaxSlots - 1;
constexpr uint32_t kU32Max = std::numeric_limits<uint32_t>::max();

class PageOpsWorld {
 public:
  static constexpr ProgramShape kShape = {.min_threads = 2, .max_threads = 4, .max_ops = 12};
  static constexpr std::array<OpSpec, 11> kOps = {{
      {"read", 3, {kPageArg, PAGE_SIZE, PAGE_SIZE}},
      {"write", 4, {kPageArg, PAGE_SIZE, PAGE_SIZE, 255}},
      {"zero", 3, {kPageArg, PAGE_SIZE, PAGE_SIZE}},
      {"map_write", 3, {kPageArg, PAGE_SIZE, 255}},
      {"copy_from_user", 3, {kPageArg, PAGE_SIZE, PAGE_SIZE}},
      {"read_bytewise", 3, {kPageArg, PAGE_SIZE, PAGE_SIZE}},
      {"write_bytewise", 4, {kPageArg, PAGE_SIZE, PAGE_SIZE, 255}},
      {"user_store", 2, {PAGE_SIZE - 1, 255}},
      {"swap", 2, {kPageArg, 1}},
      {"bounds", 3, {kU32Max, kU32Max, 3}},
      {"verify", 1, {kPageArg}},
  }};

  struct Config {
    uint8_t pages = 2;       // 1..kMaxSlots shared pages
    uint8_t discipline = 0;  // Discipline
    uint8_t fault_mask = 0;  // allocations (swaps) that fail: bit k = the k-th attempt
    bool zero = true;        // __GFP_ZERO for the pages
  };
  template <typename C>
  static void VisitConfig(C& c, Config& config) {
    c.Field(config.pages, uint8_t{1}, uint8_t{DisciplineLock::kMaxSlots});
    c.Field(config.discipline, uint8_t{0}, uint8_t{kNumDisciplines - 1});
    c.Field(config.fault_mask, uint8_t{0}, uint8_t{255});
    c.Field(config.zero);
  }

  explicit PageOpsWorld(const Config& config)
      : config_(config), lock_(static_cast<Discipline>(config.discipline)), user_(PAGE_SIZE) {
    for (int i = 0; i < config.pages; ++i) {
      if (!AllocShadowed(config.zero, slots_[i])) __builtin_trap();  // no faults yet
    }
    faults_.emplace(config.fault_mask);
  }

  void Execute(int thread, const Op& op) {
    const int slot = static_cast<int>(op.arg[0] % config_.pages);
    const Discipline d = lock_.discipline();
    switch (op.code) {
      case kRead:
      case kReadBytewise: {
        const ByteRange r = Clamp(d, thread, op.arg[1], op.arg[2]);
        uint8_t* buf = bufs_[thread].data();
        lock_.With(slot, [&] {
          ShadowedPage& sp = slots_[slot];
          // SAFETY: `buf` is this thread's; the discipline excludes overlapping page writes.
          const absl::Status s = op.code == kRead
                                     ? sp.page->read_raw(buf, r.off, r.len)
                                     : sp.page->read_bytewise_atomic(buf, r.off, r.len);
          ShadowedPage::Check(s, kOps[op.code].name);
          RACEFUZZ_CONTRACT(SameBytes(buf, sp.shadow.data() + r.off, r.len), "page-content",
                            "%s %s [%d, %d) returned other bytes than were written",
                            kOps[op.code].name, ObjectName({"page", sp.page->id()}), r.off,
                            r.off + r.len);
        });
        break;
      }
      case kWrite:
      case kWriteBytewise: {
        const ByteRange r = Clamp(d, thread, op.arg[1], op.arg[2]);
        uint8_t* buf = bufs_[thread].data();
        FillBookkeeping(buf, static_cast<uint8_t>(op.arg[3]), r.len);
        lock_.With(slot, [&] {
          ShadowedPage& sp = slots_[slot];
          // SAFETY: `buf` is this thread's; the discipline excludes overlapping page accesses.
          const absl::Status s = op.code == kWrite
                                     ? sp.page->write_raw(buf, r.off, r.len)
                                     : sp.page->write_bytewise_atomic(buf, r.off, r.len);
          ShadowedPage::Check(s, kOps[op.code].name);
          FillBookkeeping(sp.shadow.data() + r.off, static_cast<uint8_t>(op.arg[3]), r.len);
        });
        break;
      }
      case kZero: {
        const ByteRange r = Clamp(d, thread, op.arg[1], op.arg[2]);
        lock_.With(slot, [&] {
          ShadowedPage& sp = slots_[slot];
          // SAFETY: the discipline excludes overlapping page accesses.
          ShadowedPage::Check(sp.page->fill_zero_raw(r.off, r.len), "fill_zero_raw");
          FillBookkeeping(sp.shadow.data() + r.off, 0, r.len);
        });
        break;
      }
      case kMapWrite: {
        const ByteRange r = Clamp(d, thread, op.arg[1], 1);
        if (r.len == 0) break;
        lock_.With(slot, [&] {
          ShadowedPage& sp = slots_[slot];
          sp.page->with_page_mapped([&](uint8_t* p) {
            yield_point("map_write", {"page", sp.page->id()}, {r.off, r.off + 1});
            // SAFETY: inside the closure, on this thread, within the page; the discipline
            // excludes other accesses to this byte.
            p[r.off] = static_cast<uint8_t>(op.arg[2]);
          });
          sp.shadow[r.off] = static_cast<uint8_t>(op.arg[2]);
        });
        break;
      }
      case kCopyFromUser: {
        const ByteRange r = Clamp(d, thread, op.arg[1], op.arg[2]);
        lock_.With(slot, [&] {
          ShadowedPage& sp = slots_[slot];
          page::UserSliceReader reader = user_.reader(r.off, r.len);
          // SAFETY: the discipline excludes overlapping page accesses; user memory may change
          // under the copy (user_store on other threads): allowed.
          ShadowedPage::Check(sp.page->copy_from_user_slice_raw(reader, r.off, r.len),
                              "copy_from_user_slice_raw");
          sp.Resync(r.off, r.len);  // the user bytes were racy: take what landed
        });
        break;
      }
      case kUserStore:
        ShadowedPage::Check(user_.store(op.arg[0] % PAGE_SIZE, static_cast<uint8_t>(op.arg[1])),
                            "user_store");
        break;
      case kSwap: {
        if (d == Discipline::kSlices) break;  // other threads use the page with no lock
        ShadowedPage fresh;
        if (!AllocShadowed(op.arg[1] != 0, fresh)) break;  // injected AllocError: handled
        lock_.With(slot, [&] { slots_[slot].Swap(fresh); });
        // `fresh` now holds the old page: freed here, unreachable from the slot.
        break;
      }
      case kBounds: {
        // Edge and overflowing ranges: arg 2 picks how the raw 32-bit values become size_t.
        size_t off = op.arg[0];
        size_t len = op.arg[1];
        if (op.arg[2] & 1) off = ~size_t{0} - (op.arg[0] & 0xffff);
        if (op.arg[2] & 2) len = ~size_t{0} - (op.arg[1] & 0xffff);
        if (op.arg[2] == 0) {
          off &= 0x1fff;
          len &= 0x1fff;
        }
        lock_.With(slot, [&] {
          bool called = false;
          const absl::Status s = slots_[slot].page->with_pointer_into_page(off, len, [&](uint8_t*) {
            called = true;
            return absl::OkStatus();
          });
          const bool in = page::page_range_ok(off, len);
          RACEFUZZ_CONTRACT(in == s.ok() && in == called && (in || page::IsEinval(s)),
                            "page-bounds", "off=%d len=%d: status %s, closure %s", off, len,
                            s.ToString(), called ? "called" : "not called");
        });
        break;
      }
      case kVerify: {
        const ByteRange r = Clamp(d, thread, 0, PAGE_SIZE);
        lock_.With(slot, [&] { slots_[slot].Verify(r.off, r.len); });
        break;
      }
      default:
        break;
    }
  }

  void Finish() {
    for (int i = 0; i < config_.pages; ++i) slots_[i].Verify(0, PAGE_SIZE);
  }

  static std::vector<Seed<PageOpsWorld>> Seeds() {
    auto op = [](OpCode c, uint32_t a0 = 0, uint32_t a1 = 0, uint32_t a2 = 0, uint32_t a3 = 0) {
      return Op{c, {a0, a1, a2, a3}};
    };
    const std::string rr = "\x00\x01\x00\x01\x00\x01\x00\x01\x00\x01\x00\x01"s;
    return {
        {"per_page_lock_rw",
         {2, 0, 0, true},
         {{{op(kWrite, 0, 0, 64, 7), op(kRead, 0, 32, 64), op(kVerify, 0)},
           {op(kWrite, 0, 16, 32, 9), op(kZero, 1, 0, 4096), op(kRead, 0, 0, 128)}}},
         rr},
        {"global_lock_swap_user",
         {2, 1, 0b10, false},
         {{{op(kUserStore, 5, 1), op(kCopyFromUser, 0, 0, 64), op(kSwap, 0, 1), op(kSwap, 1, 0)},
           {op(kUserStore, 6, 2), op(kReadBytewise, 0, 0, 64), op(kMapWrite, 1, 10, 3)},
           {op(kWriteBytewise, 1, 100, 50, 4), op(kVerify, 1)}}},
         rr},
        {"slices_no_lock",
         {3, 2, 0, true},
         {{{op(kWrite, 0, 0, 1024, 1), op(kMapWrite, 1, 5, 9), op(kRead, 2, 0, 1024)},
           {op(kWrite, 0, 0, 1024, 2), op(kZero, 1, 0, 512), op(kReadBytewise, 0, 0, 1024)},
           {op(kWriteBytewise, 2, 3, 100, 3), op(kCopyFromUser, 2, 0, 200)},
           {op(kWrite, 0, 1000, 100, 4), op(kVerify, 0)}}},
         "\x00\x01\x02\x03\x03\x02\x01\x00"s},
        {"bounds_edges",
         {1, 0, 0, true},
         {{{op(kBounds, 4096, 0, 0), op(kBounds, 4090, 16, 0), op(kBounds, 10, 0, 1),
            op(kBounds, 0, 20, 2), op(kBounds, 5, 5, 3)},
           {op(kBounds, 4097, 0, 0), op(kBounds, 0, 4096, 0), op(kRead, 0, 4095, 1)}}},
         rr},
    };
  }

 private:
  Config config_;
  DisciplineLock lock_;
  page::UserMemory user_;
  std::array<ShadowedPage, DisciplineLock::kMaxSlots> slots_;
  // Each thread's private buffer, uninitialized: every op writes what it then reads.
  std::array<std::array<uint8_t, PAGE_SIZE>, 4> bufs_;
  std::optional<page::ScopedAllocFaults> faults_;
};

}  // namespace
}  // namespace racefuzz::fuzz

// libFuzzer's entry points: seeds on request, then one input per call.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  racefuzz::fuzz::MaybeWriteSeeds<racefuzz::fuzz::PageOpsWorld>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  return racefuzz::fuzz::RunOpFuzzer<racefuzz::fuzz::PageOpsWorld>(data, size);
}
