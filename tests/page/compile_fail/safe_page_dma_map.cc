// dma_map_page shares a page with a device: it takes a Page, and must reject a SafePage at compile
// time (seed 000: a SafePage cannot be shared with devices). Built by tests/page/CMake.
#include "core/page/safe_page.h"

namespace racefuzz::page {

absl::StatusOr<uint64_t> ShareWithDevice(Device& dev, const Page& page, const SafePage& safe) {
#ifdef RACEFUZZ_SHOULD_FAIL
  (void)page;
  return dma_map_page(dev, safe, 0, PAGE_SIZE);
#else
  (void)safe;
  return dma_map_page(dev, page, 0, PAGE_SIZE);
#endif
}

}  // namespace racefuzz::page
