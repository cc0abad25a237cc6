// A driver-like multi-page buffer (a vmalloc-style allocation of 4 KiB chunks that are not
// contiguous): copy_in/copy_out at any offset, bounds-checked in the overflow-safe form, and a
// chunk iterator that checksums every chunk. Accesses are serialized by a mutex. The planted bugs
// buffer-bounds-overflow and buffer-iter-off-by-one patch this file.
#ifndef RACEFUZZ_BENCH_PLANTED_CLIENTS_CHUNK_BUFFER_H_
#define RACEFUZZ_BENCH_PLANTED_CLIENTS_CHUNK_BUFFER_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "core/sched/runtime.h"
#include "core/sched/sync.h"

namespace racefuzz::planted {

class ChunkBuffer {
 public:
  static constexpr uint32_t kChunk = 4096;

  // Exactly `chunks` entries (no spare capacity: one past the end is an ASan report).
  explicit ChunkBuffer(uint32_t chunks) : size_(chunks * kChunk), chunks_(chunks) {
    for (auto& c : chunks_) c = std::make_unique<uint8_t[]>(kChunk);
  }

  uint32_t size() const { return size_; }

  // Copies `len` bytes of `src` to [off, off + len). Returns false (EINVAL) if the range is not
  // inside the buffer. Safety: `src` is valid for `len` bytes (ASan).
  bool copy_in(const uint8_t* src, uint32_t off, uint32_t len) {
    if (!in_bounds(off, len)) return false;
    Guard lock(mu_);
    yield_point("buffer_copy_in", {"buffer", 0}, {off, uint64_t{off} + len});
    while (len > 0) {
      const uint32_t n = std::min(len, kChunk - off % kChunk);
      // SAFETY: in_bounds checked [off, off + len) and mu_ is held.
      std::memcpy(chunks_[off / kChunk].get() + off % kChunk, src, n);
      src += n, off += n, len -= n;
    }
    return true;
  }

  // Copies [off, off + len) to `dst`. Returns false (EINVAL) out of bounds. Safety: `dst` is
  // valid for `len` bytes (ASan).
  bool copy_out(uint8_t* dst, uint32_t off, uint32_t len) {
    if (!in_bounds(off, len)) return false;
    Guard lock(mu_);
    yield_point("buffer_copy_out", {"buffer", 0}, {off, uint64_t{off} + len});
    while (len > 0) {
      const uint32_t n = std::min(len, kChunk - off % kChunk);
      // SAFETY: as in copy_in.
      std::memcpy(dst, chunks_[off / kChunk].get() + off % kChunk, n);
      dst += n, off += n, len -= n;
    }
    return true;
  }

  // Sums every byte, chunk by chunk (the page_iter pattern). Safety: none.
  uint64_t checksum() {
    Guard lock(mu_);
    yield_point("buffer_iter", {"buffer", 0});
    uint64_t sum = 0;
    const size_t n = chunks_.size();
    for (size_t i = 0; i < n; ++i) {
      const uint8_t* chunk = chunks_.data()[i].get();
      for (uint32_t b = 0; b < kChunk; b += 64) sum += chunk[b];
    }
    return sum;
  }

 private:
  // The overflow-safe form: off <= size && len <= size - off.
  bool in_bounds(uint32_t off, uint32_t len) const { return off <= size_ && len <= size_ - off; }

  const uint32_t size_;
  std::vector<std::unique_ptr<uint8_t[]>> chunks_;
  Mutex mu_{"buffer"};
};

}  // namespace racefuzz::planted

#endif  // RACEFUZZ_BENCH_PLANTED_CLIENTS_CHUNK_BUFFER_H_
