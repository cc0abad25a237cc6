// A driver-like table of reference-counted objects (think of a file table or a device list):
// lookups take a reference under the table lock, the last put frees the object. The planted bugs
// refcount-split-dec-test and lookup-without-lock patch this file.
#ifndef RACEFUZZ_BENCH_PLANTED_CLIENTS_OBJECT_TABLE_H_
#define RACEFUZZ_BENCH_PLANTED_CLIENTS_OBJECT_TABLE_H_

#include <array>
#include <cstdint>

#include "core/sched/runtime.h"
#include "core/sched/sync.h"

namespace racefuzz::planted {

struct Object {
  explicit Object(uint8_t v) : value(v) {}
  Atomic<int> refs{1, "refs"};  // the table's reference
  uint8_t value;
};

class ObjectTable {
 public:
  static constexpr int kSlots = 4;

  ~ObjectTable() {
    for (Object*& o : slots_) put(o);
  }

  // Puts a new object in slot `i % kSlots` if it is empty. Safety: none.
  void insert(uint8_t i, uint8_t value) {
    Guard lock(mu_);
    yield_point("table_insert", {"slot", slot_of(i)});
    Object*& slot = slots_[slot_of(i)];
    if (slot == nullptr) slot = new Object(value);
  }

  // Returns the object in slot `i % kSlots` with a reference taken, or nullptr.
  // Safety: the caller must put() the returned object.
  Object* get(uint8_t i) {
    Guard lock(mu_);
    yield_point("table_get", {"slot", slot_of(i)});
    Object* o = slots_[slot_of(i)];
    // SAFETY: mu_ is held, so the table's reference keeps `o` alive while we take ours.
    if (o != nullptr) o->refs.fetch_add(1, std::memory_order_relaxed);
    return o;
  }

  // Drops one reference; the last one frees the object. Safety: `o` is a reference the caller
  // holds (or nullptr).
  static void put(Object* o) {
    if (o == nullptr) return;
    if (o->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete o;
  }

  // Takes slot `i % kSlots` out of the table and drops the table's reference. Safety: none.
  void remove(uint8_t i) {
    Object* o;
    {
      Guard lock(mu_);
      yield_point("table_remove", {"slot", slot_of(i)});
      o = slots_[slot_of(i)];
      slots_[slot_of(i)] = nullptr;
    }
    put(o);
  }

 private:
  static size_t slot_of(uint8_t i) { return i % kSlots; }

  Mutex mu_{"table"};
  std::array<Object*, kSlots> slots_{};  // guarded by mu_
};

}  // namespace racefuzz::planted

#endif  // RACEFUZZ_BENCH_PLANTED_CLIENTS_OBJECT_TABLE_H_
