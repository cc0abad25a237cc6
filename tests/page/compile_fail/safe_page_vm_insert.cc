// vm_insert_page maps a page into user space: it takes a Page, and must reject a SafePage at
// compile time (seed 000: a SafePage cannot be mapped to user space). Built by tests/page/CMake.
#include "core/page/safe_page.h"

namespace racefuzz::page {

absl::Status MapIntoUser(Vma& vma, const Page& page, const SafePage& safe) {
#ifdef RACEFUZZ_SHOULD_FAIL
  (void)page;
  return vm_insert_page(vma, 0, safe);
#else
  (void)safe;
  return vm_insert_page(vma, 0, page);
#endif
}

}  // namespace racefuzz::page
