// ModelledField<T>: a field of a model's data structure that concurrent code accesses atomically,
// through the weak memory model in weak runs, but with no yield point of its own: the model's
// operation around it already is one, with its own name ("rcu_dereference rcu#3",
// "rcu_list_next"). Rcu<P>'s pointer and the RCU lists' `next` pointers (core/rcu) are ones.
//
// Unlike Atomic<T>, the value is a plain T that may also be written plainly (set: the kernel's
// list_add_rcu initializes an entry's next with a plain store before rcu_assign_pointer publishes
// it). TSan then sees a plain write, so a plain write that races with a reader's load is a data
// race report; the model records it as the location's newest store.
//
// Outside weak runs (SC, threads mode, outside runs) every access is std::atomic_ref's with the
// order asked.
#ifndef RACEFUZZ_CORE_SCHED_MEMORY_FIELD_H_
#define RACEFUZZ_CORE_SCHED_MEMORY_FIELD_H_

#include <atomic>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "core/sched/memory/model.h"
#include "core/sched/runtime.h"

namespace racefuzz::internal::memory {

// Invariants: in a weak run, once the model tracks the field (state_), the real value is the
// model's newest store (every store and set writes both); state_ is fresh (run 0) when the field
// is constructed, so an object built at a freed one's address starts with no history.
template <typename T>
class ModelledField {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(uint64_t),
                "a ModelledField<T> needs a trivially copyable T of at most 8 bytes");

 public:
  // `name` names the location where a stale load shows it (the event's object names it first).
  explicit ModelledField(T v, const char* name) : v_(v), name_(name) {}
  ModelledField(const ModelledField&) = delete;
  ModelledField& operator=(const ModelledField&) = delete;

  T load(std::memory_order mo) const {
    // In a weak run the real memory is read too (relaxed: TSan sees the access, the model's
    // edge), and the model answers. Untracked (outside weak runs, or kMaxLocations reached): the
    // real atomic, as asked.
    if (Tracking() && Modelled(Ref().load(std::memory_order_relaxed))) {
      return FromBits<T>(Load(state_, mo));
    }
    return Ref().load(mo);
  }
  // `op` names the store where a stale load shows it ("rcu_assign_pointer").
  void store(T v, std::memory_order mo, const char* op) {
    if (Tracking() && Modelled(Ref().load(std::memory_order_relaxed))) {
      Store(state_, ToBits(v), mo, op);
      Ref().store(v, std::memory_order_relaxed);  // the newest store's value, always
      return;
    }
    Ref().store(v, mo);
  }

  // An atomic exchange (a read-modify-write: it reads the newest store, in every mode); `op` names
  // it where a stale load shows it ("rcu_xchg").
  T exchange(T v, std::memory_order mo, const char* op) {
    if (Tracking() && Modelled(Ref().load(std::memory_order_relaxed))) {
      Rmw(state_, ToBits(v), mo, op);
      return Ref().exchange(v, std::memory_order_relaxed);
    }
    return Ref().exchange(v, mo);
  }

  // A plain read, for the update side under its lock (no concurrent store: it reads the newest).
  T get() const { return v_; }
  // A plain write, for a field no reader can reach yet, or under the update side's lock.
  void set(T v) {
    v_ = v;
    if (Tracking() && Tracked(state_)) PlainStore(state_, ToBits(v));
  }

 private:
  static bool Tracking() {
    return g_active.mode == Mode::kDeterministic && g_active.memory != nullptr;
  }
  // In a weak run: whether the model tracks the field, whose real value is `real`.
  bool Modelled(T real) const {
    return Track(state_, &v_, name_, ToBits(real), KindOf<T>(), sizeof(T));
  }
  std::atomic_ref<T> Ref() const { return std::atomic_ref<T>(const_cast<T&>(v_)); }

  alignas(std::atomic_ref<T>::required_alignment) T v_;
  const char* name_;
  mutable AtomicState state_;
};

}  // namespace racefuzz::internal::memory

#endif  // RACEFUZZ_CORE_SCHED_MEMORY_FIELD_H_
