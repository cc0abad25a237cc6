// Byte-wise atomic memory in the weak memory model (RACEFUZZ_MEMORY=weak): the last kRecords
// relaxed byte-wise stores (core/page/bytewise.cc: atomic_per_byte_memcpy's destination, the user
// side of read_bytewise_atomic, atomic_store_byte), each with the bytes it overwrote and the bytes
// it wrote. Model (model.cc) decides what a byte-wise load may read from them; this file only keeps
// them.
//
// All byte-wise memory is one model location (kBytesLocation): its timestamps are one sequence
// shared by every byte-wise store, and a thread's view of it is one bound, the newest store it must
// not read older than (its own, what it read, what happens-before carried). That is stronger than
// a view per byte (some RC11 tears are never shown), never weaker.
//
// Internal to core/sched.
#ifndef RACEFUZZ_CORE_SCHED_MEMORY_BYTES_H_
#define RACEFUZZ_CORE_SCHED_MEMORY_BYTES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/sched/memory/model.h"
#include "core/sched/runtime.h"

namespace racefuzz::internal::memory {

// One byte-wise store (at most kMaxRecordBytes: a longer one is several).
struct BytesRecord {
  const uint8_t* addr = nullptr;
  uint32_t len = 0;
  uint32_t ts = 0;  // in kBytesLocation's sequence (1, 2, ...)
  ThreadId writer = kNoThread;
  uint64_t step = 0;         // its event in the timeline
  uint64_t* cell = nullptr;  // TSan cell of the writer's last release fence, or none
  uint32_t slot = 0;         // where its old and new bytes are in the arena
  View view;                 // what an acquire fence after a load that read it learns
};

// Invariants: records_[(next_ts_ - 1 - k) % kRecords] for k < count() is the k-th newest store; the
// arena holds each record's old bytes, then its new bytes, at its slot.
class BytesHistory {
 public:
  static constexpr int kRecords = 32;
  static constexpr size_t kMaxRecordBytes = 4096;

  BytesHistory() : arena_(new uint8_t[2 * kRecords * kMaxRecordBytes]) {}

  void Clear() { next_ts_ = 1; }
  // Records a store of `len` (<= kMaxRecordBytes) bytes at `addr` that now hold the old bytes and
  // will hold `bytes`; returns it (ts assigned, the rest for the caller to fill).
  BytesRecord& Add(const uint8_t* addr, const uint8_t* bytes, size_t len);
  int count() const { return next_ts_ - 1 < kRecords ? static_cast<int>(next_ts_ - 1) : kRecords; }
  // The k-th newest record (k < count()).
  const BytesRecord& Newest(int k) const { return records_[(next_ts_ - 1 - k) % kRecords]; }
  const uint8_t* Old(const BytesRecord& r) const { return &arena_[2 * r.slot * kMaxRecordBytes]; }
  const uint8_t* New(const BytesRecord& r) const { return Old(r) + kMaxRecordBytes; }

 private:
  uint32_t next_ts_ = 1;
  std::array<BytesRecord, kRecords> records_;
  std::unique_ptr<uint8_t[]> arena_;
};

}  // namespace racefuzz::internal::memory

#endif  // RACEFUZZ_CORE_SCHED_MEMORY_BYTES_H_
