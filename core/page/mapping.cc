#include "core/page/mapping.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/check/report.h"
#include "core/sched/happens_before.h"
#include "core/sched/trace.h"

#ifdef RACEFUZZ_PAGE_POISON
#include <sanitizer/asan_interface.h>
#endif

namespace racefuzz::page::internal {

namespace {
constexpr size_t kFrameSize = 4096;
}  // namespace

#ifdef RACEFUZZ_PAGE_POISON

void PoisonFrame(const uint8_t* bytes) { ASAN_POISON_MEMORY_REGION(bytes, kFrameSize); }
bool AlreadyFreed(const void* object) { return __asan_address_is_poisoned(object) != 0; }
void UnpoisonFrame(const uint8_t* bytes) { ASAN_UNPOISON_MEMORY_REGION(bytes, kFrameSize); }

namespace {

struct Mapped {
  const uint8_t* bytes;
  const MapState* state;
};

// Pages mapped by at least one thread now (few: mappings are closure-scoped).
std::vector<Mapped>& MappedPages() {
  static auto* pages = new std::vector<Mapped>();
  return *pages;
}

int Slot(ThreadId t) { return t == kNoThread ? kMaxThreads : t; }

// On every switch: the pages the thread now running has mapped are usable, the ones only other
// threads have mapped are poisoned (their mappings are local to those threads).
void OnSwitch(ThreadId now_running) {
  const int slot = Slot(now_running);
  for (const Mapped& m : MappedPages()) {
    if (m.state->count[slot] > 0) {
      UnpoisonFrame(m.bytes);
    } else {
      PoisonFrame(m.bytes);
    }
  }
}

[[maybe_unused]] const bool g_hook_added = [] {
  add_switch_hook(&OnSwitch);
  return true;
}();

}  // namespace

uint8_t* kmap_local_page(const Frame& frame, MapState& state) {
  // Real OS threads cannot be told apart at a switch: threads mode only unpoisons.
  if (current_mode() == Mode::kThreads) {
    UnpoisonFrame(frame.bytes);
    return frame.bytes;
  }
  if (state.total++ == 0) MappedPages().push_back({frame.bytes, &state});
  state.count[Slot(current_thread())]++;
  UnpoisonFrame(frame.bytes);
  return frame.bytes;
}

void kunmap_local(const Frame& frame, MapState& state) {
  if (current_mode() == Mode::kThreads) return;
  const int slot = Slot(current_thread());
  state.count[slot]--;
  if (--state.total == 0) {
    auto& pages = MappedPages();
    pages.erase(std::find_if(pages.begin(), pages.end(),
                             [&](const Mapped& m) { return m.state == &state; }));
  }
  // Other threads' mappings stay, but are not usable on this thread, which keeps running.
  if (state.count[slot] == 0) PoisonFrame(frame.bytes);
}

void CheckUnmapped(const Frame& frame, const MapState& state) {
  if (state.total == 0) [[likely]]
    return;
  std::string holders;
  for (int slot = 0; slot <= kMaxThreads; ++slot) {
    if (state.count[slot] == 0) continue;
    absl::StrAppend(&holders, holders.empty() ? "" : ", ",
                    slot == kMaxThreads ? std::string("setup") : absl::StrCat("T", slot));
  }
  check::ContractViolation(
      "page-free-mapped",
      absl::StrCat(ObjectName({"page", frame.id}), " freed while still mapped by ", holders,
                   ": a with_page_mapped closure is still running, and its pointer would dangle. "
                   "Free a page only when no mapping of it remains (after the closure returns; "
                   "for a shared page, after a grace period or under the lock its users hold)."));
}

#else

void CheckUnmapped(const Frame&, const MapState&) {}
bool AlreadyFreed(const void*) { return false; }
void PoisonFrame(const uint8_t*) {}
void UnpoisonFrame(const uint8_t*) {}

#endif

}  // namespace racefuzz::page::internal
