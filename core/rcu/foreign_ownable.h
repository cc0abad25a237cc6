// Foreign-ownable pointers: owners whose ownership can be carried by one pointer-sized value, so an
// Rcu<P> can keep it in an atomic (the kernel's `ForeignOwnable`), and the two owners the seed's
// examples use: KBox<T> (a unique box) and Arc<T> (reference counted).
#ifndef RACEFUZZ_CORE_RCU_FOREIGN_OWNABLE_H_
#define RACEFUZZ_CORE_RCU_FOREIGN_OWNABLE_H_

#include <concepts>
#include <cstdint>
#include <utility>

#include "core/sched/sync.h"

namespace racefuzz::rcu {

// How a foreign-ownable owner P converts to and from its foreign pointer. The default uses P's
// members (KBox, Arc below); owners that cannot have them (page::Owned<T>) specialize it
// (owned_page.h).
template <typename P>
struct ForeignOwnableTraits {
  using Target = typename P::Target;
  static void* into_foreign(P p) { return std::move(p).into_foreign(); }
  static P from_foreign(void* ptr) { return P::from_foreign(ptr); }
  static const Target* borrow(void* ptr) { return P::borrow(ptr); }
};

// P owns a Target and converts to and from a foreign pointer (through ForeignOwnableTraits<P>).
//
// Safety (on every model of the concept):
// - into_foreign(p) gives up ownership into a non-null pointer;
// - from_foreign(ptr) takes it back; `ptr` must come from into_foreign and be taken back at most
//   once (a second time is a double free: ASan);
// - borrow(ptr) gives a shared pointer to the target; `ptr` must come from into_foreign and
//   from_foreign must not be called on it while the borrow is in use (ASan, use after free).
template <typename P>
concept ForeignOwnable = std::movable<P> && requires(P p, void* ptr) {
  typename ForeignOwnableTraits<P>::Target;
  { ForeignOwnableTraits<P>::into_foreign(std::move(p)) } -> std::same_as<void*>;
  { ForeignOwnableTraits<P>::from_foreign(ptr) } -> std::same_as<P>;
  {
    ForeignOwnableTraits<P>::borrow(ptr)
  } -> std::same_as<const typename ForeignOwnableTraits<P>::Target*>;
};

// What P owns.
template <ForeignOwnable P>
using TargetOf = typename ForeignOwnableTraits<P>::Target;

// A unique owning box (the kernel's KBox<T>): frees its object when dropped.
template <typename T>
class KBox {
 public:
  using Target = T;

  template <typename... Args>
  static KBox make(Args&&... args) {
    return KBox(new T(std::forward<Args>(args)...));
  }

  KBox(KBox&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  KBox& operator=(KBox&& other) noexcept {
    KBox old(std::move(*this));
    p_ = std::exchange(other.p_, nullptr);
    return *this;
  }
  ~KBox() { delete p_; }

  T* get() const { return p_; }
  T& operator*() const { return *p_; }
  T* operator->() const { return p_; }

  void* into_foreign() && { return std::exchange(p_, nullptr); }
  // Safety: `ptr` comes from into_foreign and is taken back once (ASan double free otherwise).
  static KBox from_foreign(void* ptr) { return KBox(static_cast<T*>(ptr)); }
  // Safety: `ptr` comes from into_foreign and is not freed while the result is used (ASan).
  static const T* borrow(void* ptr) { return static_cast<const T*>(ptr); }

 private:
  explicit KBox(T* p) : p_(p) {}
  T* p_;
};

// A reference-counted owner (the kernel's Arc<T>): the object is freed with its last reference.
// The count is an Atomic: increments are relaxed, the decrement is acq_rel so the last owner's
// free happens-after every other owner's use (TSan sees it; TSan does not model fences).
template <typename T>
class Arc {
 public:
  using Target = T;

  template <typename... Args>
  static Arc make(Args&&... args) {
    return Arc(new Inner(std::forward<Args>(args)...));
  }

  Arc(const Arc& other) : inner_(other.inner_) {
    if (inner_) inner_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  Arc(Arc&& other) noexcept : inner_(std::exchange(other.inner_, nullptr)) {}
  Arc& operator=(Arc other) noexcept {
    std::swap(inner_, other.inner_);
    return *this;
  }
  ~Arc() {
    if (inner_ && inner_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete inner_;
  }

  Arc clone() const { return Arc(*this); }
  T* get() const { return &inner_->value; }
  T& operator*() const { return inner_->value; }
  T* operator->() const { return &inner_->value; }

  void* into_foreign() && { return std::exchange(inner_, nullptr); }
  // Safety: `ptr` comes from into_foreign and is taken back once (ASan double free otherwise).
  static Arc from_foreign(void* ptr) { return Arc(static_cast<Inner*>(ptr)); }
  // Safety: `ptr` comes from into_foreign and its reference is not dropped while the result is
  // used (ASan).
  static const T* borrow(void* ptr) { return &static_cast<Inner*>(ptr)->value; }

 private:
  struct Inner {
    template <typename... Args>
    explicit Inner(Args&&... args) : refs(1, "arc_refcount"), value(std::forward<Args>(args)...) {}
    Atomic<int64_t> refs;
    T value;
  };
  explicit Arc(Inner* inner) : inner_(inner) {}
  Inner* inner_;
};

}  // namespace racefuzz::rcu

#endif  // RACEFUZZ_CORE_RCU_FOREIGN_OWNABLE_H_
