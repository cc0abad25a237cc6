// Lock-free patterns from drivers and the kernel whose correctness rests on memory orders, each
// clean as written here. The planted memory-order bugs (bench/planted/*.patch:
// publish-flag-relaxed, seqlock-reader-no-rmb, lazy-init-relaxed-check, refcount-put-relaxed,
// page-valid-flag-relaxed) each weaken one order. The shared data is atomic (relaxed), so no
// sanitizer sees those bugs: only the weak memory model (RACEFUZZ_MEMORY=weak) lets a load read the
// stale value the bug allows, and the pattern's own check reports it. Under SC no interleaving
// shows them.
#ifndef RACEFUZZ_BENCH_PLANTED_CLIENTS_MEMORDER_H_
#define RACEFUZZ_BENCH_PLANTED_CLIENTS_MEMORDER_H_

#include <atomic>
#include <cstdint>

#include "core/check/report.h"
#include "core/sched/memory/kernel.h"
#include "core/sched/sync.h"

namespace racefuzz::planted {

// A descriptor published by a flag: the producer fills the payload, then sets `ready` with
// smp_store_release; a consumer that sees `ready` reads the payload (e.g. a DMA descriptor ring's
// "owned by host" bit).
class Mailbox {
 public:
  // Posts the one message (the caller posts at most once).
  void post(uint8_t v) {
    WRITE_ONCE(payload_, v + 1u);
    WRITE_ONCE(check_, 0xffu - v);
    smp_store_release(ready_, 1);
  }
  void poll() {
    if (smp_load_acquire(ready_) == 0) return;
    const uint32_t p = READ_ONCE(payload_);
    const uint32_t c = READ_ONCE(check_);
    RACEFUZZ_CONTRACT(p != 0 && p - 1 + c == 0xffu, "mailbox-stale",
                      "ready is set but the payload is %u and its check %u", p, c);
  }

 private:
  Atomic<uint32_t> payload_{0, "mbox_payload"};
  Atomic<uint32_t> check_{0, "mbox_check"};
  Atomic<int> ready_{0, "mbox_ready"};
};

// A seqlock (include/linux/seqlock.h): the writer makes the count odd, writes, makes it even; a
// reader retries while the count was odd or changed. The reader's smp_rmb between the data loads
// and the re-read of the count is what makes a changed count visible.
class SeqRecord {
 public:
  // Writers are serialized by the caller's lock (write_seqlock's spinlock).
  void write(uint8_t v) {
    Guard lock(lock_);
    const uint32_t s = READ_ONCE(seq_);
    WRITE_ONCE(seq_, s + 1);  // odd
    smp_wmb();
    WRITE_ONCE(lo_, v);
    WRITE_ONCE(hi_, v);
    smp_store_release(seq_, s + 2);  // even
  }
  void read() {
    for (int tries = 0; tries < 4; ++tries) {
      const uint32_t s = smp_load_acquire(seq_);
      if (s & 1) continue;
      const uint32_t lo = READ_ONCE(lo_);
      const uint32_t hi = READ_ONCE(hi_);
      smp_rmb();
      if (READ_ONCE(seq_) != s) continue;
      RACEFUZZ_CONTRACT(lo == hi, "seqlock-torn",
                        "the seqlock reader accepted a torn record: lo %u, hi %u at seq %u", lo, hi,
                        s);
      return;
    }
  }

 private:
  SpinLock lock_{"seq_lock"};
  Atomic<uint32_t> seq_{0, "seq"};
  Atomic<uint32_t> lo_{0, "seq_lo"};
  Atomic<uint32_t> hi_{0, "seq_hi"};
};

// Double-checked lazy initialization: a fast path that checks `done` without the lock, then the
// value it guards (DO_ONCE, a driver's lazily allocated table).
class LazyTable {
 public:
  void get() {
    if (smp_load_acquire(done_) == 0) {
      Guard lock(lock_);
      if (READ_ONCE(done_) == 0) {
        WRITE_ONCE(size_, 64u);
        smp_store_release(done_, 1);
      }
    }
    const uint32_t size = READ_ONCE(size_);
    RACEFUZZ_CONTRACT(size == 64u, "lazy-init-stale",
                      "the table is initialized (done is set) but its size reads %u", size);
  }

 private:
  Mutex lock_{"lazy_lock"};
  Atomic<int> done_{0, "lazy_done"};
  Atomic<uint32_t> size_{0, "lazy_size"};
};

// A refcounted object whose last put flushes its counters into the device totals (a kref whose
// release callback reads the object). Every owner counts into the object, then puts its reference:
// the put must be a release (this owner's counts come before it) and the decrement that reaches
// zero an acquire (the flush sees every owner's counts): atomic_dec_and_test is fully ordered.
class FlushOnPut {
 public:
  explicit FlushOnPut(int owners) : refs_(owners, "obj_refs"), owners_(owners) {}
  // Each owner calls this at most once.
  void use_and_put() {
    packets_.fetch_add(1, std::memory_order_relaxed);
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      const uint32_t total = READ_ONCE(packets_);
      RACEFUZZ_CONTRACT(total == static_cast<uint32_t>(owners_), "refcount-flush-lost",
                        "the last put flushed %u packets of %d owners", total, owners_);
    }
  }

 private:
  Atomic<int> refs_;
  Atomic<uint32_t> packets_{0, "obj_packets"};
  const int owners_;
};

// A page published with a separate "valid" flag: the writer fills the page's words, then sets
// `valid` with release; a reader checks `valid` with acquire before trusting the words (e.g. a
// shared status page whose header says whether the body is current).
class StatusPage {
 public:
  // Fills the page once (the caller fills at most once).
  void fill(uint8_t v) {
    for (int i = 0; i < 4; ++i) WRITE_ONCE(word(i), 0x100u + v);
    smp_store_release(valid_, 1);
  }
  void check() {
    if (smp_load_acquire(valid_) == 0) return;
    const uint32_t first = READ_ONCE(word(0));
    for (int i = 1; i < 4; ++i) {
      const uint32_t w = READ_ONCE(word(i));
      RACEFUZZ_CONTRACT(w != 0 && w == first, "page-valid-stale",
                        "the page is marked valid but word %d reads %#x (word 0: %#x)", i, w,
                        first);
    }
  }

 private:
  Atomic<uint32_t>& word(int i) { return i == 0 ? w0_ : i == 1 ? w1_ : i == 2 ? w2_ : w3_; }
  Atomic<uint32_t> w0_{0, "page_w0"};
  Atomic<uint32_t> w1_{0, "page_w1"};
  Atomic<uint32_t> w2_{0, "page_w2"};
  Atomic<uint32_t> w3_{0, "page_w3"};
  Atomic<int> valid_{0, "page_valid"};
};

}  // namespace racefuzz::planted

#endif  // RACEFUZZ_BENCH_PLANTED_CLIENTS_MEMORDER_H_
