// page_borrowed: borrowed pages and page iterators over a shared multi-page (vmalloc-like)
// allocation. Threads iterate the allocation (page_iter must yield every page, in order), read and
// write through BorrowedPages and across page boundaries, and replace the whole allocation (with
// injected allocation failures), all under an input-chosen discipline that keeps every borrow
// inside the owner's lifetime. Correct use: no report, ever. Oracles: iteration order and count,
// and a shadow of the whole allocation.
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/page/borrowed.h"
#include "core/page/pool.h"
#include "core/sched/trace.h"
#include "fuzzers/common/harness.h"
#include "fuzzers/page_fuzz.h"

namespace racefuzz::fuzz {
namespace {

using page::PAGE_SIZE;
using namespace std::string_literals;

constexpr uint32_t kMaxPages = 4;
constexpr uint32_t kMaxSpan = 2 * PAGE_SIZE;  // the longest span_read / span_write

enum OpCode : uint8_t {
  kIterate,
  kBorrowedWrite,
  kBorrowedRead,
  kSpanWrite,
  kSpanRead,
  kRealloc,
};

class PageBorrowedWorld {
 public:
  static constexpr ProgramShape kShape = {.min_threads = 2, .max_threads = 4, .max_ops = 10};
  static constexpr std::array<OpSpec, 6> kOps = {{
      {"iterate", 0, {}},
      {"borrowed_write", 4, {kMaxPages - 1, PAGE_SIZE, PAGE_SIZE, 255}},
      {"borrowed_read", 3, {kMaxPages - 1, PAGE_SIZE, PAGE_SIZE}},
      {"span_write", 3, {kMaxPages * PAGE_SIZE, kMaxSpan, 255}},
      {"span_read", 2, {kMaxPages * PAGE_SIZE, kMaxSpan}},
      {"realloc", 2, {kMaxPages * PAGE_SIZE, 1}},
  }};

  struct Config {
    uint16_t size = PAGE_SIZE;  // bytes of the initial allocation
    bool global_lock = true;    // else per-thread slices of every page, and no realloc
    uint8_t fault_mask = 0;
  };
  template <typename C>
  static void VisitConfig(C& c, Config& config) {
    c.Field(config.size, uint16_t{1}, uint16_t{kMaxPages * PAGE_SIZE});
    c.Field(config.global_lock);
    c.Field(config.fault_mask, uint8_t{0}, uint8_t{255});
  }

  explicit PageBorrowedWorld(const Config& config)
      : lock_(config.global_lock ? Discipline::kGlobalLock : Discipline::kSlices) {
    if (!Alloc(config.size)) __builtin_trap();
    faults_.emplace(config.fault_mask);
  }

  void Execute(int thread, const Op& op) {
    const Discipline d = lock_.discipline();
    lock_.With(0, [&] {
      switch (op.code) {
        case kIterate: {
          // AsPageIter: every page, in order (ids grow with the allocation order).
          size_t n = 0;
          uint64_t last = 0;
          for (page::BorrowedPage p : buf_->page_iter()) {
            RACEFUZZ_CONTRACT(p->id() > last, "page-iter-order", "%s after %s",
                              ObjectName({"page", p->id()}), ObjectName({"page", last}));
            last = p->id();
            ++n;
          }
          RACEFUZZ_CONTRACT(n == buf_->page_count(), "page-iter-order", "%d pages of %d", n,
                            buf_->page_count());
          break;
        }
        case kBorrowedWrite:
        case kBorrowedRead: {
          const size_t index = op.arg[0] % buf_->page_count();
          const size_t page_bytes = std::min(PAGE_SIZE, buf_->size() - index * PAGE_SIZE);
          ByteRange r = Clamp(d, thread, op.arg[1], op.arg[2]);
          if (r.off >= page_bytes) break;
          r.len = std::min(r.len, page_bytes - r.off);
          // The borrow lives inside this op, under the lock that keeps the owner alive.
          auto it = buf_->page_iter().begin();
          for (size_t i = 0; i < index; ++i) ++it;
          page::BorrowedPage p = *it;
          uint8_t* shadow = shadow_.data() + index * PAGE_SIZE + r.off;
          uint8_t* mine = bufs_[thread].data();
          if (op.code == kBorrowedWrite) {
            FillBookkeeping(mine, static_cast<uint8_t>(op.arg[3]), r.len);
            // SAFETY: private source; the discipline excludes overlapping accesses.
            Check(p->write_raw(mine, r.off, r.len));
            FillBookkeeping(shadow, static_cast<uint8_t>(op.arg[3]), r.len);
          } else {
            // SAFETY: private destination; the discipline excludes overlapping writes.
            Check(p->read_raw(mine, r.off, r.len));
            RACEFUZZ_CONTRACT(SameBytes(mine, shadow, r.len), "page-content",
                              "borrowed %s [%d, %d) differs", ObjectName({"page", p->id()}), r.off,
                              r.off + r.len);
          }
          break;
        }
        case kSpanWrite:
        case kSpanRead: {
          if (d == Discipline::kSlices) break;  // spans cross slices
          const size_t off = op.arg[0] % (buf_->size() + 1);
          const size_t len = std::min<size_t>(op.arg[1], buf_->size() - off);
          uint8_t* mine = bufs_[thread].data();
          if (op.code == kSpanWrite) {
            FillBookkeeping(mine, static_cast<uint8_t>(op.arg[2]), len);
            Check(buf_->write_raw(mine, off, len));
            FillBookkeeping(shadow_.data() + off, static_cast<uint8_t>(op.arg[2]), len);
          } else {
            Check(buf_->read_raw(mine, off, len));
            RACEFUZZ_CONTRACT(SameBytes(mine, shadow_.data() + off, len), "page-content",
                              "buffer [%d, %d) differs", off, off + len);
          }
          RACEFUZZ_CONTRACT(page::IsEinval(buf_->read_raw(nullptr, buf_->size(), 1)), "page-bounds",
                            "read past the end of the buffer was not EINVAL");
          break;
        }
        case kRealloc:
          if (d == Discipline::kSlices) break;      // others use it with no lock
          Alloc(std::max<uint32_t>(op.arg[0], 1));  // AllocError keeps the old one
          break;
        default:
          break;
      }
    });
  }

  void Finish() {
    const std::unique_ptr<uint8_t[]> all(new uint8_t[buf_->size()]);  // uninitialized
    Check(buf_->read_raw(all.get(), 0, buf_->size()));
    RACEFUZZ_CONTRACT(SameBytes(all.get(), shadow_.data(), buf_->size()), "page-content",
                      "final contents differ");
  }

  static std::vector<Seed<PageBorrowedWorld>> Seeds() {
    auto op = [](OpCode c, uint32_t a0 = 0, uint32_t a1 = 0, uint32_t a2 = 0, uint32_t a3 = 0) {
      return Op{c, {a0, a1, a2, a3}};
    };
    const std::string rr = "\x00\x01\x02\x00\x01\x02\x00\x01\x02"s;
    return {
        {"iterate_and_write",
         {3 * PAGE_SIZE + 100, true, 0},
         {{{op(kIterate), op(kBorrowedWrite, 1, 10, 100, 5), op(kSpanRead, 4000, 200)},
           {op(kSpanWrite, 4090, 20, 7), op(kBorrowedRead, 1, 0, 4096), op(kIterate)}}},
         rr},
        {"realloc_with_failure",
         {PAGE_SIZE, true, 0b01},
         {{{op(kRealloc, 3 * PAGE_SIZE, 0), op(kRealloc, 2 * PAGE_SIZE + 1, 0), op(kIterate)},
           {op(kBorrowedWrite, 2, 0, 64, 1), op(kSpanRead, 0, 8192)},
           {op(kIterate), op(kBorrowedRead, 1, 0, 64)}}},
         rr},
        {"slices",
         {4 * PAGE_SIZE, false, 0},
         {{{op(kBorrowedWrite, 0, 0, 1024, 1), op(kBorrowedRead, 3, 0, 1024)},
           {op(kBorrowedWrite, 0, 0, 1024, 2), op(kIterate)},
           {op(kBorrowedWrite, 3, 5, 1000, 3), op(kBorrowedRead, 0, 0, 1024)}}},
         "\x00\x01\x02\x02\x01\x00"s},
    };
  }

 private:
  static void Check(const absl::Status& s) {
    RACEFUZZ_CONTRACT(s.ok(), "page-unexpected-error", "%s", s.ToString());
  }
  // Replaces the allocation (the old one is freed with every page); false on AllocError.
  bool Alloc(size_t size) {
    absl::StatusOr<page::VmallocBuffer> fresh = page::VmallocBuffer::alloc(size, page::GFP_KERNEL);
    if (!fresh.ok()) {
      RACEFUZZ_CONTRACT(page::IsAllocError(fresh.status()), "page-alloc-error", "%s",
                        fresh.status().ToString());
      return false;
    }
    // SAFETY: `fresh` is not shared yet; the caller holds the lock that guards the shadow.
    Check(fresh->read_raw(shadow_.data(), 0, size));
    buf_ = *std::move(fresh);
    return true;
  }

  DisciplineLock lock_;
  std::optional<page::VmallocBuffer> buf_;
  // What the program wrote, [0, buf_->size()) loaded by Alloc; the rest is never read.
  std::array<uint8_t, kMaxPages * PAGE_SIZE> shadow_;
  // Each thread's private buffer, uninitialized: every op writes what it then reads.
  std::array<std::array<uint8_t, kMaxSpan>, kShape.max_threads> bufs_;
  std::optional<page::ScopedAllocFaults> faults_;
};

}  // namespace
}  // namespace racefuzz::fuzz

// libFuzzer's entry points: seeds on request, then one input per call.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  racefuzz::fuzz::MaybeWriteSeeds<racefuzz::fuzz::PageBorrowedWorld>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  return racefuzz::fuzz::RunOpFuzzer<racefuzz::fuzz::PageBorrowedWorld>(data, size);
}
