// page_safe: SafePages handed between threads. Each thread holds at most one SafePage of its own
// and modifies its contents freely as plain spans (no lock: exclusivity is the type's invariant);
// pages move between threads only through mailboxes guarded by a mutex (the happens-before that
// keeps them exclusive). Allocation can fail (injected). Correct use: no report, ever. Oracle: a
// checksum stored with each page travels with it and must match its contents.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/check/report.h"
#include "core/page/pool.h"
#include "core/page/safe_page.h"
#include "core/sched/sync.h"
#include "core/sched/trace.h"
#include "fuzzers/common/harness.h"

namespace racefuzz::fuzz {
namespace {

using page::PAGE_SIZE;
using namespace std::string_literals;

constexpr int kMailboxes = 2;

enum OpCode : uint8_t { kAlloc, kFill, kPoke, kCheck, kGive, kTake, kFree };

// A SafePage and the sum of its bytes, which whoever owns it keeps up to date.
struct Held {
  page::Owned<page::SafePage> page;
  uint32_t sum = 0;
};

uint32_t Sum(std::span<const uint8_t, PAGE_SIZE> bytes) {
  uint32_t s = 0;
  for (uint8_t b : bytes) s += b;
  return s;
}

class PageSafeWorld {
 public:
  static constexpr ProgramShape kShape = {.min_threads = 2, .max_threads = 4, .max_ops = 12};
  static constexpr std::array<OpSpec, 7> kOps = {{
      {"alloc", 1, {1}},
      {"fill", 3, {PAGE_SIZE, PAGE_SIZE, 255}},
      {"poke", 2, {PAGE_SIZE - 1, 255}},
      {"check", 0, {}},
      {"give", 1, {kMailboxes - 1}},
      {"take", 1, {kMailboxes - 1}},
      {"free", 0, {}},
  }};

  struct Config {
    uint8_t fault_mask = 0;
  };
  template <typename C>
  static void VisitConfig(C& c, Config& config) {
    c.Field(config.fault_mask, uint8_t{0}, uint8_t{255});
  }

  explicit PageSafeWorld(const Config& config) { faults_.emplace(config.fault_mask); }

  void Execute(int thread, const Op& op) {
    Held& mine = held_[thread];
    switch (op.code) {
      case kAlloc: {
        if (mine.page) break;
        absl::StatusOr<page::Owned<page::SafePage>> p = page::SafePage::alloc_page(
            op.arg[0] != 0 ? page::GFP_KERNEL | page::__GFP_ZERO : page::GFP_KERNEL);
        if (!p.ok()) {
          RACEFUZZ_CONTRACT(page::IsAllocError(p.status()), "page-alloc-error", "%s",
                            p.status().ToString());
          break;  // handled
        }
        mine.page = *std::move(p);
        mine.sum = mine.page->with_contents(Sum);
        break;
      }
      case kFill:
        if (!mine.page) break;
        mine.page->with_contents([&](std::span<uint8_t, PAGE_SIZE> bytes) {
          const size_t off = op.arg[0] % PAGE_SIZE;
          const size_t len = std::min<size_t>(op.arg[1], PAGE_SIZE - off);
          yield_point("safe_fill", {"page", mine.page->id()}, {off, off + len});
          // SAFETY: this thread owns the SafePage: exclusive access to its bytes.
          for (size_t i = off; i < off + len; ++i) {
            mine.sum += static_cast<uint8_t>(op.arg[2]) - bytes[i];
            bytes[i] = static_cast<uint8_t>(op.arg[2]);
          }
        });
        break;
      case kPoke: {
        if (!mine.page) break;
        uint8_t old[1];
        Check(mine.page->read(old, op.arg[0]));
        const uint8_t v[1] = {static_cast<uint8_t>(op.arg[1])};
        Check(mine.page->write(v, op.arg[0]));
        mine.sum += v[0] - old[0];
        break;
      }
      case kCheck:
        if (!mine.page) break;
        RACEFUZZ_CONTRACT(mine.page->with_contents(Sum) == mine.sum, "safe-page-content",
                          "SafePage %s: contents changed behind its owner's back",
                          ObjectName({"page", mine.page->id()}));
        break;
      case kGive: {
        if (!mine.page) break;
        Guard<Mutex> g(mailbox_mu_);
        std::optional<Held>& box = mailbox_[op.arg[0]];
        if (box) break;  // full
        box.emplace(std::move(mine));
        mine = Held();
        break;
      }
      case kTake: {
        if (mine.page) break;
        Guard<Mutex> g(mailbox_mu_);
        std::optional<Held>& box = mailbox_[op.arg[0]];
        if (!box) break;
        mine = std::move(*box);
        box.reset();
        break;
      }
      case kFree:
        mine = Held();
        break;
      default:
        break;
    }
  }

  void Finish() {
    for (const Held& h : held_) {
      if (h.page) {
        RACEFUZZ_CONTRACT(h.page->with_contents(Sum) == h.sum, "safe-page-content", "final");
      }
    }
  }

  static std::vector<Seed<PageSafeWorld>> Seeds() {
    auto op = [](OpCode c, uint32_t a0 = 0, uint32_t a1 = 0, uint32_t a2 = 0) {
      return Op{c, {a0, a1, a2, 0}};
    };
    const std::string rr = "\x00\x01\x00\x01\x00\x01\x00\x01\x00\x01\x00\x01"s;
    return {
        {"handoff",
         {0},
         {{{op(kAlloc, 1), op(kFill, 0, 4096, 3), op(kGive, 0), op(kAlloc, 0), op(kCheck)},
           {op(kTake, 0), op(kCheck), op(kPoke, 7, 9), op(kGive, 1)},
           {op(kTake, 1), op(kCheck), op(kFree)}}},
         rr},
        {"alloc_failure",
         {0b11},
         {{{op(kAlloc, 1), op(kAlloc, 1), op(kFill, 10, 10, 1), op(kCheck)},
           {op(kAlloc, 0), op(kPoke, 4095, 1), op(kGive, 1), op(kTake, 1)}}},
         rr},
    };
  }

 private:
  static void Check(const absl::Status& s) {
    RACEFUZZ_CONTRACT(s.ok(), "page-unexpected-error", "%s", s.ToString());
  }

  std::array<Held, 4> held_;  // held_[t]: only thread t touches it
  Mutex mailbox_mu_{"mailbox_mu"};
  std::array<std::optional<Held>, kMailboxes> mailbox_;
  std::optional<page::ScopedAllocFaults> faults_;
};

}  // namespace
}  // namespace racefuzz::fuzz

// libFuzzer's entry points: seeds on request, then one input per call.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  racefuzz::fuzz::MaybeWriteSeeds<racefuzz::fuzz::PageSafeWorld>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  return racefuzz::fuzz::RunOpFuzzer<racefuzz::fuzz::PageSafeWorld>(data, size);
}
