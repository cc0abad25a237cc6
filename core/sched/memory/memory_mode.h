// Which memory model racefuzz::Atomic follows in deterministic runs: the one enum the harness
// (RACEFUZZ_MEMORY), the CLI (--memory) and the tests share, with its names.
#ifndef RACEFUZZ_CORE_SCHED_MEMORY_MEMORY_MODE_H_
#define RACEFUZZ_CORE_SCHED_MEMORY_MEMORY_MODE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace racefuzz {

enum class MemoryMode : uint8_t {
  kSc,    // sequentially consistent: every load reads the newest store (the interleaving is all)
  kWeak,  // RC11: the input also chooses which allowed store each atomic load reads
};

inline constexpr std::array<std::pair<MemoryMode, std::string_view>, 2> kMemoryModeNames = {{
    {MemoryMode::kSc, "sc"},
    {MemoryMode::kWeak, "weak"},
}};

inline constexpr std::string_view MemoryModeName(MemoryMode m) {
  for (const auto& [mode, name] : kMemoryModeNames) {
    if (mode == m) return name;
  }
  return "?";
}

inline constexpr std::optional<MemoryMode> ParseMemoryMode(std::string_view name) {
  for (const auto& [mode, n] : kMemoryModeNames) {
    if (n == name) return mode;
  }
  return std::nullopt;
}

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_MEMORY_MEMORY_MODE_H_
