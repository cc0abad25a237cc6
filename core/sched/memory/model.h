// The weak memory model of racefuzz::Atomic in deterministic runs (RACEFUZZ_MEMORY=weak): which
// stores an atomic load may read, and the happens-before that ThreadSanitizer sees. The design and
// why it never produces an outcome RC11 forbids are in docs/design.md ("The weak memory model").
//
// In one page:
// - Every atomic location keeps its modification order: the last kHistory stores, numbered by a
//   timestamp (0 is the value it held when the run first touched it). A store always goes last
//   (timestamp = newest + 1), so the modification order is the order stores execute in.
// - Every simulated thread has a view: per location, the oldest timestamp it may still read (what
//   it has seen, itself or through happens-before). A load may read any kept store from its view's
//   timestamp to the newest, and the schedule chooses which (ScheduleSource::ChooseRead: 0 is the
//   newest). Reading a store raises the view to it (coherence).
// - A release store carries the storing thread's view; an acquire load that reads it joins that
//   view (release/acquire). A relaxed store carries the view of the thread's last release fence;
//   a relaxed load collects the view of what it read for the thread's next acquire fence. A
//   read-modify-write reads the newest store and adds the view it read to its own (release
//   sequences). Mutex, spawn/join, condvar, completion and page-pool edges
//   (happens_before_release/acquire) carry views through a table keyed by address.
// - seq_cst: one run-wide SC view. A seq_cst fence, and every seq_cst access before and after it
//   acts, joins its view with the SC view both ways (the SC view only grows), so seq_cst events
//   are ordered as they execute and psc is acyclic.
// - ThreadSanitizer: the real std::atomic under Atomic is only ever accessed relaxed (TSan makes
//   no edge from it); each releasing store gets its own sync cell, released with __tsan_release,
//   and an acquire acquires the cell of the store it actually read.
//
// Internal to core/sched; Atomic (sync.h) calls the free functions at the bottom.
#ifndef RACEFUZZ_CORE_SCHED_MEMORY_MODEL_H_
#define RACEFUZZ_CORE_SCHED_MEMORY_MODEL_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/sched/memory/value.h"
#include "core/sched/runtime.h"

namespace racefuzz::internal::memory {

// Stores kept per location. A load may read at most this far back. Eight is enough for every
// litmus shape and every planted bug (they need one or two stale stores) with room for a spin
// loop's repeated stores in between; each kept store costs a view copy, and a choice among at most
// eight takes one input byte.
inline constexpr int kHistory = 8;
// Atomic locations tracked per run. A location beyond these is untracked for the run: its loads
// read the newest store (always allowed) and every access to it is a full edge in the model.
inline constexpr int kMaxLocations = 64;
// Location 0 is all byte-wise atomic memory (bytes.h); Atomics get 1 and up.
inline constexpr uint32_t kBytesLocation = 0;

class BytesHistory;

// Per location, a timestamp: the oldest store a thread may still read.
struct View {
  std::array<uint32_t, kMaxLocations> ts{};
};

// What an Atomic keeps for the model: its location in the run `run` (a stale run means "not yet
// touched in this run").
struct AtomicState {
  uint32_t location = 0;
  uint64_t run = 0;
};

// One store in a location's modification order.
struct Message {
  uint64_t value = 0;
  uint64_t step = 0;  // the store's event in the timeline (0: before the run)
  ThreadId writer = kNoThread;
  const char* op = "";       // the operation that stored it ("atomic_store", "atomic_add")
  uint64_t* cell = nullptr;  // TSan sync cell its readers acquire, or none
  View view;                 // what an acquire that reads it learns
};

struct Location {
  const void* addr = nullptr;
  const char* name = "";
  ValueKind kind = ValueKind::kBits;  // how the timeline prints its values
  uint8_t size = 0;
  uint32_t next_ts = 1;  // the newest store is next_ts - 1
  std::array<Message, kHistory> ring;
  Message& at(uint32_t ts) { return ring[ts % kHistory]; }
  uint32_t newest() const { return next_ts - 1; }
  uint32_t oldest() const { return next_ts > kHistory ? next_ts - kHistory : 0; }
};

// Invariants: in views, entries at and after num_locations_ are 0; every thread's view of a
// location is between the location's oldest kept timestamp (or below it) and its newest; the SC
// view only grows within a run.
class Model {
 public:
  Model();
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // Starts a new run: no location touched, every view empty.
  void Reset();

  // Finds or creates the location of `s` for this run, whose newest store holds `newest` (the real
  // atomic's value). False if it is untracked (kMaxLocations reached): then the access counts as a
  // full edge at `addr` in the model, and the caller performs it on the real atomic.
  bool Track(AtomicState& s, const void* addr, const char* name, uint64_t newest, ValueKind kind,
             uint8_t size);
  // The access itself, on a tracked location (Track returned true just before).
  uint64_t Load(AtomicState& s, std::memory_order mo);
  // A store; `op` names it where a stale load shows it ("atomic_store", "rcu_assign_pointer").
  void Store(AtomicState& s, uint64_t value, std::memory_order mo, const char* op);
  // A plain (non-atomic) write of `value` to a location the run already tracks (Tracked): the
  // newest store from then on, carrying no view (a load that may read it is hb-after it, or races
  // with it, which TSan reports on the real write). Not shown in the timeline.
  void PlainStore(AtomicState& s, uint64_t value);
  // Whether this run tracks `s` already (a plain write to an untracked location needs no model:
  // the location's first access takes the real value as its initial store).
  bool Tracked(const AtomicState& s) const { return s.run == run_; }
  // A read-modify-write `op` ("atomic_add"): reads the newest store and stores `value`.
  void Rmw(AtomicState& s, uint64_t value, std::memory_order mo, const char* op);
  // A read of the newest store (a failed compare-exchange).
  void ReadNewest(AtomicState& s, std::memory_order mo);
  void Fence(std::memory_order mo);

  // Byte-wise atomic memory (bytes.h; core/page/bytewise.cc), relaxed. A store of `len` bytes
  // `bytes` to `dst`, before the real write (`dst` still holds the old bytes). A load of `len`
  // bytes at `src` into `out`, after the real read (`out` holds the newest bytes): the input may
  // make it read, for the bytes of one store the thread has not seen, the bytes before that store.
  void BytesStore(const uint8_t* dst, const uint8_t* bytes, size_t len);
  void BytesLoad(const uint8_t* src, uint8_t* out, size_t len);

  // happens_before_release/acquire: what the current thread has seen, handed on through `addr`.
  void Release(const void* addr);
  void Acquire(const void* addr);

  // wait_until: true (once) if the current thread read a stale value since it last asked, so a wait
  // that fails on it is re-checked against the newest stores before the thread parks (a stale read
  // must not make a false deadlock).
  bool TakeStaleRead();
  // While set, the current thread's loads read the newest store.
  void SetNewestOnly(bool on);

 private:
  struct ThreadView;
  struct HbEntry;

  ThreadView& Current();
  uint64_t Read(Location& loc, uint32_t index, uint32_t ts, std::memory_order mo);
  // Appends a store of `value` by the current thread `t` to `loc` (location `index`) at the end of
  // its modification order, seen by `t`; its view and cell are the caller's to set. Returns its
  // timestamp.
  uint32_t AppendStore(ThreadView& t, Location& loc, uint32_t index, uint64_t value,
                       const char* op);
  // The value shown on the current thread's event in the timeline (and, for a load that read `ts`
  // with newer stores kept, why it is stale).
  void Annotate(const Location& loc, uint64_t value, uint32_t ts, bool stale);
  void ScJoin(ThreadView& t);
  void AddPending(ThreadView& t, uint64_t* cell);
  uint64_t* NewCell();
  HbEntry* Entry(const void* addr, bool create);

  uint64_t run_ = 0;  // this run's generation (AtomicState::run), never 0
  int num_locations_ = 0;
  std::unique_ptr<Location[]> locations_;
  std::unique_ptr<ThreadView[]> threads_;  // kMaxThreads + 1: the last is the run's setup
  int threads_used_ = 0;  // threads_[0, threads_used_) may be non-zero (Reset zeroes only those)
  View sc_;
  std::unique_ptr<HbEntry[]> hb_;
  std::unique_ptr<BytesHistory> bytes_;
  // TSan sync cells: a fresh one per releasing store or release fence within a run.
  std::array<std::unique_ptr<uint64_t[]>, 64> cell_chunks_;
  size_t next_cell_ = 0;
};

// Atomic's entry points (the active run's model: g_active.memory).
bool Track(AtomicState& s, const void* addr, const char* name, uint64_t newest, ValueKind kind,
           uint8_t size);
uint64_t Load(AtomicState& s, std::memory_order mo);
void Store(AtomicState& s, uint64_t value, std::memory_order mo, const char* op = "atomic_store");
void PlainStore(AtomicState& s, uint64_t value);
bool Tracked(const AtomicState& s);
void Rmw(AtomicState& s, uint64_t value, std::memory_order mo, const char* op);
void ReadNewest(AtomicState& s, std::memory_order mo);
void Fence(std::memory_order mo);
void ReleaseAt(const void* addr);
void AcquireAt(const void* addr);
void EndWait();
void BytesStore(const uint8_t* dst, const uint8_t* bytes, size_t len);
void BytesLoad(const uint8_t* src, uint8_t* out, size_t len);

}  // namespace racefuzz::internal::memory

#endif  // RACEFUZZ_CORE_SCHED_MEMORY_MODEL_H_
