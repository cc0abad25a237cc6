// The fuzz target the racefuzz command's tests drive (tests/cli/cli_test.cc): each behaviour the
// command must report truthfully, chosen by the byte after the key "RFZ!". The key is checked
// through a hash, which libFuzzer's comparison tracing cannot invert, so fuzzing never stumbles on
// a behaviour by itself: only the tests' inputs have them.
//
//   'C'       crashes (a seed that crashes before libFuzzer's first status line)
//   'N'       never crashes (a "crash file" that reproduces 0 of N times)
//   'F' <k>   crashes while the counter file probe-runs in the working directory is below k, and
//             counts the run (a crash file that reproduces k of N times)
//   'H'       two simulated threads that never finish: T0 holds mutex "probe" and waits for a flag
//             nobody sets, T1 (once T0 holds it) blocks on the mutex (a hang in threads mode; a
//             deadlock report in deterministic mode)
//   'L'       writes the address of a local variable to the file probe-layout in the working
//             directory (the process's address layout, the same in two runs only without ASLR)
//   other     branches on the bytes "race", so what libFuzzer finds depends on its -seed
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>

#include <fuzzer/FuzzedDataProvider.h>

#include "core/sched/harness.h"
#include "core/sched/sync.h"

namespace {

void Hang(FuzzedDataProvider& input) {
  racefuzz::Mutex mu("probe");
  racefuzz::Atomic<int> locked(0, "probe_locked");
  racefuzz::Atomic<int> flag(0, "probe_flag");
  racefuzz::RunInput(input, [&] {
    racefuzz::spawn([&] {
      racefuzz::Guard lock(mu);
      locked.store(1);
      racefuzz::wait_until([&] { return flag.load() != 0; }, "wait", {"probe_flag", 0});
    });
    racefuzz::spawn([&] {
      racefuzz::wait_until([&] { return locked.load() != 0; });  // T1 blocks on the held lock
      racefuzz::Guard lock(mu);
    });
  });
}

constexpr uint32_t Fnv1a(const uint8_t* p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 16777619u;
  return h;
}
constexpr uint8_t kKey[] = {'R', 'F', 'Z', '!'};
constexpr uint32_t kKeyHash = Fnv1a(kKey, sizeof(kKey));

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const bool keyed = size > sizeof(kKey) && Fnv1a(data, sizeof(kKey)) == kKeyHash;
  if (keyed) {
    data += sizeof(kKey);
    size -= sizeof(kKey);
  }
  switch (keyed ? data[0] : 0) {
    case 'C':
      __builtin_trap();
    case 'N':
      return 0;
    case 'F': {
      int runs = 0;
      std::ifstream("probe-runs") >> runs;
      std::ofstream("probe-runs") << runs + 1;
      if (size > 1 && runs < data[1] - '0') __builtin_trap();
      return 0;
    }
    case 'L': {
      volatile int local = 0;
      std::ofstream("probe-layout") << reinterpret_cast<uintptr_t>(&local);
      return local;
    }
    case 'H': {
      FuzzedDataProvider input(data + 1, size - 1);
      Hang(input);
      return 0;
    }
    default:
      break;
  }
  // Nested, so each matched prefix is its own edge.
  static volatile int depth;
  if (size > 1 && data[0] == 'r') {
    depth = 1;
    if (size > 2 && data[1] == 'a') {
      depth = 2;
      if (size > 3 && data[2] == 'c') {
        depth = 3;
        if (size > 4 && data[3] == 'e') depth = 4;
      }
    }
  }
  return 0;
}
