#include "core/rcu/list.h"

namespace racefuzz::rcu::internal {

void CheckListTraversal(bool cond, const char* op) {
  RACEFUZZ_CONTRACT(cond || rcu_read_lock_held(), "rcu-list-traversed-outside-reader",
                    "T%d runs %s outside any RCU read-side critical section and without the "
                    "update side's protection (cond false): \"RCU-list traversed in non-reader "
                    "section!!\"; an entry may be freed under it",
                    current_thread(), op);
}

}  // namespace racefuzz::rcu::internal
