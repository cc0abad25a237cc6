// Who picks the next thread in a deterministic run: the schedules a user may choose (the harness's
// RACEFUZZ_SCHEDULE, the CLI's --schedule), with their names. Each is one ScheduleSource
// (schedule_source.h), whose name() is the name listed here.
#ifndef RACEFUZZ_CORE_SCHED_SCHEDULE_KIND_H_
#define RACEFUZZ_CORE_SCHED_SCHEDULE_KIND_H_

#include <cstdint>
#include <string_view>

#include "core/sched/name_table.h"

namespace racefuzz {

enum class ScheduleKind : uint8_t {
  kInput,       // the fuzz input picks every decision (input_schedule.h)
  kPct,         // PCT priorities and change points decoded from the input (pct_schedule.h)
  kRoundRobin,  // each runnable thread in turn, the input unread (round_robin_schedule.h)
};

inline constexpr NameTable<ScheduleKind, 3> kScheduleNames = {{
    {ScheduleKind::kInput, "input"},
    {ScheduleKind::kPct, "pct"},
    {ScheduleKind::kRoundRobin, "round-robin"},
}};

inline constexpr std::string_view ScheduleName(ScheduleKind kind) {
  return NameOf(kScheduleNames, kind).value_or("?");
}

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_SCHEDULE_KIND_H_
