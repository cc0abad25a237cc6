#include "core/page/direct_map.h"

#include <cstdlib>

#include "core/page/mapping.h"  // RACEFUZZ_PAGE_POISON, UnpoisonFrame

namespace racefuzz::page::internal {
#ifdef RACEFUZZ_PAGE_POISON

uint8_t* FreshFrame() {
  void* bytes = std::aligned_alloc(kFrameSize, kFrameSize);
  if (bytes == nullptr) std::abort();
  return static_cast<uint8_t*>(bytes);
}

void DropFrame(uint8_t* bytes) {
  UnpoisonFrame(bytes);  // the pool poisoned it; the heap block is freed as a whole
  std::free(bytes);
}

void ResetDirectMap() {}

#else  // !RACEFUZZ_PAGE_POISON

namespace {

// Frame k (k = 0 .. kMaxFrames - 1) is g_direct_map[(k + 1) * kFrameSize ...]; slices 0 and
// kMaxFrames + 1 are the guards. Zero-initialized (bss): untouched frames cost no memory.
alignas(kFrameSize) uint8_t g_direct_map[(kMaxFrames + 2) * kFrameSize];
size_t g_next_fresh = 0;  // frames [0, g_next_fresh) were handed out since the last reset

}  // namespace

uint8_t* FreshFrame() {
  if (g_next_fresh == kMaxFrames) return nullptr;
  return &g_direct_map[(++g_next_fresh) * kFrameSize];
}

void DropFrame(uint8_t*) {}

void ResetDirectMap() { g_next_fresh = 0; }

#endif  // RACEFUZZ_PAGE_POISON

}  // namespace racefuzz::page::internal
