// An enum's names, written once: a constexpr table of (value, name) pairs, and the look-ups every
// user of such a table needs (value -> name, name -> value, the names for a usage text or a flag's
// accepted values). Mode (mode.h), MemoryMode (memory/memory_mode.h) and ScheduleKind
// (schedule_kind.h) each declare one table; the harness, the CLI and the benchmarks read them.
#ifndef RACEFUZZ_CORE_SCHED_NAME_TABLE_H_
#define RACEFUZZ_CORE_SCHED_NAME_TABLE_H_

#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace racefuzz {

// Invariants: each value and each name appears once; the order is the order usage texts list them.
template <typename Enum, size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

// The name of `value`, or nullopt when the table does not list it.
template <typename Enum, size_t N>
constexpr std::optional<std::string_view> NameOf(const NameTable<Enum, N>& table, Enum value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return std::nullopt;
}

// The value named `name`, or nullopt when no entry has that name.
template <typename Enum, size_t N>
constexpr std::optional<Enum> ValueOf(const NameTable<Enum, N>& table, std::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

// Every name, in the table's order.
template <typename Enum, size_t N>
std::vector<std::string> NamesOf(const NameTable<Enum, N>& table) {
  std::vector<std::string> names;
  for (const auto& [v, name] : table) names.emplace_back(name);
  return names;
}

// The names of `values` (each listed in `table`), in the order given.
template <typename Enum, size_t N>
std::vector<std::string> NamesOf(const NameTable<Enum, N>& table,
                                 std::initializer_list<Enum> values) {
  std::vector<std::string> names;
  for (Enum v : values) names.emplace_back(NameOf(table, v).value_or("?"));
  return names;
}

// "'a', 'b' or 'c'" (quote "'"), "a, b or c" (quote ""): the choices for an error or a help text.
inline std::string ChoiceList(const std::vector<std::string>& names, std::string_view quote) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) s += i + 1 == names.size() ? " or " : ", ";
    s.append(quote).append(names[i]).append(quote);
  }
  return s;
}

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_NAME_TABLE_H_
