// Local mappings of a page (kmap_local): which simulated threads have a page mapped, and the
// ASan poisoning that makes a page's bytes unusable while nobody (or only another thread) has it
// mapped. Internal to core/page.
#ifndef RACEFUZZ_CORE_PAGE_MAPPING_H_
#define RACEFUZZ_CORE_PAGE_MAPPING_H_

#include <cstdint>

#include "core/page/pool.h"
#include "core/sched/runtime.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
// Mapping bookkeeping and poisoning exist in the ASan build only: nothing else could see them.
#define RACEFUZZ_PAGE_POISON 1
#endif
#endif

namespace racefuzz::page::internal {

// How many times each simulated thread (slot kMaxThreads: code outside simulated threads) has the
// page mapped now.
struct MapState {
  uint16_t count[kMaxThreads + 1] = {};
  uint32_t total = 0;
};

#ifdef RACEFUZZ_PAGE_POISON
// The kernel's kmap_local_page() / kunmap_local(), on a frame. Maps the frame on the calling
// thread: unpoisons it, and registers it so that switching to a thread that has not mapped it
// poisons it again. Returns the address (the canonical bytes).
uint8_t* kmap_local_page(const Frame& frame, MapState& state);
// Ends one mapping of the calling thread; the last mapping poisons the bytes again.
void kunmap_local(const Frame& frame, MapState& state);
#else
inline uint8_t* kmap_local_page(const Frame& frame, MapState&) { return frame.bytes; }
inline void kunmap_local(const Frame&, MapState&) {}
#endif

// Checks that nobody has the frame mapped any more, before it is freed ("page-free-mapped": a
// with_page_mapped closure, of this or another simulated thread, is still running). Mappings are
// tracked in the ASan build only (deterministic mode), so this checks nothing elsewhere.
void CheckUnmapped(const Frame& frame, const MapState& state);

// True if `object`, a heap object of the page model, was already freed: ASan keeps freed memory
// poisoned in its quarantine. Always false outside the ASan build.
bool AlreadyFreed(const void* object);

// ASan poisoning of one frame's bytes (no-ops in other builds).
void PoisonFrame(const uint8_t* bytes);
void UnpoisonFrame(const uint8_t* bytes);

}  // namespace racefuzz::page::internal

#endif  // RACEFUZZ_CORE_PAGE_MAPPING_H_
