// Canaries for the page model (core/page): one pair per clause of docs/contracts.md's Page,
// BorrowedPage/AsPageIter, SafePage and byte-wise atomic sections. The violating side breaks the
// clause and must be reported by the detector the contract names; its clean twin does the same work
// correctly and must stay silent. (The SafePage compile-time clause is proven by the compile-fail
// tests in tests/page/compile_fail.)
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/check/report.h"
#include "core/page/borrowed.h"
#include "core/page/bytewise.h"
#include "core/page/page.h"
#include "core/page/pool.h"
#include "core/page/safe_page.h"
#include "core/page/user.h"
#include "core/sched/sync.h"
#include "core/sched/trace.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {
namespace {

using page::__GFP_ZERO;
using page::GFP_KERNEL;
using page::Owned;
using page::Page;
using page::PAGE_SIZE;

// The shared page of a canary: allocated in the violate/clean body, before the threads.
Owned<Page> g_page;
Mutex g_mu("page_mu");

Owned<Page> NewPage() {
  absl::StatusOr<Owned<Page>> p = Page::alloc_page(GFP_KERNEL | __GFP_ZERO);
  if (!p.ok()) std::abort();
  return *std::move(p);
}

void Check(const absl::Status& s) {
  RACEFUZZ_CONTRACT(s.ok(), "canary-unexpected-error", "%s", s.ToString());
}

// Runs `a` and `b` as two simulated threads on g_page, each under g_mu if `locked`.
template <bool kLocked>
void OnSharedPage(void (*a)(), void (*b)()) {
  g_page = NewPage();
  static void (*sa)() = nullptr;
  static void (*sb)() = nullptr;
  sa = a;
  sb = b;
  RunThreads({[] {
                if (kLocked) g_mu.lock();
                sa();
                if (kLocked) g_mu.unlock();
              },
              [] {
                if (kLocked) g_mu.lock();
                sb();
                if (kLocked) g_mu.unlock();
              }});
  g_page.reset();
}

// One side of a TSan race report: its access line and the first frame of code we wrote (frame #1
// when #0 is TSan's memcpy/memset interceptor), pinned as compiler-rt's golden tests pin them.
struct Access {
  const char* line;   // "Read of size 8 at", "Previous write of size 8 at"
  const char* frame;  // "#1 racefuzz::page::Page::read_raw("
};

// The whole report: both accesses, where the memory is (a page: "global '...g_direct_map'", or the
// canary's own buffer), and the timeline's ops in order.
std::vector<std::string> TsanRace(Access now, Access previous, const char* location,
                                  std::initializer_list<const char*> timeline) {
  std::vector<std::string> expect = {"WARNING: ThreadSanitizer: data race",
                                     now.line,
                                     now.frame,
                                     previous.line,
                                     previous.frame,
                                     location,
                                     "racefuzz timeline"};
  expect.insert(expect.end(), timeline.begin(), timeline.end());
  expect.push_back("SUMMARY: ThreadSanitizer: data race");
  return expect;
}

// Frames and locations the page canaries' reports name.
constexpr char kReadRaw[] = "#1 racefuzz::page::Page::read_raw(";
constexpr char kWriteRaw[] = "#1 racefuzz::page::Page::write_raw(";
constexpr char kFillZero[] = "#1 racefuzz::page::Page::fill_zero_raw(";
constexpr char kAtomicStore[] =
    "#0 void racefuzz::page::(anonymous namespace)::Store<unsigned long>(";
constexpr char kAtomicLoad[] =
    "#0 unsigned long racefuzz::page::(anonymous namespace)::Load<unsigned long>(";
constexpr char kCanaryCode[] = "#0 racefuzz::canary::";
// ASan prints a frame as "#0 0x55e65b36000d in <function>": pinned from " in ", first after the
// access line.
constexpr char kAsanInCanary[] = " in racefuzz::canary::";

// ASan's report of a one-byte write to a poisoned page in canary code (a mapping used where it is
// not valid), with `timeline` (lines of racefuzz's timeline) before its summary.
std::vector<std::string> AsanPoisonedWrite(std::initializer_list<std::string> timeline = {}) {
  std::vector<std::string> lines = {"ERROR: AddressSanitizer: use-after-poison",
                                    "WRITE of size 1 at", kAsanInCanary};
  lines.insert(lines.end(), timeline);
  lines.push_back("SUMMARY: AddressSanitizer: use-after-poison");
  return lines;
}
// A page's bytes are a frame of the pool's physical memory (core/page/direct_map.h).
constexpr char kOnPage[] =
    "Location is global 'racefuzz::page::internal::(anonymous namespace)::g_direct_map'";
constexpr char kOnBuf[] = "Location is global 'racefuzz::canary::(anonymous namespace)::g_buf'";
constexpr char kOnDst[] = "Location is global 'racefuzz::canary::(anonymous namespace)::g_dst'";
constexpr char kOnSrc[] = "Location is global 'racefuzz::canary::(anonymous namespace)::g_src'";

// --- Page: races on page bytes (TSan) ---

void Write0To64() {
  uint8_t src[64];
  std::memset(src, 1, sizeof src);
  Check(g_page->write_raw(src, 0, sizeof src));
}
void Read32To96() {
  uint8_t dst[64];
  Check(g_page->read_raw(dst, 32, sizeof dst));
}
void Read64To128() {
  uint8_t dst[64];
  Check(g_page->read_raw(dst, 64, sizeof dst));
}

RACEFUZZ_CANARY(page_read_races_overlapping_write,
                {
                    .clause = "read_raw: does not race with a write to the same page that overlaps",
                    .builds = kTsan,
                    .expect = TsanRace(
                        {"Read of size 8 at", kReadRaw}, {"Previous write of size 8 at", kWriteRaw},
                        kOnPage, {"T0 write_raw page#1 [0, 64)", "T1 read_raw page#1 [32, 96)"}),
                    .violate = [] { OnSharedPage<false>(Write0To64, Read32To96); },
                    // Same ops, disjoint ranges and no lock: not a race (no false positive).
                    .clean = [] { OnSharedPage<false>(Write0To64, Read64To128); },
                });

RACEFUZZ_CANARY(page_write_races_overlapping_write,
                {
                    .clause = "write_raw: does not race with a read or write that overlaps",
                    .builds = kTsan,
                    .expect = TsanRace({"Write of size 8 at", kWriteRaw},
                                       {"Previous write of size 8 at", kWriteRaw}, kOnPage,
                                       {"T0 write_raw page#1 [0, 64)",
                                        "T1 write_raw page#1 [0, 64)"}),
                    .violate = [] { OnSharedPage<false>(Write0To64, Write0To64); },
                    .clean = [] { OnSharedPage<true>(Write0To64, Write0To64); },
                });

void ZeroPage() { Check(g_page->fill_zero_raw(0, PAGE_SIZE)); }

RACEFUZZ_CANARY(page_fill_zero_races_read,
                {
                    .clause = "fill_zero_raw: does not race with an overlapping read or write",
                    .builds = kTsan,
                    .expect = TsanRace({"Read of size 8 at", kReadRaw},
                                       {"Previous write of size 8 at", kFillZero}, kOnPage,
                                       {"T0 fill_zero_raw page#1 [0, 4096)",
                                        "T1 read_raw page#1 [32, 96)"}),
                    .violate = [] { OnSharedPage<false>(ZeroPage, Read32To96); },
                    .clean = [] { OnSharedPage<true>(ZeroPage, Read32To96); },
                });

// Each thread maps the page itself and writes byte 7 through its own mapping.
void MapAndPoke() {
  g_page->with_page_mapped([](uint8_t* p) {
    yield_point("poke", {"page", g_page->id()}, {7, 8});
    p[7] = static_cast<uint8_t>(current_thread());
  });
}

RACEFUZZ_CANARY(page_two_mappings_same_byte,
                {
                    .clause = "with_page_mapped: two threads mapping one page share the memory: "
                              "both writing one byte is a race",
                    .builds = kTsan,
                    .expect = TsanRace({"Write of size 1 at",
                                        "#0 racefuzz::canary::(anonymous namespace)::MapAndPoke()"},
                                       {"Previous write of size 1 at",
                                        "#0 racefuzz::canary::(anonymous namespace)::MapAndPoke()"},
                                       kOnPage, {"T0 poke page#1 [7, 8)", "T1 poke page#1 [7, 8)"}),
                    .violate = [] { OnSharedPage<false>(MapAndPoke, MapAndPoke); },
                    .clean = [] { OnSharedPage<true>(MapAndPoke, MapAndPoke); },
                });

// --- Page: the mapping's lifetime and locality (ASan) ---

RACEFUZZ_CANARY(page_mapping_used_after_closure,
                {
                    .clause = "with_page_mapped: the pointer is valid only for the duration of the "
                              "closure",
                    .builds = kAsan,
                    .expect = AsanPoisonedWrite(),
                    .violate =
                        [] {
                          Owned<Page> page = NewPage();
                          uint8_t* leaked = page->with_page_mapped([](uint8_t* p) { return p; });
                          leaked[100] = 1;
                        },
                    .clean =
                        [] {
                          Owned<Page> page = NewPage();
                          page->with_page_mapped([](uint8_t* p) { p[100] = 1; });
                        },
                });

Atomic<uint8_t*> g_foreign_mapping(nullptr, "mapping");

RACEFUZZ_CANARY(page_mapping_used_on_other_thread,
                {
                    .clause = "with_page_mapped: the mapping may be local to the mapping thread; "
                              "dereferencing it on another thread is UB",
                    .builds = kAsan,
                    .expect = AsanPoisonedWrite({"racefuzz timeline", "T0 hold page#1"}),
                    .violate =
                        [] {
                          g_page = NewPage();
                          RunThreads({[] {
                                        g_page->with_page_mapped([](uint8_t* p) {
                                          g_foreign_mapping.store(p);
                                          yield_point("hold", {"page", 1});
                                          yield_point("hold", {"page", 1});
                                        });
                                      },
                                      [] {
                                        uint8_t* p = nullptr;
                                        wait_until([&] { return (p = g_foreign_mapping.load()); });
                                        p[5] = 1;  // T0's mapping, used on T1
                                      }});
                          g_page.reset();
                        },
                    .clean =
                        [] {
                          g_page = NewPage();
                          RunThreads({[] {
                                        g_page->with_page_mapped([](uint8_t* p) {
                                          g_foreign_mapping.store(p);
                                          yield_point("hold", {"page", 1});
                                          yield_point("hold", {"page", 1});
                                        });
                                      },
                                      [] {
                                        wait_until([] { return g_foreign_mapping.load(); });
                                        // T1 maps the page itself: its own mapping is usable.
                                        g_page->with_page_mapped([](uint8_t* p) { p[5] = 1; });
                                      }});
                          g_page.reset();
                        },
                });

// --- Page: bounds (always checked) ---

RACEFUZZ_CANARY(
    page_bounds_checked,
    {
        .clause = "with_pointer_into_page: off <= PAGE_SIZE && len <= PAGE_SIZE && off + len <= "
                  "PAGE_SIZE, else EINVAL and f is not called (no overflow of off + len)",
        .builds = kAsan,
        // Without the check, the pointer for [4090, 4106) runs off the page: ASan.
        .expect = {"ERROR: AddressSanitizer: heap-buffer-overflow", "WRITE of size 16 at",
                   " in __asan_memset", "SUMMARY: AddressSanitizer: heap-buffer-overflow"},
        .violate =
            [] {
              Owned<Page> page = NewPage();
              page->with_page_mapped([](uint8_t* p) { std::memset(p + 4090, 1, 16); });
            },
        // With it: every out-of-page range, including ones whose off + len wraps around, is
        // EINVAL and the closure never runs (a contract report if it did).
        .clean =
            [] {
              Owned<Page> page = NewPage();
              const size_t kMax = ~size_t{0};
              const size_t bad[][2] = {{4090, 16},      {4097, 0},    {0, 4097},
                                       {kMax, 1},       {1, kMax},    {kMax - 10, 20},
                                       {20, kMax - 10}, {kMax, kMax}, {PAGE_SIZE, 1}};
              for (const auto& [off, len] : bad) {
                absl::Status s = page->with_pointer_into_page(off, len, [&](uint8_t*) {
                  RACEFUZZ_CONTRACT(false, "page-bounds", "closure called for off=%d len=%d", off,
                                    len);
                  return absl::OkStatus();
                });
                RACEFUZZ_CONTRACT(page::IsEinval(s), "page-bounds", "off=%d len=%d gave %s", off,
                                  len, s.ToString());
                uint8_t buf[1];
                RACEFUZZ_CONTRACT(page::IsEinval(page->read_raw(buf, off, len)), "page-bounds",
                                  "read_raw off=%d len=%d", off, len);
              }
              Check(page->with_pointer_into_page(PAGE_SIZE, 0,
                                                 [](uint8_t*) { return absl::OkStatus(); }));
            },
    });

// --- Page: the caller's buffers (ASan, TSan) ---

enum Direction { kToBuffer, kFromBuffer };

// Copies 64 bytes of a fresh page into (read_raw) or out of (write_raw) a heap buffer of
// `buffer_size` bytes.
template <Direction kDirection>
void CopyWithBuffer(size_t buffer_size) {
  Owned<Page> page = NewPage();
  std::vector<uint8_t> buf(buffer_size);
  Check(kDirection == kToBuffer ? page->read_raw(buf.data(), 0, 64)
                                : page->write_raw(buf.data(), 0, 64));
}

RACEFUZZ_CANARY(page_read_raw_dst_too_small,
                {
                    .clause = "read_raw: dst valid for writing len bytes",
                    .builds = kAsan,
                    .expect = {"ERROR: AddressSanitizer: heap-buffer-overflow", "WRITE of size 64",
                               " in racefuzz::page::Page::read_raw(",
                               "SUMMARY: AddressSanitizer: heap-buffer-overflow"},
                    .violate = [] { CopyWithBuffer<kToBuffer>(16); },
                    .clean = [] { CopyWithBuffer<kToBuffer>(64); },
                });

RACEFUZZ_CANARY(page_write_raw_src_too_small,
                {
                    .clause = "write_raw: src valid for reading len bytes",
                    .builds = kAsan,
                    .expect = {"ERROR: AddressSanitizer: heap-buffer-overflow", "READ of size 64",
                               " in racefuzz::page::Page::write_raw(",
                               "SUMMARY: AddressSanitizer: heap-buffer-overflow"},
                    .violate = [] { CopyWithBuffer<kFromBuffer>(16); },
                    .clean = [] { CopyWithBuffer<kFromBuffer>(64); },
                });

uint8_t g_buf[64];

void ReadIntoBuf() { Check(g_page->read_raw(g_buf, 0, sizeof g_buf)); }
void TouchBuf() {
  yield_point("touch_buf", {"buf", 0});
  g_buf[10] = 2;
}
void WriteFromBuf() { Check(g_page->write_raw(g_buf, 0, sizeof g_buf)); }

RACEFUZZ_CANARY(page_read_raw_dst_shared,
                {
                    .clause = "read_raw: no other concurrent reads or writes to/from dst",
                    .builds = kTsan,
                    .expect = TsanRace({"Write of size 1 at",
                                        "#0 racefuzz::canary::(anonymous namespace)::TouchBuf()"},
                                       {"Previous write of size 8 at", kReadRaw}, kOnBuf,
                                       {"T0 read_raw page#1 [0, 64)", "T1 touch_buf buf#0"}),
                    .violate = [] { OnSharedPage<false>(ReadIntoBuf, TouchBuf); },
                    .clean = [] { OnSharedPage<true>(ReadIntoBuf, TouchBuf); },
                });

RACEFUZZ_CANARY(page_write_raw_src_written,
                {
                    .clause = "write_raw: no concurrent writes to the source region",
                    .builds = kTsan,
                    .expect = TsanRace({"Write of size 1 at",
                                        "#0 racefuzz::canary::(anonymous namespace)::TouchBuf()"},
                                       {"Previous read of size 8 at", kWriteRaw}, kOnBuf,
                                       {"T0 write_raw page#1 [0, 64)", "T1 touch_buf buf#0"}),
                    .violate = [] { OnSharedPage<false>(WriteFromBuf, TouchBuf); },
                    .clean = [] { OnSharedPage<true>(WriteFromBuf, TouchBuf); },
                });

// --- Page: copy from user memory ---

page::UserMemory* g_user = nullptr;

void CopyFromUser() {
  page::UserSliceReader r = g_user->reader(0, 64);
  Check(g_page->copy_from_user_slice_raw(r, 0, 64));
}
void UserStores() {
  for (size_t i = 0; i < 64; i += 16) Check(g_user->store(i, 7));
}

RACEFUZZ_CANARY(page_copy_from_user_page_race,
                {
                    .clause = "copy_from_user_slice_raw: races on user memory are allowed, races "
                              "on the page are not",
                    .builds = kTsan,
                    .expect = TsanRace({"Read of size 8 at", kReadRaw},
                                       {"Previous write of size 8 at", kAtomicStore}, kOnPage,
                                       {"T0 copy_from_user_slice_raw page#1 [0, 64)",
                                        "T1 read_raw page#1 [32, 96)"}),
                    // The page side races with a read of the page: reported.
                    .violate =
                        [] {
                          page::UserMemory user(64);
                          g_user = &user;
                          OnSharedPage<false>(CopyFromUser, Read32To96);
                        },
                    // The user side races with the user program's stores: allowed, silent.
                    .clean =
                        [] {
                          page::UserMemory user(64);
                          g_user = &user;
                          OnSharedPage<false>(CopyFromUser, UserStores);
                        },
                });

// --- Page: ownership (Owned<Page>, release exactly once) ---

RACEFUZZ_CANARY(page_double_free,
                {
                    .clause = "Owned<Page> release: frees the page exactly once",
                    .builds = kAsan,
                    .expect = {"ERROR: AddressSanitizer: attempting double-free",
                               "freed by thread T0 here", "Page::alloc_page", "racefuzz timeline",
                               "T0 free_page page#1", "SUMMARY: AddressSanitizer: double-free"},
                    .violate =
                        [] {
                          RunThreads({[] {
                            Owned<Page> page = NewPage();
                            Page* raw = page.into_raw();
                            Owned<Page>::from_raw(raw).reset();
                            Owned<Page>::from_raw(raw).reset();  // a second owner frees it again
                          }});
                        },
                    .clean =
                        [] {
                          RunThreads({[] {
                            Owned<Page> page = NewPage();
                            Page* raw = page.into_raw();
                            Owned<Page>::from_raw(raw).reset();
                          }});
                        },
                });

RACEFUZZ_CANARY(page_leaked,
                {
                    .clause = "alloc_page: the Page owns it, drop frees it (a lost page leaks)",
                    .builds = kAsan,
                    .expect = {"ERROR: LeakSanitizer: detected memory leaks",
                               "racefuzz::page::Page::alloc_page", "SUMMARY: AddressSanitizer:"},
                    .violate =
                        [] {
                          // In a simulated thread: fiber stacks are not scanned for pointers.
                          RunThreads({[] { (void)NewPage().into_raw(); }});
                        },
                    .clean =
                        [] {
                          RunThreads({[] {
                            Page* raw = NewPage().into_raw();
                            Owned<Page>::from_raw(raw).reset();
                          }});
                        },
                });

Atomic<int> g_mapped(0, "mapped");
Atomic<int> g_unmapped(0, "unmapped");

// T0 maps g_page and keeps it mapped until g_unmapped; T1 frees the page once T0 has it mapped
// (kWaitForUnmap: only after T0's closure returned).
template <bool kWaitForUnmap>
void FreeWhileMapped() {
  g_page = NewPage();
  g_mapped.store(0);
  g_unmapped.store(0);
  RunThreads({[] {
                g_page->with_page_mapped([](uint8_t* p) {
                  p[0] = 1;
                  g_mapped.store(1);
                  if (!kWaitForUnmap) wait_until([] { return g_unmapped.load() == 1; });
                });
                g_unmapped.store(1);
              },
              [] {
                wait_until([] { return g_mapped.load() == 1; });
                if (kWaitForUnmap) wait_until([] { return g_unmapped.load() == 1; });
                g_page.reset();
              }});
  g_page.reset();
}

RACEFUZZ_CANARY(page_free_mapped,
                {
                    .clause = "Owned<Page> release: when no mapping of the page remains",
                    .builds = kAsan,
                    .expect = {"ERROR: racefuzz: contract violation: page-free-mapped",
                               "page#1 freed while still mapped by T0", "racefuzz timeline",
                               "T0 kmap_local_page page#1", "T1 free_page page#1",
                               "SUMMARY: racefuzz: page-free-mapped"},
                    .violate = [] { FreeWhileMapped<false>(); },
                    .clean = [] { FreeWhileMapped<true>(); },
                });

RACEFUZZ_CANARY(page_freed_stays_quarantined,
                {
                    .clause = "Owned<Page> release: freed pages stay poisoned (quarantine), so a "
                              "stale user is caught even when pages are allocated again",
                    .builds = kAsan,
                    .expect = AsanPoisonedWrite(),
                    .violate =
                        [] {
                          Owned<Page> page = NewPage();
                          uint8_t* stale = page->with_page_mapped([](uint8_t* p) { return p; });
                          page.reset();
                          Owned<Page> again = NewPage();
                          again->with_page_mapped([&](uint8_t*) { stale[0] = 1; });
                        },
                    .clean =
                        [] {
                          Owned<Page> page = NewPage();
                          page.reset();
                          Owned<Page> again = NewPage();
                          again->with_page_mapped([&](uint8_t* p) { p[0] = 1; });
                        },
                });

RACEFUZZ_CANARY(page_alloc_failure_unhandled,
                {
                    .clause = "alloc_page: may fail with AllocError (fault injection); callers "
                              "must handle it",
                    .builds = kAll,
                    .expect = {"BadStatusOrAccess", "AllocError"},
                    .violate =
                        [] {
                          page::ScopedAllocFaults faults(0b1);
                          absl::StatusOr<Owned<Page>> page = Page::alloc_page(GFP_KERNEL);
                          (void)page.value()->nid();  // assumes success
                        },
                    .clean =
                        [] {
                          page::ScopedAllocFaults faults(0b1);
                          absl::StatusOr<Owned<Page>> page = Page::alloc_page(GFP_KERNEL);
                          RACEFUZZ_CONTRACT(page::IsAllocError(page.status()), "canary-fault",
                                            "the injected failure did not happen");
                          page = Page::alloc_page(GFP_KERNEL);  // the next attempt succeeds
                          Check(page.status());
                        },
                });

// --- BorrowedPage, AsPageIter ---

RACEFUZZ_CANARY(borrowed_page_outlives_owner,
                {
                    .clause = "BorrowedPage::from_raw: ptr stays valid for the whole borrow",
                    .builds = kAsan,
                    .expect = {"ERROR: AddressSanitizer: heap-use-after-free", "READ of size 4 at",
                               " in racefuzz::page::internal::kmap_local_page(",
                               "SUMMARY: AddressSanitizer: heap-use-after-free"},
                    .violate =
                        [] {
                          auto buf = page::VmallocBuffer::alloc(3 * PAGE_SIZE, GFP_KERNEL);
                          Check(buf.status());
                          std::optional<page::BorrowedPage> borrowed;
                          for (page::BorrowedPage p : buf->page_iter()) borrowed.emplace(p);
                          buf = page::AllocError();  // frees the allocation and its pages
                          Check((*borrowed)->fill_zero_raw(0, 8));
                        },
                    .clean =
                        [] {
                          auto buf = page::VmallocBuffer::alloc(3 * PAGE_SIZE, GFP_KERNEL);
                          Check(buf.status());
                          std::optional<page::BorrowedPage> borrowed;
                          for (page::BorrowedPage p : buf->page_iter()) borrowed.emplace(p);
                          Check((*borrowed)->fill_zero_raw(0, 8));
                          borrowed.reset();
                        },
                });

RACEFUZZ_CANARY(borrowed_page_never_frees,
                {
                    .clause = "BorrowedPage: never frees the page (ManuallyDrop)",
                    .builds = kAsan,
                    .expect = {"ERROR: AddressSanitizer: attempting double-free",
                               "freed by thread T0 here", "VmallocBuffer::alloc",
                               "SUMMARY: AddressSanitizer: double-free"},
                    // Treating a borrow as an owner frees the page behind its real owner's back;
                    // the owner frees it again.
                    .violate =
                        [] {
                          auto buf = page::VmallocBuffer::alloc(PAGE_SIZE, GFP_KERNEL);
                          Check(buf.status());
                          page::BorrowedPage p = *buf->page_iter().begin();
                          Owned<Page>::from_raw(p->as_ptr()).reset();
                        },
                    .clean =
                        [] {
                          auto buf = page::VmallocBuffer::alloc(PAGE_SIZE, GFP_KERNEL);
                          Check(buf.status());
                          {
                            page::BorrowedPage p = *buf->page_iter().begin();
                          }
                        },
                });

RACEFUZZ_CANARY(page_iter_outlives_allocation,
                {
                    .clause = "AsPageIter::page_iter: yields every page in order; an iterator "
                              "outliving the allocation is a use after free",
                    .builds = kAsan,
                    .expect = {"ERROR: AddressSanitizer: heap-use-after-free", "READ of size 8 at",
                               " in racefuzz::page::VmallocBuffer::PageIter::iterator::operator*()",
                               "SUMMARY: AddressSanitizer: heap-use-after-free"},
                    .violate =
                        [] {
                          auto buf = page::VmallocBuffer::alloc(2 * PAGE_SIZE, GFP_KERNEL);
                          Check(buf.status());
                          auto it = buf->page_iter().begin();
                          buf = page::AllocError();
                          (void)(*it)->id();
                        },
                    .clean =
                        [] {
                          auto buf = page::VmallocBuffer::alloc(5 * PAGE_SIZE + 1, GFP_KERNEL);
                          Check(buf.status());
                          uint64_t last = 0;
                          size_t n = 0;
                          for (page::BorrowedPage p : buf->page_iter()) {
                            RACEFUZZ_CONTRACT(p->id() > last, "page-iter-order", "%s after %s",
                                              ObjectName({"page", p->id()}),
                                              ObjectName({"page", last}));
                            last = p->id();
                            ++n;
                          }
                          RACEFUZZ_CONTRACT(n == 6, "page-iter-order", "%d pages, want 6", n);
                        },
                });

// --- SafePage ---

Owned<page::SafePage> g_safe;

void SafePoke() {
  g_safe->with_contents([](std::span<uint8_t, PAGE_SIZE> bytes) {
    yield_point("safe_poke", {"page", g_safe->id()}, {3, 4});
    bytes[3]++;
  });
}

template <bool kLocked>
void TwoSafePokers() {
  auto p = page::SafePage::alloc_page(GFP_KERNEL | __GFP_ZERO);
  Check(p.status());
  g_safe = *std::move(p);
  RunThreads({[] {
                if (kLocked) g_mu.lock();
                SafePoke();
                if (kLocked) g_mu.unlock();
              },
              [] {
                if (kLocked) g_mu.lock();
                SafePoke();
                if (kLocked) g_mu.unlock();
              }});
  g_safe->with_contents([](std::span<const uint8_t, PAGE_SIZE> bytes) {
    RACEFUZZ_CONTRACT(!kLocked || bytes[3] == 2, "safe-page-lost-update", "byte 3 is %d", bytes[3]);
  });
  g_safe.reset();
}

RACEFUZZ_CANARY(
    safe_page_exclusive,
    {
        .clause = "SafePage: exclusive access to the page contents (no data races)",
        .builds = kTsan,
        .expect = TsanRace({"Write of size 1 at",
                            "#0 racefuzz::canary::(anonymous namespace)::SafePoke()"},
                           {"Previous write of size 1 at",
                            "#0 racefuzz::canary::(anonymous namespace)::SafePoke()"},
                           kOnPage, {"T0 safe_poke page#1 [3, 4)", "T1 safe_poke page#1 [3, 4)"}),
        .violate = [] { TwoSafePokers<false>(); },
        .clean = [] { TwoSafePokers<true>(); },
    });

RACEFUZZ_CANARY(safe_page_double_free,
                {
                    .clause = "SafePage::alloc_page / release: same ownership as Page",
                    .builds = kAsan,
                    .expect = {"ERROR: AddressSanitizer: attempting double-free",
                               "freed by thread T0 here", "SafePage::alloc_page",
                               "SUMMARY: AddressSanitizer: double-free"},
                    .violate =
                        [] {
                          auto p = page::SafePage::alloc_page(GFP_KERNEL);
                          Check(p.status());
                          page::SafePage* raw = p->into_raw();
                          Owned<page::SafePage>::from_raw(raw).reset();
                          Owned<page::SafePage>::from_raw(raw).reset();
                        },
                    .clean =
                        [] {
                          auto p = page::SafePage::alloc_page(GFP_KERNEL);
                          Check(p.status());
                        },
                });

// --- Byte-wise atomic copies ---

alignas(8) uint8_t g_src[64];
alignas(8) uint8_t g_dst[64];

void AtomicCopy() {
  yield_point("atomic_copy", {"buf", 0}, {0, 64});
  page::atomic_per_byte_memcpy(g_src, g_dst, 64);
}

RACEFUZZ_CANARY(bytewise_plain_access_races_copy,
                {
                    .clause = "atomic_per_byte_memcpy: other atomic accesses give no report; a "
                              "plain racing access does",
                    .builds = kTsan,
                    .expect = TsanRace({"Write of size 1 at", kCanaryCode},
                                       {"Previous atomic write of size 8 at", kAtomicStore}, kOnDst,
                                       {"T0 atomic_copy buf#0 [0, 64)", "T1 plain_store buf#0"}),
                    .violate =
                        [] {
                          RunThreads({AtomicCopy, [] {
                                        yield_point("plain_store", {"buf", 0});
                                        g_dst[3] = 1;
                                      }});
                        },
                    .clean =
                        [] {
                          RunThreads({AtomicCopy, [] {
                                        yield_point("atomic_store", {"buf", 0});
                                        page::atomic_store_byte(&g_dst[3], 1);
                                        page::atomic_store_byte(&g_src[5], 1);
                                        (void)page::atomic_load_byte(&g_dst[9]);
                                      }});
                        },
                });

void ReadBytewiseIntoDst() { Check(g_page->read_bytewise_atomic(g_dst, 0, 64)); }
void WriteBytewiseFromSrc() { Check(g_page->write_bytewise_atomic(g_src, 0, 64)); }

// The other thread's write to byte 8 of a byte-wise copy's buffer: plainly (the violation) or
// atomically (the clean twin). (A class template: its functions' frames read as canary code.)
template <auto& Buffer>
struct WriteByte8 {
  static void Plainly() { Buffer[8] = 1; }
  static void Atomically() { page::atomic_store_byte(&Buffer[8], 1); }
};

RACEFUZZ_CANARY(
    read_bytewise_dst_plain_access,
    {
        .clause = "read_bytewise_atomic: other accesses to dst must be atomic",
        .builds = kTsan,
        .expect = TsanRace({"Atomic write of size 8 at", kAtomicStore},
                           {"Previous write of size 1 at", kCanaryCode}, kOnDst,
                           {"T0 read_bytewise_atomic page#1 [0, 64)", "T1 exit"}),
        .violate = [] { OnSharedPage<false>(ReadBytewiseIntoDst, WriteByte8<g_dst>::Plainly); },
        .clean = [] { OnSharedPage<false>(ReadBytewiseIntoDst, WriteByte8<g_dst>::Atomically); },
    });

RACEFUZZ_CANARY(
    write_bytewise_src_plain_access,
    {
        .clause = "write_bytewise_atomic: other accesses to src must be atomic",
        .builds = kTsan,
        .expect = TsanRace({"Atomic read of size 8 at", kAtomicLoad},
                           {"Previous write of size 1 at", kCanaryCode}, kOnSrc,
                           {"T0 write_bytewise_atomic page#1 [0, 64)", "T1 exit"}),
        .violate = [] { OnSharedPage<false>(WriteBytewiseFromSrc, WriteByte8<g_src>::Plainly); },
        .clean = [] { OnSharedPage<false>(WriteBytewiseFromSrc, WriteByte8<g_src>::Atomically); },
    });

RACEFUZZ_CANARY(bytewise_page_race,
                {
                    .clause = "read/write_bytewise_atomic: no race with an overlapping access to "
                              "the page",
                    .builds = kTsan,
                    .expect = TsanRace({"Read of size 8 at", kReadRaw},
                                       {"Previous write of size 8 at", kAtomicStore}, kOnPage,
                                       {"T0 write_bytewise_atomic page#1 [0, 64)",
                                        "T1 read_raw page#1 [32, 96)"}),
                    .violate = [] { OnSharedPage<false>(WriteBytewiseFromSrc, Read32To96); },
                    .clean = [] { OnSharedPage<true>(WriteBytewiseFromSrc, Read32To96); },
                });

// The oracle that tells the copy directions apart (the v2 bug of seed 002 called the wrong copy
// function): after a byte-wise read, dst holds the page's bytes and the page is unchanged.
void CheckBytewiseRead(void (*read)(const Page&, uint8_t*, size_t, size_t)) {
  Owned<Page> page = NewPage();
  uint8_t pattern[32];
  for (size_t i = 0; i < sizeof pattern; ++i) pattern[i] = static_cast<uint8_t>(i + 1);
  Check(page->write_raw(pattern, 100, sizeof pattern));
  uint8_t dst[32] = {};
  read(*page, dst, 100, sizeof dst);
  uint8_t after[32];
  Check(page->read_raw(after, 100, sizeof after));
  RACEFUZZ_CONTRACT(std::memcmp(dst, pattern, 32) == 0 && std::memcmp(after, pattern, 32) == 0,
                    "page-bytewise-direction",
                    "read_bytewise_atomic copied the wrong way: dst[0]=%d page[100]=%d", dst[0],
                    after[0]);
}

RACEFUZZ_CANARY(bytewise_directions,
                {
                    .clause = "read_bytewise_atomic copies page -> dst, write_bytewise_atomic src "
                              "-> page (v2 called the wrong copy function)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: page-bytewise-direction",
                               "SUMMARY: racefuzz: page-bytewise-direction"},
                    // v2's bug: the read called the copy that goes into the page.
                    .violate =
                        [] {
                          CheckBytewiseRead([](const Page& p, uint8_t* dst, size_t off, size_t n) {
                            Check(p.write_bytewise_atomic(dst, off, n));
                          });
                        },
                    .clean =
                        [] {
                          CheckBytewiseRead([](const Page& p, uint8_t* dst, size_t off, size_t n) {
                            Check(p.read_bytewise_atomic(dst, off, n));
                          });
                        },
                });

}  // namespace
}  // namespace racefuzz::canary
