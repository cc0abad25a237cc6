// splitmix64: the tiny deterministic generator the schedules fall back to (same numbers on every
// platform and run, unlike absl::BitGen, which is seeded per process by design).
#ifndef RACEFUZZ_CORE_SCHED_SPLITMIX_H_
#define RACEFUZZ_CORE_SCHED_SPLITMIX_H_

#include <cstddef>
#include <cstdint>

namespace racefuzz {

inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A generator state from a byte string: FNV-1a over the bytes, then the length, so two strings of
// one length give different states (and so different continuations) unless they are equal.
inline uint64_t SeedFromBytes(const uint8_t* bytes, size_t size) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ bytes[i]) * 0x100000001b3ull;
  return (h ^ size) * 0x100000001b3ull;
}

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_SPLITMIX_H_
