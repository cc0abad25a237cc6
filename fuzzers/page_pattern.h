// page_swap's content oracle: what a page of generation `gen` holds, and the check that a copy of
// part of it is intact. A page holds `gen` (8 bytes, little-endian) then the generation's pattern,
// byte `off` = (131 * gen + 7 * off) mod 256, so a torn or stale copy shows as wrong bytes.
#ifndef RACEFUZZ_FUZZERS_PAGE_PATTERN_H_
#define RACEFUZZ_FUZZERS_PAGE_PATTERN_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "core/check/report.h"
#include "core/page/page.h"
#include "core/sched/runtime.h"
#include "fuzzers/page_fuzz.h"

namespace racefuzz::fuzz {

inline constexpr size_t kGenerationHeader = sizeof(uint64_t);  // the generation, at offset 0

// PatternWindow(gen)[off], for off >= kGenerationHeader, is byte `off` of generation `gen`'s page.
// Every generation's pattern is a window into one table, 7 * (off + k) with
// 7 * k == 131 * gen (mod 256), so a page is filled with one memcpy and checked with one memcmp
// rather than a loop per byte (4 KiB of TSan checks and coverage callbacks per page: most of
// page_swap's time). Generations 0..255 get distinct windows.
inline const uint8_t* PatternWindow(uint64_t gen) {
  static_assert((7 * 183) % 256 == 1, "183 is 7's inverse mod 256");
  static const std::array<uint8_t, page::PAGE_SIZE + 256> table = [] {
    std::array<uint8_t, page::PAGE_SIZE + 256> t;
    for (size_t j = 0; j < t.size(); ++j) t[j] = static_cast<uint8_t>(j * 7);
    return t;
  }();
  return table.data() + static_cast<uint8_t>(gen * 131 * 183);
}

// Byte `at` of generation `gen`'s page.
inline uint8_t GenerationByte(uint64_t gen, size_t at) {
  return at < kGenerationHeader ? static_cast<uint8_t>(gen >> (8 * at)) : PatternWindow(gen)[at];
}

// Writes generation `gen`'s page into `page` (PAGE_SIZE bytes of bookkeeping).
inline void FillGeneration(uint64_t gen, uint8_t* page) {
  std::memcpy(page, &gen, kGenerationHeader);
  CopyBookkeeping(page + kGenerationHeader, PatternWindow(gen) + kGenerationHeader,
                  page::PAGE_SIZE - kGenerationHeader);
}

// Checks that buf[0, len) holds bytes [off, off + len) of generation `gen`'s page; contract
// "page-swap-content" naming the first wrong byte otherwise. off + len <= PAGE_SIZE.
inline void CheckGeneration(uint64_t gen, size_t off, const uint8_t* buf, size_t len) {
  // The pattern in one compare, the header (at most 8 bytes) byte by byte.
  const size_t from = std::min(std::max(off, kGenerationHeader), off + len);
  bool ok = SameBytes(buf + (from - off), PatternWindow(gen) + from, off + len - from);
  for (size_t at = off; ok && at < from; ++at) ok = buf[at - off] == GenerationByte(gen, at);
  if (ok) return;
  for (size_t at = off; at < off + len; ++at) {
    RACEFUZZ_CONTRACT(buf[at - off] == GenerationByte(gen, at), "page-swap-content",
                      "T%d read byte %d of page generation %d: %d, expected %d", current_thread(),
                      at, gen, buf[at - off], GenerationByte(gen, at));
  }
}

}  // namespace racefuzz::fuzz

#endif  // RACEFUZZ_FUZZERS_PAGE_PATTERN_H_
