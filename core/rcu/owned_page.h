// page::Owned<T> (core/page/owned.h) as a ForeignOwnable, so pages can be published through
// Rcu<Owned<Page>> slots (the way a driver like Binder would use the two together).
#ifndef RACEFUZZ_CORE_RCU_OWNED_PAGE_H_
#define RACEFUZZ_CORE_RCU_OWNED_PAGE_H_

#include "core/page/owned.h"
#include "core/rcu/foreign_ownable.h"

namespace racefuzz::rcu {

// Owned<T>'s foreign pointer is the T* that into_raw gives out.
//
// Safety: as ForeignOwnable; from_foreign hands the pointer back to Owned::from_raw, which frees it
// with T::release exactly once (ASan on a second free).
template <typename T>
struct ForeignOwnableTraits<page::Owned<T>> {
  using Target = T;
  static void* into_foreign(page::Owned<T> p) { return p.into_raw(); }
  static page::Owned<T> from_foreign(void* ptr) {
    // SAFETY: ptr came from into_foreign (into_raw) and is taken back once.
    return page::Owned<T>::from_raw(static_cast<T*>(ptr));
  }
  static const T* borrow(void* ptr) { return static_cast<const T*>(ptr); }
};

}  // namespace racefuzz::rcu

#endif  // RACEFUZZ_CORE_RCU_OWNED_PAGE_H_
