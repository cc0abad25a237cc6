// pool_neighbours: a test target whose report depends on which page frame lies next to which. One
// thread's read runs 4 bytes off the end of a page (as a read_raw with its length rounded up
// would: bench/planted/page-read-raw-overread.patch plants that bug in read_raw itself) while
// another thread writes the start of the page allocated after it. Whether that is a report depends
// on the frames being neighbours, so it replays only if the pool's layout is a function of the run
// alone, not of the inputs the process ran before (core/page/pool.h). `churn` ops and the
// `shape_*` inputs allocate and free pages to change what the pool keeps between runs.
//
// tests/fuzz/CMakeLists.txt runs order_independence.sh --reports on the inputs Seeds() writes: the
// `overread` input must give the same report in 20 fresh processes and after the shaping inputs,
// in both orders. TSan: a data race on "global '...g_direct_map'" (the frames are neighbours in the
// direct map); ASan: a heap-buffer-overflow (every frame is its own heap block).
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/page/page.h"
#include "core/sched/harness.h"
#include "fuzzers/common/harness.h"

namespace racefuzz::fuzz {
namespace {

using page::Owned;
using page::Page;
using page::PAGE_SIZE;
using namespace std::string_literals;

enum OpCode : uint8_t { kWrite, kReadOver, kChurn };

// The bytes a read_over reads past the end of its page.
constexpr size_t kOver = 4;
// Pages of an input's world.
constexpr uint32_t kMaxPages = 4;

class PoolNeighboursWorld {
 public:
  static constexpr ProgramShape kShape = {.min_threads = 1, .max_threads = 2, .max_ops = 4};
  static constexpr std::array<OpSpec, 3> kOps = {{
      {"write", 3, {kMaxPages - 1, PAGE_SIZE - 1, 255}},  // page, off, byte: one byte
      {"read_over", 1, {kMaxPages - 1}},                  // page: its last 4 bytes and 4 more
      {"churn", 2, {127, 1}},                             // n pages allocated, freed (1: reversed)
  }};

  struct Config {
    uint8_t pages = 2;  // 1..kMaxPages pages, allocated in order before the threads start
  };
  template <typename C>
  static void VisitConfig(C& c, Config& config) {
    c.Field(config.pages, uint8_t{1}, uint8_t{kMaxPages});
  }

  explicit PoolNeighboursWorld(const Config& config) {
    for (int i = 0; i < config.pages; ++i) {
      absl::StatusOr<Owned<Page>> p = Page::alloc_page(page::GFP_KERNEL | page::__GFP_ZERO);
      if (!p.ok()) __builtin_trap();
      pages_.push_back(std::move(*p));
    }
  }

  void Execute(int thread, const Op& op) {
    const Page& p = *pages_[op.arg[0] % pages_.size()];
    switch (op.code) {
      case kWrite: {
        const uint8_t byte = static_cast<uint8_t>(op.arg[2]);
        if (!p.write_raw(&byte, op.arg[1], 1).ok()) __builtin_trap();
        break;
      }
      case kReadOver:
        ReadOver(p, bufs_[thread].data());
        break;
      case kChurn:
        Churn(op.arg[0], op.arg[1] != 0);
        break;
    }
  }

  void Finish() {}

  static std::vector<Seed<PoolNeighboursWorld>> Seeds() {
    auto op = [](OpCode c, uint32_t a0 = 0, uint32_t a1 = 0, uint32_t a2 = 0) {
      return Op{c, {a0, a1, a2}};
    };
    const std::string alternate = "\x00\x01\x00\x01\x00\x01\x00\x01"s;
    return {
        // The report: T0 reads 4 bytes into page 2 (the next frame) while T1 writes its byte 0.
        {"overread", {2}, {{{op(kReadOver, 0)}, {op(kWrite, 1, 0, 7)}}}, alternate},
        // Inputs that leave the pool of an old-style allocator in other states.
        {"shape_churn_100", {1}, {{{op(kChurn, 100, 0)}}}, ""},
        {"shape_churn_70_reversed", {3}, {{{op(kChurn, 70, 1)}, {op(kWrite, 2, 9, 1)}}}, alternate},
        {"shape_four_pages", {4}, {{{op(kWrite, 3, 0, 5), op(kChurn, 80, 1)}}}, ""},
        {"shape_two_threads", {2}, {{{op(kChurn, 90, 0)}, {op(kChurn, 33, 1)}}}, alternate},
    };
  }

 private:
  // A read of the last kOver bytes of `p` that runs kOver bytes further, into whatever follows the
  // page's frame: the over-read under test (a client's bug, not the model's).
  static void ReadOver(const Page& p, uint8_t* buf) {
    p.with_page_mapped([&](uint8_t* base) {
      yield_point("read_over", {"page", p.id()}, {PAGE_SIZE - kOver, PAGE_SIZE + kOver});
      std::memcpy(buf, base + PAGE_SIZE - kOver, 2 * kOver);
      page::internal::KeepAccess(buf);
    });
  }

  // Allocates `n` pages and frees them, in allocation order or reversed.
  static void Churn(uint32_t n, bool reversed) {
    std::vector<Owned<Page>> held;
    for (uint32_t i = 0; i < n; ++i) {
      absl::StatusOr<Owned<Page>> p = Page::alloc_page(page::GFP_KERNEL);
      if (!p.ok()) __builtin_trap();
      held.push_back(std::move(*p));
    }
    while (!held.empty()) {
      if (reversed) {
        held.pop_back();
      } else {
        held.erase(held.begin());
      }
    }
  }

  std::vector<Owned<Page>> pages_;
  std::array<std::array<uint8_t, 2 * kOver>, 2> bufs_ = {};
};

}  // namespace
}  // namespace racefuzz::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  racefuzz::fuzz::MaybeWriteSeeds<racefuzz::fuzz::PoolNeighboursWorld>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  return racefuzz::fuzz::RunOpFuzzer<racefuzz::fuzz::PoolNeighboursWorld>(data, size);
}
