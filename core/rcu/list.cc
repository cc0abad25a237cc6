#include "core/rcu/list.h"

#include <cstdint>

namespace racefuzz::rcu::internal {

void CheckListTraversal(bool cond, const char* op) {
  RACEFUZZ_CONTRACT(cond || rcu_read_lock_held(), "rcu-list-traversed-outside-reader",
                    "T%d runs %s outside any RCU read-side critical section and without the "
                    "update side's protection (cond false): \"RCU-list traversed in non-reader "
                    "section!!\"; an entry may be freed under it",
                    current_thread(), op);
}

namespace {

bool IsPoison(const void* p, uintptr_t poison) { return reinterpret_cast<uintptr_t>(p) == poison; }

}  // namespace

void CheckListAdd(const list_head* entry, const list_head* prev, const list_head* next) {
  RACEFUZZ_CONTRACT(entry != prev && entry != next, "list-add-corruption",
                    "T%d: list_add double add: the entry is already next to where it is added (it "
                    "is on the list: an entry is on one list at a time, added once)",
                    current_thread());
  RACEFUZZ_CONTRACT(next->prev == prev, "list-add-corruption",
                    "T%d: list_add corruption. next->prev should be prev, but was %s (updaters not "
                    "serialized, or the list changed under a stale pointer)",
                    current_thread(),
                    IsPoison(next->prev, kListPoison2) ? "LIST_POISON2" : "another node");
  RACEFUZZ_CONTRACT(prev->next.get() == next, "list-add-corruption",
                    "T%d: list_add corruption. prev->next should be next, but was another node "
                    "(updaters not serialized, or the list changed under a stale pointer)",
                    current_thread());
}

void CheckListDel(const list_head* entry) {
  const list_head* next = entry->next.get();
  const list_head* prev = entry->prev;
  RACEFUZZ_CONTRACT(!IsPoison(prev, kListPoison2), "list-del-corruption",
                    "T%d: list_del corruption, the entry's prev is LIST_POISON2: it was already "
                    "deleted (list_del_rcu twice, or an entry used after its removal)",
                    current_thread());
  RACEFUZZ_CONTRACT(prev->next.get() == entry, "list-del-corruption",
                    "T%d: list_del corruption. prev->next should be the entry, but was another "
                    "node (updaters not serialized, or the entry is on no list)",
                    current_thread());
  RACEFUZZ_CONTRACT(next->prev == entry, "list-del-corruption",
                    "T%d: list_del corruption. next->prev should be the entry, but was another "
                    "node (updaters not serialized, or the entry is on no list)",
                    current_thread());
}

void CheckHlistDel(const hlist_node* n) {
  RACEFUZZ_CONTRACT(!IsPoison(n->pprev, kListPoison2), "list-del-corruption",
                    "T%d: hlist_del corruption, the node's pprev is LIST_POISON2: it was already "
                    "deleted (hlist_del_rcu twice, or a node used after its removal)",
                    current_thread());
  RACEFUZZ_CONTRACT(n->pprev != nullptr, "list-del-corruption",
                    "T%d: hlist_del corruption, the node is on no list (its pprev is NULL)",
                    current_thread());
  RACEFUZZ_CONTRACT(n->pprev->get() == n, "list-del-corruption",
                    "T%d: hlist_del corruption. *pprev should be the node, but was another node "
                    "(updaters not serialized)",
                    current_thread());
}

}  // namespace racefuzz::rcu::internal
