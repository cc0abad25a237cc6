// An SRCU notifier chain, as the kernel's srcu_notifier_head (kernel/notifier.c), written against
// racefuzz's SRCU (core/rcu/srcu.h): subscribers register notifier blocks; callers of the chain run
// every block under srcu_read_lock, and a block's handler may sleep (it takes the subscriber's
// mutex), which is why the chain is SRCU and not RCU; unregistering unlinks the block under the
// chain's mutex and frees it after synchronize_srcu, or with call_srcu. The planted client
// srcu_chain (srcu_chain_fuzz.cc drives two chains, each with its own domain). It is correct: the
// planted bug srcu-chain-shared-index (bench/planted/bugs.tsv) patches it.
#ifndef RACEFUZZ_BENCH_PLANTED_CLIENTS_SRCU_CHAIN_H_
#define RACEFUZZ_BENCH_PLANTED_CLIENTS_SRCU_CHAIN_H_

#include <atomic>
#include <cstdint>

#include "core/rcu/srcu.h"
#include "core/sched/runtime.h"
#include "core/sched/sync.h"

namespace racefuzz::planted {

// Invariants: `id` and `check` are written before the block is published and never after;
// check == ~id.
struct NotifierBlock {
  explicit NotifierBlock(uint32_t i) : id(i), check(~uint64_t{i}) {}
  uint32_t id;
  uint64_t check;
  Atomic<NotifierBlock*> next{nullptr, "notifier_next"};
};

// Invariants: the blocks reachable from `head_` are the registered ones, linked by `next`
// (changed only under `mu_`); an unlinked block is freed only after a grace period of `srcu_`.
class SrcuNotifierChain {
 public:
  explicit SrcuNotifierChain(const char* name) : mu_(name), srcu_(name) {}
  SrcuNotifierChain(const SrcuNotifierChain&) = delete;
  SrcuNotifierChain& operator=(const SrcuNotifierChain&) = delete;
  // Safety: no caller of the chain is left; callbacks were waited for (barrier()).
  ~SrcuNotifierChain() {
    for (NotifierBlock* b = head_.load(std::memory_order_relaxed); b != nullptr;) {
      NotifierBlock* next = b->next.load(std::memory_order_relaxed);
      delete b;
      b = next;
    }
    rcu::cleanup_srcu_struct(&srcu_);
  }

  // srcu_notifier_call_chain: runs every registered block's handler, which may sleep. Returns how
  // many ran. Safety: none.
  int call_chain() {
    const int idx = rcu::srcu_read_lock(&srcu_);
    int ran = 0;
    // Ordering: Acquire pairs with register_block's Release publish (srcu_dereference).
    for (NotifierBlock* b = head_.load(std::memory_order_acquire); b != nullptr;
         b = b->next.load(std::memory_order_acquire)) {
      yield_point("notifier_call", {"notifier_block", b->id});
      // SAFETY: inside the section, a block unlinked meanwhile is not freed yet.
      if (b->check != ~uint64_t{b->id}) __builtin_trap();  // freed or torn
      {
        Guard<Mutex> lock(handler_mu_);  // the handler sleeps: allowed in an SRCU section
        ++events_;
      }
      ++ran;
    }
    rcu::srcu_read_unlock(&srcu_, idx);
    return ran;
  }

  // srcu_notifier_chain_register: publishes a block for `id` at the head. Safety: none.
  void register_block(uint32_t id) {
    Guard<Mutex> lock(mu_);
    auto* b = new NotifierBlock(id);
    b->next.store(head_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    // Ordering: Release: the block's fields before its publish (rcu_assign_pointer).
    head_.store(b, std::memory_order_release);
  }

  // srcu_notifier_chain_unregister: unlinks the first block for `id` and frees it after a grace
  // period of the chain's domain (synchronize_srcu, or call_srcu if `deferred`). Returns whether
  // it found one. Safety: outside any section of this chain (synchronize_srcu would wait for
  // itself).
  bool unregister_block(uint32_t id, bool deferred) {
    NotifierBlock* gone = nullptr;
    {
      Guard<Mutex> lock(mu_);
      Atomic<NotifierBlock*>* link = &head_;
      for (NotifierBlock* b = link->load(std::memory_order_relaxed); b != nullptr;
           b = link->load(std::memory_order_relaxed)) {
        if (b->id == id) {
          // Ordering: Release, as the kernel's rcu_assign_pointer of the successor.
          link->store(b->next.load(std::memory_order_relaxed), std::memory_order_release);
          gone = b;
          break;
        }
        link = &b->next;
      }
      if (gone == nullptr) return false;
      if (deferred) {
        // SAFETY: unlinked; the callback runs after a grace period of the chain's domain.
        rcu::call_srcu(&srcu_, [gone] { delete gone; });
        return true;
      }
    }
    rcu::synchronize_srcu(&srcu_);
    // SAFETY: no caller that could still see `gone` is inside its section any more.
    delete gone;
    return true;
  }

  // srcu_barrier: every deferred free has run. Safety: outside any section of this chain.
  void barrier() { rcu::srcu_barrier(&srcu_); }

 private:
  Mutex mu_;  // serializes register and unregister
  rcu::srcu_struct srcu_;
  Atomic<NotifierBlock*> head_{nullptr, "notifier_head"};
  Mutex handler_mu_{"notifier_handler"};
  uint64_t events_ = 0;  // guarded by handler_mu_
};

}  // namespace racefuzz::planted

#endif  // RACEFUZZ_BENCH_PLANTED_CLIENTS_SRCU_CHAIN_H_
