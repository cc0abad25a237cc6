#include "core/sched/model_state.h"

#include <cstdlib>

namespace racefuzz {
namespace internal {
namespace {

// The registered kinds, filled at static initialization and only read afterwards.
ModelStateFactory g_factories[kMaxHooks] = {};
int g_kinds = 0;

}  // namespace

void ModelStates::CreateMissing() {
  for (; created_ < g_kinds; ++created_) states_[created_] = g_factories[created_]();
}

ModelStates& NoRunModelStates() {
  static constinit ModelStates states;
  return states;
}

}  // namespace internal

int add_model_state(ModelStateFactory make) {
  if (internal::g_kinds == kMaxHooks) std::abort();
  const int key = internal::g_kinds++;
  internal::g_factories[key] = make;
  internal::NoRunModelStates().CreateMissing();
  return key;
}

}  // namespace racefuzz
