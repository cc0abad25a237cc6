// Driver-like device statistics: the datapath bumps counters under a spinlock, a "show" operation
// (think sysfs/ethtool) reads a consistent snapshot under the same spinlock. The planted bugs
// stats-unlocked-read and sched-spinlock-no-acquire break it.
#ifndef RACEFUZZ_BENCH_PLANTED_CLIENTS_STATS_H_
#define RACEFUZZ_BENCH_PLANTED_CLIENTS_STATS_H_

#include <cstdint>

#include "core/check/report.h"
#include "core/sched/runtime.h"
#include "core/sched/sync.h"

namespace racefuzz::planted {

class DeviceStats {
 public:
  // Counts one packet of `len` bytes. Safety: none.
  void count(uint8_t len) {
    Guard lock(lock_);
    yield_point("stats_packets", {"stats", 0});
    packets_++;
    yield_point("stats_bytes", {"stats", 0});
    bytes_ += len;
    max_len_ = len > max_len_ ? len : max_len_;
  }

  // Returns packets + bytes, checking the snapshot is consistent (contract check
  // "stats-snapshot": bytes never exceed 255 x packets). Safety: none.
  uint64_t show() {
    Guard lock(lock_);
    yield_point("stats_show", {"stats", 0});
    // SAFETY: lock_ is held: no datapath update is half done.
    RACEFUZZ_CONTRACT(bytes_ <= 255 * packets_, "stats-snapshot", "%d bytes in %d packets", bytes_,
                      packets_);
    return packets_ + bytes_ + max_len_;
  }

 private:
  SpinLock lock_{"stats"};
  uint64_t packets_ = 0;  // guarded by lock_
  uint64_t bytes_ = 0;    // guarded by lock_
  uint8_t max_len_ = 0;   // guarded by lock_
};

}  // namespace racefuzz::planted

#endif  // RACEFUZZ_BENCH_PLANTED_CLIENTS_STATS_H_
