// What an RCU updater does with the RcuOld it got back, shared by the RCU fuzz targets (rcu_ops,
// page_swap): drop it now (synchronize_rcu, then free), keep it for later, or defer the free
// (call_rcu).
#ifndef RACEFUZZ_FUZZERS_COMMON_RCU_RETIRE_H_
#define RACEFUZZ_FUZZERS_COMMON_RCU_RETIRE_H_

#include <cstdint>
#include <utility>
#include <vector>

namespace racefuzz::fuzz {

enum Retire : uint32_t { kDrop, kKeep, kDefer };
inline constexpr int kMaxKept = 4;

// Retires `old` as `how` asks, within the contract. `in_read_side`: the calling thread holds a
// read-side guard.
template <typename Old>
void RetireOld(Old old, Retire how, bool in_read_side, std::vector<Old>& kept) {
  // SAFETY: dropping an RcuOld waits for a grace period (synchronize_rcu), which is allowed only
  // outside a read-side section: inside one, defer the free instead.
  if (how == kDrop && in_read_side) how = kDefer;
  if (how == kKeep && kept.size() >= kMaxKept) how = kDefer;
  switch (how) {
    case kDrop:
      return;  // `old` is dropped here
    case kKeep:
      kept.push_back(std::move(old));
      return;
    case kDefer:
      std::move(old).defer_free();
      return;
  }
}

}  // namespace racefuzz::fuzz

#endif  // RACEFUZZ_FUZZERS_COMMON_RCU_RETIRE_H_
