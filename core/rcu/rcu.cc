#include "core/rcu/rcu.h"

namespace racefuzz::rcu {
namespace {
std::atomic<bool> g_relaxed_publish{false};
}  // namespace

namespace internal {
std::memory_order PublishOrder() {
  return g_relaxed_publish.load(std::memory_order_relaxed) ? std::memory_order_relaxed
                                                           : std::memory_order_release;
}
}  // namespace internal

namespace testing {
ScopedRelaxedPublish::ScopedRelaxedPublish() { g_relaxed_publish.store(true); }
ScopedRelaxedPublish::~ScopedRelaxedPublish() { g_relaxed_publish.store(false); }
}  // namespace testing
}  // namespace racefuzz::rcu
