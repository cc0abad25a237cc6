// Canaries for the fuzzers' content oracles (fuzzers/page_fuzz.h, fuzzers/page_pattern.h): their
// compares are hidden from TSan for speed, so these prove that a wrong byte is still reported, with
// the right clause and byte, and that intact contents stay silent.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "core/page/page.h"
#include "fuzzers/page_fuzz.h"
#include "fuzzers/page_pattern.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {
namespace {

using fuzz::CheckGeneration;
using fuzz::FillGeneration;
using page::PAGE_SIZE;

// Generation 3's page, with `flip` (if < PAGE_SIZE) corrupted, checked over ranges that start in
// the header, straddle it, lie past it, or are empty.
void CheckGeneration3(size_t flip) {
  RunThreads({[flip] {
    std::array<uint8_t, PAGE_SIZE> page;
    FillGeneration(3, page.data());
    if (flip < PAGE_SIZE) page[flip] ^= 0x10;
    for (auto [off, len] : {std::pair<size_t, size_t>{0, 0},
                            {0, 4},
                            {2, 100},
                            {40, 200},
                            {PAGE_SIZE - 1, 1},
                            {0, PAGE_SIZE}}) {
      CheckGeneration(3, off, page.data() + off, len);
    }
  }});
}

RACEFUZZ_CANARY(fuzz_oracle_page_swap_pattern,
                {
                    .clause = "page_swap oracle: a wrong pattern byte is page-swap-content",
                    .expect = {"contract violation: page-swap-content",
                               "T0 read byte 100 of page generation 3",
                               "SUMMARY: racefuzz: page-swap-content"},
                    .violate = [] { CheckGeneration3(100); },
                    .clean = [] { CheckGeneration3(PAGE_SIZE); },
                });

RACEFUZZ_CANARY(fuzz_oracle_page_swap_header,
                {
                    .clause = "page_swap oracle: a wrong generation byte is page-swap-content",
                    .expect = {"contract violation: page-swap-content",
                               "T0 read byte 3 of page generation 3",
                               "SUMMARY: racefuzz: page-swap-content"},
                    .violate = [] { CheckGeneration3(3); },
                    .clean = [] { CheckGeneration3(PAGE_SIZE); },
                });

// A shadowed page whose byte 1000 is written through the model; the shadow learns it only if
// `tell_shadow`. Then the whole page is verified.
void WriteAndVerify(bool tell_shadow) {
  RunThreads({[tell_shadow] {
    fuzz::ShadowedPage sp;
    if (!fuzz::AllocShadowed(/*zero=*/true, sp)) std::abort();
    const uint8_t byte = 7;
    // SAFETY: the page is this thread's alone.
    fuzz::ShadowedPage::Check(sp.page->write_raw(&byte, 1000, 1), "write_raw");
    if (tell_shadow) fuzz::FillBookkeeping(sp.shadow.data() + 1000, byte, 1);
    sp.Verify(0, PAGE_SIZE);
  }});
}

RACEFUZZ_CANARY(fuzz_oracle_page_content,
                {
                    .clause = "page fuzzers' oracle: a page differing from its shadow is "
                              "page-content",
                    .expect = {"contract violation: page-content",
                               "page#1 [0, 4096) differs from what was written",
                               "SUMMARY: racefuzz: page-content"},
                    .violate = [] { WriteAndVerify(false); },
                    .clean = [] { WriteAndVerify(true); },
                });

}  // namespace
}  // namespace racefuzz::canary
