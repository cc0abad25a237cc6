// Owned<T>: the unique owner of a T that frees itself through T::release (the kernel's
// `Owned`/`Ownable`, seed 000). A page is freed exactly once, by its last owner.
#ifndef RACEFUZZ_CORE_PAGE_OWNED_H_
#define RACEFUZZ_CORE_PAGE_OWNED_H_

#include <concepts>
#include <utility>

namespace racefuzz::page {

// A type whose objects an Owned<T> can free: `T::release(T*)`.
//
// Safety: release(p) is called exactly once per object, by its owner, and nothing uses `p`
// afterwards. A second release or a use after it is an ASan heap-use-after-free / double-free.
template <typename T>
concept Ownable = requires(T* p) {
  { T::release(p) } noexcept -> std::same_as<void>;
};

// The owner of one T. Move-only; frees the T with T::release when destroyed or reset.
//
// Invariants: `ptr_` is null or a live T that no other Owned owns; it is released exactly once, by
// reset() (also run by the destructor and by move assignment), and a moved-from Owned is null.
template <typename T>
class Owned {
 public:
  Owned() = default;
  Owned(Owned&& other) noexcept : ptr_(std::exchange(other.ptr_, nullptr)) {}
  Owned& operator=(Owned&& other) noexcept {
    if (this != &other) {
      reset();
      ptr_ = std::exchange(other.ptr_, nullptr);
    }
    return *this;
  }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned() { reset(); }

  // Takes ownership of `ptr`.
  //
  // Safety: `ptr` is a live object nobody else owns (typically one `into_raw` gave out); from now
  // on this Owned frees it. Giving one pointer to two owners frees it twice: ASan.
  static Owned from_raw(T* ptr) {
    Owned o;
    o.ptr_ = ptr;
    return o;
  }

  // Gives up ownership without freeing: the caller must hand the pointer back to `from_raw` or it
  // leaks (LeakSanitizer reports it in the ASan build).
  [[nodiscard]] T* into_raw() { return std::exchange(ptr_, nullptr); }

  // Frees the object now (if any).
  void reset() {
    static_assert(Ownable<T>, "Owned<T> needs T::release(T*) noexcept");
    if (T* p = std::exchange(ptr_, nullptr)) T::release(p);
  }

  // Exchanges the owned objects of two owners.
  void swap(Owned& other) noexcept { std::swap(ptr_, other.ptr_); }

  // The owned object, or nullptr if there is none. Ownership stays here.
  //
  // Safety: the pointer is valid only while this Owned still owns the object: not after reset(),
  // into_raw(), a move out of it or its destruction (a use then is an ASan heap-use-after-free),
  // and the caller must not release it or give it to from_raw (a double free: ASan). * and ->
  // additionally need an object to be owned (operator bool).
  T* get() const { return ptr_; }
  T& operator*() const { return *ptr_; }
  T* operator->() const { return ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }

 private:
  T* ptr_ = nullptr;
};

}  // namespace racefuzz::page

#endif  // RACEFUZZ_CORE_PAGE_OWNED_H_
