// A driver-like transmit ring: producers queue fixed-size frames, a consumer (the "device") takes
// them in order. Head, tail and the slots are guarded by one racefuzz::Mutex. The planted bugs
// ring-unlock-early and ring-full-off-by-one patch this file.
#ifndef RACEFUZZ_BENCH_PLANTED_CLIENTS_RING_H_
#define RACEFUZZ_BENCH_PLANTED_CLIENTS_RING_H_

#include <array>
#include <cstdint>
#include <cstring>

#include "core/check/report.h"
#include "core/sched/runtime.h"
#include "core/sched/sync.h"

namespace racefuzz::planted {

class Ring {
 public:
  static constexpr uint32_t kSlots = 4;
  static constexpr size_t kFrame = 32;

  // Queues a frame whose bytes are all `fill`, numbered with the next sequence number. Returns
  // false if the ring is full. Safety: none (locks internally).
  bool produce(uint8_t fill) {
    Guard lock(mu_);
    yield_point("ring_full_check", {"ring", 0});
    if (head_ - tail_ >= kSlots) return false;
    Slot& s = slots_[head_ % kSlots];
    yield_point("ring_fill", {"ring", 0});
    // SAFETY: the slot at head is owned by producers while the lock is held.
    std::memset(s.bytes, fill, kFrame);
    s.seq = next_seq_++;
    head_++;
    return true;
  }

  // Takes the oldest frame. Returns false if the ring is empty. Checks the FIFO order (contract
  // check "ring-fifo") and the frame's bytes (contract check "ring-torn-frame").
  bool consume() {
    Guard lock(mu_);
    yield_point("ring_empty_check", {"ring", 0});
    if (head_ == tail_) return false;
    const Slot& s = slots_[tail_ % kSlots];
    yield_point("ring_read", {"ring", 0});
    // SAFETY: the slot at tail is owned by the consumer while the lock is held.
    RACEFUZZ_CONTRACT(s.seq == expected_seq_, "ring-fifo", "frame %u taken where %u was due", s.seq,
                      expected_seq_);
    for (size_t i = 1; i < kFrame; ++i) {
      RACEFUZZ_CONTRACT(s.bytes[i] == s.bytes[0], "ring-torn-frame", "frame %u byte %zu torn",
                        s.seq, i);
    }
    expected_seq_++;
    tail_++;
    return true;
  }

 private:
  struct Slot {
    uint32_t seq = 0;
    uint8_t bytes[kFrame] = {};
  };
  Mutex mu_{"ring"};
  uint32_t head_ = 0;  // guarded by mu_
  uint32_t tail_ = 0;  // guarded by mu_
  uint32_t next_seq_ = 0;
  uint32_t expected_seq_ = 0;
  std::array<Slot, kSlots> slots_;
};

}  // namespace racefuzz::planted

#endif  // RACEFUZZ_BENCH_PLANTED_CLIENTS_RING_H_
