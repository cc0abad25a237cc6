// Which memory model racefuzz::Atomic follows in deterministic runs: the one enum the harness
// (RACEFUZZ_MEMORY), the CLI (--memory) and the tests share, with its names.
#ifndef RACEFUZZ_CORE_SCHED_MEMORY_MEMORY_MODE_H_
#define RACEFUZZ_CORE_SCHED_MEMORY_MEMORY_MODE_H_

#include <cstdint>
#include <string_view>

#include "core/sched/name_table.h"

namespace racefuzz {

enum class MemoryMode : uint8_t {
  kSc,    // sequentially consistent: every load reads the newest store (the interleaving is all)
  kWeak,  // RC11: the input also chooses which allowed store each atomic load reads
};

inline constexpr NameTable<MemoryMode, 2> kMemoryModeNames = {{
    {MemoryMode::kSc, "sc"},
    {MemoryMode::kWeak, "weak"},
}};

inline constexpr std::string_view MemoryModeName(MemoryMode m) {
  return NameOf(kMemoryModeNames, m).value_or("?");
}

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_MEMORY_MEMORY_MODE_H_
