#include "core/sched/memory/model.h"

#include <algorithm>
#include <type_traits>

#include "core/sched/happens_before.h"
#include "core/sched/internal.h"
#include "core/sched/memory/bytes.h"
#include "core/sched/run.h"
#include "core/sched/scheduler.h"

namespace racefuzz::internal::memory {

// SAFETY (whole file): the model's state is racefuzz's bookkeeping, touched by every fiber with no
// happens-before between them. This file is compiled without TSan (core/CMakeLists.txt) and uses
// fixed arrays only (no out-of-line container code that TSan would instrument); the edges TSan
// sees are made explicitly, with __tsan_release/__tsan_acquire on sync cells.

namespace {

constexpr int kMaxPending = 32;
constexpr int kHbSlots = 512;
constexpr size_t kCellsPerChunk = 4096;

bool IsAcquire(std::memory_order mo) {
  return mo == std::memory_order_acquire || mo == std::memory_order_consume ||
         mo == std::memory_order_acq_rel || mo == std::memory_order_seq_cst;
}
bool IsRelease(std::memory_order mo) {
  return mo == std::memory_order_release || mo == std::memory_order_acq_rel ||
         mo == std::memory_order_seq_cst;
}

RACEFUZZ_SCHED_INTERNAL void Join(View& into, const View& from, int n) {
  for (int i = 0; i < n; ++i) into.ts[i] = std::max(into.ts[i], from.ts[i]);
}
// Whole views, copied and zeroed inline: TSan intercepts memcpy and memset even when called
// from uninstrumented code, so the model must not call them.
RACEFUZZ_SCHED_INTERNAL void Copy(View& into, const View& from) {
  __builtin_memcpy_inline(&into, &from, sizeof(View));
}
template <typename T>
RACEFUZZ_SCHED_INTERNAL void Zero(T& t) {
  static_assert(std::is_trivially_copyable_v<T>);
  __builtin_memset_inline(&t, 0, sizeof(T));
}

// A run generation per process, so that an Atomic's state from an earlier run (or another OS
// thread's scheduler) never matches.
uint64_t g_next_run = 0;

}  // namespace

struct Model::ThreadView {
  View cur;  // per location, the oldest store this thread may still read
  View rel;  // cur at its last release fence: what its relaxed stores carry
  View acq;  // the join of what its relaxed loads read: what its next acquire fence takes
  uint64_t* rel_cell = nullptr;
  std::array<uint64_t*, kMaxPending> pending{};  // cells its relaxed loads read since its last
  int num_pending = 0;                           // acquire fence
  bool stale = false;
  bool newest_only = false;
};

struct Model::HbEntry {
  const void* addr = nullptr;
  uint64_t run = 0;
  View view;
};

Model::Model()
    : locations_(new Location[kMaxLocations]),
      threads_(new ThreadView[kMaxThreads + 1]),
      hb_(new HbEntry[kHbSlots + 1]),  // the last: every address once the table is full
      bytes_(new BytesHistory()) {}
Model::~Model() = default;

RACEFUZZ_SCHED_INTERNAL void Model::Reset() {
  run_ = ++g_next_run;
  num_locations_ = 1;  // kBytesLocation
  bytes_->Clear();
  // Only the views the last run touched: a run has far fewer threads than kMaxThreads.
  for (int t = 0; t < threads_used_; ++t) Zero(threads_[t]);
  Zero(threads_[kMaxThreads]);
  threads_used_ = 0;
  Zero(sc_);
  Zero(hb_[kHbSlots]);
  next_cell_ = 0;
}

RACEFUZZ_SCHED_INTERNAL Model::ThreadView& Model::Current() {
  const ThreadId t = ActiveScheduler().current();
  if (t == kNoThread) return threads_[kMaxThreads];
  if (t >= threads_used_) threads_used_ = t + 1;
  return threads_[t];
}

RACEFUZZ_SCHED_INTERNAL uint64_t* Model::NewCell() {
  const size_t chunk = (next_cell_ / kCellsPerChunk) % cell_chunks_.size();
  // Past the last chunk (more releasing stores in one run than 262144), cells are reused: a reader
  // of a reused cell also acquires the earlier store's clock (TSan sees an extra edge).
  if (cell_chunks_[chunk] == nullptr) cell_chunks_[chunk].reset(new uint64_t[kCellsPerChunk]);
  uint64_t* cell = &cell_chunks_[chunk][next_cell_ % kCellsPerChunk];
  ++next_cell_;
  return cell;
}

RACEFUZZ_SCHED_INTERNAL void Model::AddPending(ThreadView& t, uint64_t* cell) {
  for (int i = 0; i < t.num_pending; ++i) {
    if (t.pending[i] == cell) return;
  }
  if (t.num_pending == kMaxPending) {
    // No room: acquire now (TSan sees the edge before the thread's acquire fence, not at it).
    tsan_acquire(cell);
    return;
  }
  t.pending[t.num_pending++] = cell;
}

RACEFUZZ_SCHED_INTERNAL void Model::ScJoin(ThreadView& t) {
  Join(t.cur, sc_, num_locations_);
  Copy(sc_, t.cur);
}

RACEFUZZ_SCHED_INTERNAL Model::HbEntry* Model::Entry(const void* addr, bool create) {
  const uintptr_t h = (reinterpret_cast<uintptr_t>(addr) * 0x9e3779b97f4a7c15ull) >> 32;
  for (int probe = 0; probe < kHbSlots; ++probe) {
    HbEntry& e = hb_[(h + probe) % kHbSlots];
    if (e.run == run_ && e.addr == addr) return &e;
    if (e.run != run_) {
      if (!create) return nullptr;
      e.run = run_;
      e.addr = addr;
      Zero(e.view);
      return &e;
    }
  }
  // Full: every further address shares one entry. A release there reaches every acquire of any
  // such address: more edges than the program has, never fewer (stale reads only become rarer).
  return &hb_[kHbSlots];
}

RACEFUZZ_SCHED_INTERNAL bool Model::Track(AtomicState& s, const void* addr, const char* name,
                                          uint64_t newest, ValueKind kind, uint8_t size) {
  if (s.run == run_) return true;
  if (num_locations_ == kMaxLocations) {
    Acquire(addr);
    Release(addr);
    return false;
  }
  const uint32_t index = static_cast<uint32_t>(num_locations_++);
  Location& loc = locations_[index];
  loc.addr = addr;
  loc.name = name;
  loc.kind = kind;
  loc.size = size;
  loc.next_ts = 1;
  for (Message& m : loc.ring) Zero(m);
  loc.ring[0].value = newest;
  loc.ring[0].writer = kNoThread;
  loc.ring[0].op = "";  // everything before the run happens-before every thread
  s.location = index;
  s.run = run_;
  return true;
}

RACEFUZZ_SCHED_INTERNAL uint64_t Model::Read(Location& loc, uint32_t index, uint32_t ts,
                                             std::memory_order mo) {
  ThreadView& t = Current();
  Message& m = loc.at(ts);
  t.cur.ts[index] = std::max(t.cur.ts[index], ts);
  if (IsAcquire(mo)) {
    Join(t.cur, m.view, num_locations_);
    if (m.cell != nullptr) tsan_acquire(m.cell);
  } else {
    Join(t.acq, m.view, num_locations_);
    if (m.cell != nullptr) AddPending(t, m.cell);
  }
  return m.value;
}

RACEFUZZ_SCHED_INTERNAL uint64_t Model::Load(AtomicState& s, std::memory_order mo) {
  ThreadView& t = Current();
  Location& loc = locations_[s.location];
  const bool sc = mo == std::memory_order_seq_cst;
  if (sc) ScJoin(t);
  const uint32_t newest = loc.newest();
  const uint32_t lo = std::max(t.cur.ts[s.location], loc.oldest());
  uint32_t back = 0;  // how many stores older than the newest
  if (newest > lo && !t.newest_only) {
    back = static_cast<uint32_t>(ActiveScheduler().ChooseRead(newest - lo + 1));
  }
  if (back != 0) t.stale = true;
  const uint64_t value = Read(loc, s.location, newest - back, mo);
  Annotate(loc, value, newest - back, back != 0);
  if (sc) ScJoin(t);
  return value;
}

RACEFUZZ_SCHED_INTERNAL void Model::ReadNewest(AtomicState& s, std::memory_order mo) {
  ThreadView& t = Current();
  Location& loc = locations_[s.location];
  const bool sc = mo == std::memory_order_seq_cst;
  if (sc) ScJoin(t);
  Annotate(loc, Read(loc, s.location, loc.newest(), mo), loc.newest(), false);
  if (sc) ScJoin(t);
}

RACEFUZZ_SCHED_INTERNAL uint32_t Model::AppendStore(ThreadView& t, Location& loc, uint32_t index,
                                                    uint64_t value, const char* op) {
  const uint32_t ts = loc.next_ts++;
  t.cur.ts[index] = ts;
  Message& m = loc.at(ts);
  m.value = value;
  m.step = ActiveScheduler().last_event();
  m.writer = ActiveScheduler().current();
  m.op = op;
  return ts;
}

RACEFUZZ_SCHED_INTERNAL void Model::Store(AtomicState& s, uint64_t value, std::memory_order mo,
                                          const char* op) {
  ThreadView& t = Current();
  Location& loc = locations_[s.location];
  const bool sc = mo == std::memory_order_seq_cst;
  if (sc) ScJoin(t);
  const uint32_t ts = AppendStore(t, loc, s.location, value, op);
  Message& m = loc.at(ts);
  Annotate(loc, value, ts, false);
  if (IsRelease(mo)) {
    Copy(m.view, t.cur);
    m.cell = NewCell();
    tsan_release(m.cell);
  } else {
    Copy(m.view, t.rel);
    m.view.ts[s.location] = ts;
    m.cell = t.rel_cell;
  }
  if (sc) ScJoin(t);
}

RACEFUZZ_SCHED_INTERNAL void Model::PlainStore(AtomicState& s, uint64_t value) {
  ThreadView& t = Current();
  Location& loc = locations_[s.location];
  const uint32_t ts = AppendStore(t, loc, s.location, value, "plain_store");
  Message& m = loc.at(ts);
  Zero(m.view);
  m.view.ts[s.location] = ts;
  m.cell = nullptr;
}

RACEFUZZ_SCHED_INTERNAL void Model::Rmw(AtomicState& s, uint64_t value, std::memory_order mo,
                                        const char* op) {
  ThreadView& t = Current();
  Location& loc = locations_[s.location];
  const bool sc = mo == std::memory_order_seq_cst;
  if (sc) ScJoin(t);
  const uint32_t read_ts = loc.newest();
  Read(loc, s.location, read_ts, mo);
  Message& r = loc.at(read_ts);
  const uint32_t ts = AppendStore(t, loc, s.location, value, op);
  Message& m = loc.at(ts);  // another slot than r's: kHistory >= 2
  Annotate(loc, value, ts, false);
  // The store continues the release sequence of the store it read: it carries that view too.
  Copy(m.view, IsRelease(mo) ? t.cur : t.rel);
  Join(m.view, r.view, num_locations_);
  m.view.ts[s.location] = ts;
  // TSan: an acquire-release RMW's thread already holds r's clock (Read acquired it), so a fresh
  // cell with its clock is exact. Otherwise the RMW's cell must hold r's clock and its own (the
  // thread's, or its last release fence's): with one cell per store that join is made in r's
  // cell, so a reader of r itself also gets the RMW thread's clock (TSan sees an extra edge, only
  // after a release-only RMW or a relaxed RMW following a release fence, on a releasing store).
  uint64_t* own = IsRelease(mo) ? nullptr : t.rel_cell;
  if (IsRelease(mo) && (IsAcquire(mo) || r.cell == nullptr)) {
    m.cell = NewCell();
    tsan_release(m.cell);
  } else if (IsRelease(mo) || (own != nullptr && r.cell != nullptr && own != r.cell)) {
    m.cell = r.cell;
    tsan_release(m.cell);
  } else {
    m.cell = r.cell != nullptr ? r.cell : own;
  }
  if (sc) ScJoin(t);
}

RACEFUZZ_SCHED_INTERNAL void Model::Annotate(const Location& loc, uint64_t value, uint32_t ts,
                                             bool stale) {
  Scheduler& s = ActiveScheduler();
  AtomicNote note{.set = true,
                  .kind = static_cast<uint8_t>(loc.kind),
                  .size = loc.size,
                  .value = value,
                  .stale = stale};
  if (stale) {
    const Message& read = loc.ring[ts % kHistory];
    const Message& next = loc.ring[(ts + 1) % kHistory];
    note.read_step = read.step;
    note.read_writer = read.writer;
    note.read_op = read.op;
    note.next_step = next.step;
    note.next_writer = next.writer;
    note.next_op = next.op;
    note.next_value = next.value;
  }
  s.Annotate(note);
}

RACEFUZZ_SCHED_INTERNAL void Model::Fence(std::memory_order mo) {
  ThreadView& t = Current();
  if (IsAcquire(mo)) {
    Join(t.cur, t.acq, num_locations_);
    for (int i = 0; i < t.num_pending; ++i) tsan_acquire(t.pending[i]);
    t.num_pending = 0;
  }
  if (mo == std::memory_order_seq_cst) ScJoin(t);
  if (IsRelease(mo)) {
    Copy(t.rel, t.cur);
    t.rel_cell = NewCell();
    tsan_release(t.rel_cell);
  }
}

RACEFUZZ_SCHED_INTERNAL void Model::BytesStore(const uint8_t* dst, const uint8_t* bytes,
                                               size_t len) {
  ThreadView& t = Current();
  for (size_t at = 0; at < len; at += BytesHistory::kMaxRecordBytes) {
    const size_t n = std::min(len - at, BytesHistory::kMaxRecordBytes);
    BytesRecord& r = bytes_->Add(dst + at, bytes + at, n);
    r.writer = ActiveScheduler().current();
    r.step = ActiveScheduler().last_event();
    // Relaxed: it carries the view of the thread's last release fence (smp_wmb).
    Copy(r.view, t.rel);
    r.view.ts[kBytesLocation] = r.ts;
    r.cell = t.rel_cell;
    t.cur.ts[kBytesLocation] = r.ts;
  }
}

// Which bytes a byte-wise load of [src, src + len) may read. For byte b, the stores the thread has
// not seen (timestamp above its bound) that cover b are each mo-after the newest one it has seen:
// the value before any of them is the value of a store at least as new as what it must read, so it
// may read that (coherence holds). The input picks one such store (or none: the newest bytes) and
// the load reads, for the bytes that store and the load share, what they held before it. A byte
// whose real value is not the newest record's was written plainly behind the model's back: it is
// read as it is. Then the bound rises to every record the load overlaps (so a later load never
// reads an older byte than this one did), and those records' views wait for an acquire fence.
RACEFUZZ_SCHED_INTERNAL void Model::BytesLoad(const uint8_t* src, uint8_t* out, size_t len) {
  ThreadView& t = Current();
  const uint32_t bound = t.cur.ts[kBytesLocation];
  const uintptr_t lo = reinterpret_cast<uintptr_t>(src);
  const uintptr_t hi = lo + len;
  constexpr int kMaxCandidates = 7;
  std::array<int, kMaxCandidates> candidates{};
  int num_candidates = 0;
  uint32_t newest_overlapping = bound;
  for (int k = 0; k < bytes_->count(); ++k) {
    const BytesRecord& r = bytes_->Newest(k);
    const uintptr_t rlo = reinterpret_cast<uintptr_t>(r.addr);
    if (rlo >= hi || rlo + r.len <= lo || r.ts <= bound) continue;
    newest_overlapping = std::max(newest_overlapping, r.ts);
    Join(t.acq, r.view, num_locations_);
    if (r.cell != nullptr) AddPending(t, r.cell);
    if (num_candidates < kMaxCandidates) candidates[num_candidates++] = k;
  }
  t.cur.ts[kBytesLocation] = newest_overlapping;
  if (num_candidates == 0 || t.newest_only) return;
  const size_t back = ActiveScheduler().ChooseRead(static_cast<size_t>(num_candidates) + 1);
  if (back == 0) return;
  const BytesRecord& r = bytes_->Newest(candidates[back - 1]);
  const uintptr_t rlo = reinterpret_cast<uintptr_t>(r.addr);
  const uintptr_t from = std::max(lo, rlo);
  const uintptr_t to = std::min(hi, rlo + r.len);
  // Per byte of the window, whether its newest record holds its real value (1) or not (2): only
  // records at least as new as r can be newest there (r covers the whole window).
  std::array<uint8_t, BytesHistory::kMaxRecordBytes> state;
  for (uintptr_t a = from; a < to; ++a) state[a - from] = 0;
  for (int k = 0; k <= candidates[back - 1]; ++k) {
    const BytesRecord& n = bytes_->Newest(k);
    const uintptr_t nlo = reinterpret_cast<uintptr_t>(n.addr);
    const uintptr_t nfrom = std::max(from, nlo);
    const uintptr_t nto = std::min(to, nlo + n.len);
    for (uintptr_t a = nfrom; a < nto; ++a) {
      if (state[a - from] == 0) state[a - from] = bytes_->New(n)[a - nlo] == out[a - lo] ? 1 : 2;
    }
  }
  uint32_t stale = 0;
  for (uintptr_t a = from; a < to; ++a) {
    if (state[a - from] != 1) continue;
    const uint8_t before = bytes_->Old(r)[a - rlo];
    if (before != out[a - lo]) ++stale;
    out[a - lo] = before;
  }
  if (stale == 0) return;
  t.stale = true;
  AtomicNote note{.set = true,
                  .stale = stale != 0,
                  .next_step = r.step,
                  .next_writer = r.writer,
                  .next_op = "bytewise_store",
                  .bytes = static_cast<uint32_t>(len),
                  .stale_bytes = stale};
  ActiveScheduler().Annotate(note);
}

RACEFUZZ_SCHED_INTERNAL void Model::Release(const void* addr) {
  Join(Entry(addr, /*create=*/true)->view, Current().cur, num_locations_);
}

RACEFUZZ_SCHED_INTERNAL void Model::Acquire(const void* addr) {
  if (const HbEntry* e = Entry(addr, /*create=*/false))
    Join(Current().cur, e->view, num_locations_);
}

RACEFUZZ_SCHED_INTERNAL bool Model::TakeStaleRead() {
  ThreadView& t = Current();
  const bool stale = t.stale;
  t.stale = false;
  return stale;
}

RACEFUZZ_SCHED_INTERNAL void Model::SetNewestOnly(bool on) { Current().newest_only = on; }

namespace {
RACEFUZZ_SCHED_INTERNAL Model& Active() { return *g_active.memory; }
}  // namespace

RACEFUZZ_SCHED_INTERNAL bool Track(AtomicState& s, const void* addr, const char* name,
                                   uint64_t newest, ValueKind kind, uint8_t size) {
  return Active().Track(s, addr, name, newest, kind, size);
}
RACEFUZZ_SCHED_INTERNAL uint64_t Load(AtomicState& s, std::memory_order mo) {
  return Active().Load(s, mo);
}
RACEFUZZ_SCHED_INTERNAL void Store(AtomicState& s, uint64_t value, std::memory_order mo,
                                   const char* op) {
  Active().Store(s, value, mo, op);
}
RACEFUZZ_SCHED_INTERNAL void PlainStore(AtomicState& s, uint64_t value) {
  Active().PlainStore(s, value);
}
RACEFUZZ_SCHED_INTERNAL bool Tracked(const AtomicState& s) { return Active().Tracked(s); }
RACEFUZZ_SCHED_INTERNAL void Rmw(AtomicState& s, uint64_t value, std::memory_order mo,
                                 const char* op) {
  Active().Rmw(s, value, mo, op);
}
RACEFUZZ_SCHED_INTERNAL void ReadNewest(AtomicState& s, std::memory_order mo) {
  Active().ReadNewest(s, mo);
}
RACEFUZZ_SCHED_INTERNAL void Fence(std::memory_order mo) { Active().Fence(mo); }
RACEFUZZ_SCHED_INTERNAL void ReleaseAt(const void* addr) { Active().Release(addr); }
RACEFUZZ_SCHED_INTERNAL void AcquireAt(const void* addr) { Active().Acquire(addr); }
RACEFUZZ_SCHED_INTERNAL void EndWait() { Active().SetNewestOnly(false); }
RACEFUZZ_SCHED_INTERNAL void BytesStore(const uint8_t* dst, const uint8_t* bytes, size_t len) {
  Active().BytesStore(dst, bytes, len);
}
RACEFUZZ_SCHED_INTERNAL void BytesLoad(const uint8_t* src, uint8_t* out, size_t len) {
  Active().BytesLoad(src, out, len);
}

}  // namespace racefuzz::internal::memory
