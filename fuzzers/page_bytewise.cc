// page_bytewise: byte-wise atomic copies racing with "user" memory. Shared buffers are touched by
// every thread with atomic accesses only (atomic_per_byte_memcpy between them, byte stores and
// loads, and read/write_bytewise_atomic to and from pages), which the contracts allow: TSan must
// stay silent on them. The page side follows an input-chosen discipline. Oracles: a private
// round trip through a page (write_bytewise_atomic then read_bytewise_atomic returns the bytes:
// the copy directions are right) and the page shadow.
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/page/bytewise.h"
#include "core/page/page.h"
#include "core/page/user.h"
#include "core/sched/trace.h"
#include "fuzzers/common/harness.h"
#include "fuzzers/page_fuzz.h"

namespace racefuzz::fuzz {
namespace {

using page::PAGE_SIZE;
using namespace std::string_literals;

constexpr size_t kBuf = 512;  // bytes per shared buffer
constexpr int kBufs = 2;

enum OpCode : uint8_t {
  kSharedCopy,
  kReadToShared,
  kWriteFromShared,
  kSharedStore,
  kSharedLoad,
  kUserStore,
  kCopyFromUser,
  kRoundTrip,
  kVerify,
};

class PageBytewiseWorld {
 public:
  static constexpr ProgramShape kShape = {.min_threads = 2, .max_threads = 4, .max_ops = 12};
  static constexpr std::array<OpSpec, 9> kOps = {{
      {"shared_copy", 4, {kBufs - 1, kBuf, kBuf, kBuf}},  // from buf a[off] to buf !a[off2]
      {"read_to_shared", 4, {1, PAGE_SIZE, kBuf, kBufs - 1}},
      {"write_from_shared", 4, {1, PAGE_SIZE, kBuf, kBufs - 1}},
      {"shared_store", 3, {kBufs - 1, kBuf - 1, 255}},
      {"shared_load", 2, {kBufs - 1, kBuf - 1}},
      {"user_store", 2, {PAGE_SIZE - 1, 255}},
      {"copy_from_user", 3, {1, PAGE_SIZE, PAGE_SIZE}},
      {"round_trip", 4, {1, PAGE_SIZE, kBuf, 255}},
      {"verify", 1, {1}},
  }};

  struct Config {
    uint8_t discipline = 0;
  };
  template <typename C>
  static void VisitConfig(C& c, Config& config) {
    c.Field(config.discipline, uint8_t{0}, uint8_t{kNumDisciplines - 1});
  }

  explicit PageBytewiseWorld(const Config& config)
      : lock_(static_cast<Discipline>(config.discipline)), user_(PAGE_SIZE) {
    for (ShadowedPage& sp : pages_) {
      if (!AllocShadowed(true, sp)) __builtin_trap();
    }
  }

  void Execute(int thread, const Op& op) {
    const Discipline d = lock_.discipline();
    switch (op.code) {
      case kSharedCopy: {
        const size_t from = op.arg[1] % kBuf;
        const size_t to = op.arg[2] % kBuf;
        const size_t len = std::min<size_t>({op.arg[3], kBuf - from, kBuf - to});
        yield_point("shared_copy", {"buf", op.arg[0]}, {from, from + len});
        // SAFETY: both buffers are only ever accessed atomically.
        page::atomic_per_byte_memcpy(shared_[op.arg[0]].data() + from,
                                     shared_[1 - op.arg[0]].data() + to, len);
        break;
      }
      case kReadToShared:
      case kWriteFromShared: {
        const int slot = static_cast<int>(op.arg[0]);
        const ByteRange r = Clamp(d, thread, op.arg[1], std::min<uint32_t>(op.arg[2], kBuf));
        uint8_t* buf = shared_[op.arg[3]].data();
        lock_.With(slot, [&] {
          ShadowedPage& sp = pages_[slot];
          // SAFETY: `buf` is accessed only atomically by every thread; the discipline excludes
          // overlapping page accesses.
          if (op.code == kReadToShared) {
            ShadowedPage::Check(sp.page->read_bytewise_atomic(buf, r.off, r.len), "read_bw");
          } else {
            ShadowedPage::Check(sp.page->write_bytewise_atomic(buf, r.off, r.len), "write_bw");
            sp.Resync(r.off, r.len);  // the source was racy: take what landed
          }
        });
        break;
      }
      case kSharedStore:
        yield_point("shared_store", {"buf", op.arg[0]}, {op.arg[1], op.arg[1] + 1});
        page::atomic_store_byte(&shared_[op.arg[0]][op.arg[1]], static_cast<uint8_t>(op.arg[2]));
        break;
      case kSharedLoad:
        yield_point("shared_load", {"buf", op.arg[0]}, {op.arg[1], op.arg[1] + 1});
        (void)page::atomic_load_byte(&shared_[op.arg[0]][op.arg[1]]);
        break;
      case kUserStore:
        ShadowedPage::Check(user_.store(op.arg[0], static_cast<uint8_t>(op.arg[1])), "user_store");
        break;
      case kCopyFromUser: {
        const int slot = static_cast<int>(op.arg[0]);
        const ByteRange r = Clamp(d, thread, op.arg[1], op.arg[2]);
        lock_.With(slot, [&] {
          page::UserSliceReader reader = user_.reader(r.off, r.len);
          // SAFETY: the discipline excludes overlapping page accesses; user memory is racy.
          ShadowedPage::Check(pages_[slot].page->copy_from_user_slice_raw(reader, r.off, r.len),
                              "copy_from_user_slice_raw");
          pages_[slot].Resync(r.off, r.len);
        });
        break;
      }
      case kRoundTrip: {
        const int slot = static_cast<int>(op.arg[0]);
        const ByteRange r = Clamp(d, thread, op.arg[1], std::min<uint32_t>(op.arg[2], kBuf));
        std::array<uint8_t, kBuf> out;
        std::array<uint8_t, kBuf> in;
        for (size_t i = 0; i < r.len; ++i) out[i] = static_cast<uint8_t>(op.arg[3] + i);
        lock_.With(slot, [&] {
          ShadowedPage& sp = pages_[slot];
          // SAFETY: private buffers; the discipline excludes overlapping page accesses.
          ShadowedPage::Check(sp.page->write_bytewise_atomic(out.data(), r.off, r.len), "write");
          ShadowedPage::Check(sp.page->read_bytewise_atomic(in.data(), r.off, r.len), "read");
          RACEFUZZ_CONTRACT(SameBytes(in.data(), out.data(), r.len), "page-bytewise-direction",
                            "write_bytewise_atomic then read_bytewise_atomic of %s [%d, %d) "
                            "did not return the bytes written",
                            ObjectName({"page", sp.page->id()}), r.off, r.off + r.len);
          CopyBookkeeping(sp.shadow.data() + r.off, out.data(), r.len);
        });
        break;
      }
      case kVerify: {
        const int slot = static_cast<int>(op.arg[0]);
        const ByteRange r = Clamp(d, thread, 0, PAGE_SIZE);
        lock_.With(slot, [&] { pages_[slot].Verify(r.off, r.len); });
        break;
      }
      default:
        break;
    }
  }

  void Finish() {
    for (const ShadowedPage& sp : pages_) sp.Verify(0, PAGE_SIZE);
  }

  static std::vector<Seed<PageBytewiseWorld>> Seeds() {
    auto op = [](OpCode c, uint32_t a0 = 0, uint32_t a1 = 0, uint32_t a2 = 0, uint32_t a3 = 0) {
      return Op{c, {a0, a1, a2, a3}};
    };
    const std::string rr = "\x00\x01\x00\x01\x00\x01\x00\x01\x00\x01"s;
    return {
        {"shared_races_allowed",
         {0},
         {{{op(kSharedCopy, 0, 0, 0, 64), op(kReadToShared, 0, 0, 64, 1)},
           {op(kSharedStore, 0, 3, 9), op(kSharedStore, 1, 3, 9), op(kSharedLoad, 1, 8)},
           {op(kWriteFromShared, 1, 0, 128, 0), op(kVerify, 1)}}},
         rr},
        {"round_trip_slices",
         {2},
         {{{op(kRoundTrip, 0, 0, 100, 1), op(kRoundTrip, 1, 7, 300, 2)},
           {op(kRoundTrip, 0, 0, 100, 3), op(kUserStore, 2000, 5), op(kCopyFromUser, 0, 0, 64)}}},
         rr},
        {"user_races_global_lock",
         {1},
         {{{op(kUserStore, 0, 1), op(kUserStore, 1, 2), op(kUserStore, 2, 3)},
           {op(kCopyFromUser, 0, 0, 16), op(kCopyFromUser, 1, 0, 16), op(kVerify, 0)}}},
         rr},
    };
  }

 private:
  DisciplineLock lock_;
  page::UserMemory user_;
  std::array<ShadowedPage, 2> pages_;
  alignas(8) std::array<std::array<uint8_t, kBuf>, kBufs> shared_{};
};

}  // namespace
}  // namespace racefuzz::fuzz

// libFuzzer's entry points: seeds on request, then one input per call.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  racefuzz::fuzz::MaybeWriteSeeds<racefuzz::fuzz::PageBytewiseWorld>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  return racefuzz::fuzz::RunOpFuzzer<racefuzz::fuzz::PageBytewiseWorld>(data, size);
}
