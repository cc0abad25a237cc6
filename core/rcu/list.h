// RCU-protected intrusive lists: the kernel's include/linux/rculist.h, in C++.
//
//   struct Item : rcu::list_head { int key; };      // an entry derives from list_head
//   rcu::list_head items;                           // the head (LIST_HEAD(items))
//   SpinLock items_lock("items_lock");              // serializes the updaters
//
//   // reader                                      // updater
//   rcu::Guard g = rcu::read_lock();                {
//   for (Item* it : rcu::list_for_each_entry_rcu<Item>(&items))   Guard<SpinLock> l(items_lock);
//     use(it->key);                                  rcu::list_del_rcu(victim);
//   g.unlock();                                     }
//                                                   rcu::synchronize_rcu();  // or call_rcu
//                                                   delete victim;
//
// An entry is on one list at a time (one list_head or hlist_node base). The updaters (list_add_rcu,
// list_add_tail_rcu, list_del_rcu, list_replace_rcu and the hlist forms) must be serialized by the
// caller (a lock); they may run concurrently with any number of readers. As in the kernel, the
// `next` pointers readers follow are written with rcu_assign_pointer (a Release store) when they
// publish an entry and with a Release store when they unlink one (the kernel's WRITE_ONCE:
// UnlinkPointer says why), and read with rcu_dereference (a consume load, which TSan and the weak
// memory model treat as acquire of the store it read): an entry whose fields were written before it
// was published is seen initialized; a field written after (or a `next` set after the publish) is a
// TSan race with the reader. An unlinked entry keeps its `next`, so a reader standing on it goes
// on; its `prev` (`pprev`) is poisoned (LIST_POISON2), which only updaters read. It may be freed
// only after a grace period (synchronize_rcu, call_rcu, kfree_rcu): an early free is a use after
// free of a reader still on it (ASan, TSan).
//
// Traversal (list_for_each_entry_rcu, hlist_for_each_entry_rcu) must run inside a read-side
// critical section or under the update side's protection, passed as `cond` (the kernel's
// optional lockdep expression, e.g. lockdep_is_held(items_lock)): checked at every step
// ("rcu-list-traversed-outside-reader", the kernel's "RCU-list traversed in non-reader section!!"
// under CONFIG_PROVE_RCU_LIST). Each step is a yield point, so updates land between the steps.
//
// The `next` pointers (and an hlist's `first`) are locations of the weak memory model
// (RACEFUZZ_MEMORY=weak; RcuPointer): a reader that has not synchronized with an update may read
// an older `next` than the newest, as far as coherence and happens-before allow (docs/design.md,
// "Rcu and the RCU lists in the weak model"). The updaters' plain writes of an entry's own `next`
// before it is published (list_add_rcu's entry->next = next) stay plain: TSan sees them.
#ifndef RACEFUZZ_CORE_RCU_LIST_H_
#define RACEFUZZ_CORE_RCU_LIST_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <type_traits>

#include "core/check/report.h"
#include "core/rcu/read_side.h"
#include "core/sched/memory/field.h"
#include "core/sched/runtime.h"

namespace racefuzz::rcu {

struct list_head;
struct hlist_node;

// A pointer that readers follow with rcu_dereference (the kernel's `__rcu` annotation): a
// weak-memory location, plainly readable and writable by the (serialized) updaters.
template <typename P>
using RcuPointer = racefuzz::internal::memory::ModelledField<P*>;

namespace internal {

// The kernel's poison values (include/linux/poison.h, x86-64's POISON_POINTER_DELTA): addresses
// that fault when dereferenced, so a use of an unlinked entry's poisoned pointer is a SEGV report.
inline constexpr uintptr_t kListPoison1 = 0xdead000000000100;
inline constexpr uintptr_t kListPoison2 = 0xdead000000000122;

template <typename P>
P* Poison2() {
  return reinterpret_cast<P*>(kListPoison2);
}

// rcu_dereference of a `next` pointer: a consume load (TSan and the weak memory model: acquire of
// the store it read), a yield point before it.
template <typename P>
P* DereferenceNext(const RcuPointer<P>& next) {
  yield_point("rcu_list_next");
  return next.load(std::memory_order_consume);
}

// rcu_assign_pointer: publishes `value` (every write to it before this is seen by a reader that
// reads the pointer).
template <typename P>
void AssignPointer(RcuPointer<P>& slot, P* value) {
  yield_point("rcu_assign_pointer");
  slot.store(value, std::memory_order_release, "rcu_assign_pointer");
}

// The store that unlinks an entry: its predecessor's `next` now points to its successor. The
// kernel writes it with WRITE_ONCE; here it is a Release store. A reader that reaches the successor
// through the new link must see the successor's initialization, which the kernel gets from the
// rcu_assign_pointer that published the successor and multi-copy atomicity (the unlinker saw that
// publish through the update lock); in C++ only a Release store hands that on. It also orders the
// unlinker's own earlier writes before such a reader: an over-approximation, but an unlinker
// writes nothing a reader reads.
template <typename P>
void UnlinkPointer(RcuPointer<P>& slot, P* value) {
  yield_point("rcu_list_unlink");
  slot.store(value, std::memory_order_release, "rcu_list_unlink");
}

// Reports "rcu-list-traversed-outside-reader" unless the caller is a reader or `cond` holds.
void CheckListTraversal(bool cond, const char* op);

// CONFIG_DEBUG_LIST's checks (lib/list_debug.c), always on here: an update of a corrupted list (an
// entry added twice, deleted twice, or whose neighbours no longer point at it: an updater that was
// not serialized, a use of a stale entry) is a report with the kernel's message, not a write
// through a poisoned pointer. They read only the updaters' side of the links (prev, and next
// plainly), as the kernel's do.
//
// Reports "list-add-corruption" unless next->prev == prev and prev->next == next, or when `entry`
// is prev or next ("list_add double add").
void CheckListAdd(const list_head* entry, const list_head* prev, const list_head* next);
// Reports "list-del-corruption" when `entry` was already unlinked (its prev is LIST_POISON2: the
// RCU forms keep `next` for readers, so LIST_POISON1 is never written) or its neighbours no longer
// point at it.
void CheckListDel(const list_head* entry);
// Reports "list-del-corruption" when `n` was already unlinked (its pprev is LIST_POISON2) or is on
// no list (hlist_del of an unhashed node). The kernel has no check here: the second delete writes
// through the poison and faults.
void CheckHlistDel(const hlist_node* n);

}  // namespace internal

// The kernel's struct list_head: a list's head, or the base of an entry. A head is initialized
// empty (LIST_HEAD / INIT_LIST_HEAD); an entry's links are set when it is added.
//
// Invariants (for the updaters, serialized by the caller): for every node n on a list,
// n->next->prev == n and n->prev->next == n; an unlinked entry's prev is LIST_POISON2 and its next
// is the node it was unlinked before (a reader standing on it goes on from there).
struct list_head {
  list_head() : next(this, "rcu_list_next"), prev(this) {}
  list_head(const list_head&) = delete;
  list_head& operator=(const list_head&) = delete;

  RcuPointer<list_head> next;
  list_head* prev;
};

// The kernel's struct hlist_head and hlist_node (hash-table buckets: a single pointer per head).
struct hlist_node {
  hlist_node() = default;
  hlist_node(const hlist_node&) = delete;
  hlist_node& operator=(const hlist_node&) = delete;

  RcuPointer<hlist_node> next{nullptr, "rcu_list_next"};
  RcuPointer<hlist_node>* pprev = nullptr;  // the `next` (or `first`) that points to this node
};
struct hlist_head {
  RcuPointer<hlist_node> first{nullptr, "rcu_list_next"};
};

// list_add_rcu: inserts `entry` right after `head` (at the front). Safety: updaters serialized
// (TSan, and "list-add-corruption" when the links no longer agree); `entry` is on no list (checked
// when it is a neighbour: "list_add double add") and its fields are written before the call (TSan).
inline void list_add_rcu(list_head* entry, list_head* head) {
  list_head* next = head->next.get();
  internal::CheckListAdd(entry, head, next);
  entry->next.set(next);
  entry->prev = head;
  internal::AssignPointer(head->next, entry);
  next->prev = entry;
}

// list_add_tail_rcu: inserts `entry` right before `head` (at the back). Safety: as list_add_rcu.
inline void list_add_tail_rcu(list_head* entry, list_head* head) {
  list_head* prev = head->prev;
  internal::CheckListAdd(entry, prev, head);
  entry->next.set(head);
  entry->prev = prev;
  internal::AssignPointer(prev->next, entry);
  head->prev = entry;
}

// list_del_rcu: unlinks `entry`; readers standing on it go on to its successor. Safety:
// updaters serialized; `entry` is on a list (checked: "list-del-corruption"); it is freed only
// after a grace period (ASan, TSan).
inline void list_del_rcu(list_head* entry) {
  internal::CheckListDel(entry);
  list_head* next = entry->next.get();
  list_head* prev = entry->prev;
  next->prev = prev;
  internal::UnlinkPointer(prev->next, next);
  entry->prev = internal::Poison2<list_head>();
}

// list_replace_rcu: puts `entry` in `old`'s place. Safety: as list_add_rcu for `entry` and
// list_del_rcu for `old`.
inline void list_replace_rcu(list_head* old, list_head* entry) {
  internal::CheckListDel(old);
  entry->next.set(old->next.get());
  entry->prev = old->prev;
  internal::AssignPointer(entry->prev->next, entry);
  entry->next.get()->prev = entry;
  old->prev = internal::Poison2<list_head>();
}

// hlist_add_head_rcu: inserts `n` at the front of bucket `h`. Safety: as list_add_rcu.
inline void hlist_add_head_rcu(hlist_node* n, hlist_head* h) {
  hlist_node* first = h->first.get();
  n->next.set(first);
  n->pprev = &h->first;
  internal::AssignPointer(h->first, n);
  if (first != nullptr) first->pprev = &n->next;
}

// hlist_add_behind_rcu: inserts `n` right after `prev`. Safety: as list_add_rcu.
inline void hlist_add_behind_rcu(hlist_node* n, hlist_node* prev) {
  n->next.set(prev->next.get());
  n->pprev = &prev->next;
  internal::AssignPointer(prev->next, n);
  if (n->next.get() != nullptr) n->next.get()->pprev = &n->next;
}

// hlist_del_rcu: unlinks `n`; readers standing on it go on. Safety: as list_del_rcu.
inline void hlist_del_rcu(hlist_node* n) {
  internal::CheckHlistDel(n);
  hlist_node* next = n->next.get();
  RcuPointer<hlist_node>* pprev = n->pprev;
  internal::UnlinkPointer(*pprev, next);
  if (next != nullptr) next->pprev = pprev;
  n->pprev = internal::Poison2<RcuPointer<hlist_node>>();
}

// hlist_replace_rcu: puts `n` in `old`'s place. Safety: as list_replace_rcu.
inline void hlist_replace_rcu(hlist_node* old, hlist_node* n) {
  internal::CheckHlistDel(old);
  hlist_node* next = old->next.get();
  n->next.set(next);
  n->pprev = old->pprev;
  internal::AssignPointer(*n->pprev, n);
  if (next != nullptr) next->pprev = &n->next;
  old->pprev = internal::Poison2<RcuPointer<hlist_node>>();
}

// The entries of an RCU list, as a range: `for (T* e : list_for_each_entry_rcu<T>(head))`, T
// derived from list_head (the kernel's list_for_each_entry_rcu(pos, head, member, cond...)).
//
// Safety: inside a read-side critical section, or with `cond` true (the update side's
// protection): checked at every step ("rcu-list-traversed-outside-reader"). An entry may be used
// only inside that section (or while `cond` holds): it may be freed a grace period after it was
// unlinked (ASan, TSan).
template <typename T, typename Node, typename Head>
class RcuListRange {
 public:
  class iterator {
   public:
    using value_type = T*;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    T* operator*() const { return static_cast<T*>(pos_); }
    iterator& operator++() {
      internal::CheckListTraversal(cond_, Op());
      pos_ = internal::DereferenceNext(pos_->next);
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(const iterator& other) const { return pos_ == other.pos_; }

   private:
    friend class RcuListRange;
    iterator(Node* pos, bool cond) : pos_(pos), cond_(cond) {}
    Node* pos_ = nullptr;
    bool cond_ = false;
  };

  RcuListRange(Head* head, bool cond) : head_(head), cond_(cond) {}
  iterator begin() const {
    internal::CheckListTraversal(cond_, Op());
    return iterator(First(), cond_);
  }
  iterator end() const { return iterator(End(), cond_); }

 private:
  static constexpr bool kHlist = std::is_same_v<Node, hlist_node>;
  static const char* Op() {
    return kHlist ? "hlist_for_each_entry_rcu" : "list_for_each_entry_rcu";
  }
  Node* First() const {
    if constexpr (kHlist) {
      return internal::DereferenceNext(head_->first);
    } else {
      return internal::DereferenceNext(head_->next);
    }
  }
  Node* End() const {
    if constexpr (kHlist) {
      return nullptr;
    } else {
      return head_;
    }
  }

  Head* head_;
  bool cond_;
};

template <typename T>
RcuListRange<T, list_head, list_head> list_for_each_entry_rcu(list_head* head, bool cond = false) {
  static_assert(std::is_base_of_v<list_head, T>, "an RCU list entry derives from rcu::list_head");
  return {head, cond};
}

// The entries of an RCU hash bucket: `for (T* e : hlist_for_each_entry_rcu<T>(bucket))`, T derived
// from hlist_node. Safety: as list_for_each_entry_rcu.
template <typename T>
RcuListRange<T, hlist_node, hlist_head> hlist_for_each_entry_rcu(hlist_head* head,
                                                                 bool cond = false) {
  static_assert(std::is_base_of_v<hlist_node, T>,
                "an RCU hlist entry derives from rcu::hlist_node");
  return {head, cond};
}

}  // namespace racefuzz::rcu

#endif  // RACEFUZZ_CORE_RCU_LIST_H_
