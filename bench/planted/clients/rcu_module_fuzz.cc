// Fuzz target planted_rcu_module: 2-4 simulated threads run input-chosen operations of one driver
// module (rcu_module.h): lookups (RCU readers), inserts (reusing pooled entries whose polled grace
// period passed), removals freed by call_rcu, synchronize_rcu or the polled pool, group removals
// (freed by an RCU callback), and rmmod. The module is correct: a report here is a bug in it or in
// racefuzz. Finds (bench/planted/bugs.tsv): rcu-module-unload-synchronize-rcu,
// rcu-module-barrier-as-grace-period, rcu-module-callback-order,
// rcu-module-poll-cookie-before-unpublish.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/planted/clients/rcu_module.h"
#include "fuzzers/common/harness.h"

namespace racefuzz::fuzz {
namespace {

using planted::RcuFree;
using planted::RcuModule;

enum OpCode : uint8_t { kLookup, kInsert, kRemove, kRemoveGroup, kUnload };

constexpr uint32_t kMaxKey = 3;

class RcuModuleWorld {
 public:
  static constexpr ProgramShape kShape = {.min_threads = 2, .max_threads = 4, .max_ops = 8};
  static constexpr std::array<OpSpec, 5> kOps = {{
      {"lookup", 1, {kMaxKey}},
      {"insert", 2, {kMaxKey, RcuModule::kGroups - 1}},
      {"remove", 2, {kMaxKey, static_cast<uint32_t>(RcuFree::kPolled)}},
      {"remove_group", 1, {RcuModule::kGroups - 1}},
      {"unload", 0, {}},
  }};

  struct Config {
    uint8_t entries = 2;  // entries at module_init: keys 0.., group key % 2
  };
  template <typename C>
  static void VisitConfig(C& c, Config& config) {
    c.Field(config.entries, uint8_t{0}, uint8_t{kMaxKey + 1});
  }

  explicit RcuModuleWorld(const Config& config) : module_(config.entries) {}

  void Execute(int, const Op& op) {
    switch (op.code) {
      case kLookup:
        module_.lookup(op.arg[0]);
        break;
      case kInsert:
        module_.insert(op.arg[0], op.arg[1]);
        break;
      case kRemove:
        module_.remove(op.arg[0], static_cast<RcuFree>(op.arg[1]));
        break;
      case kRemoveGroup:
        module_.remove_group(op.arg[0]);
        break;
      case kUnload:
        module_.unload();
        break;
    }
  }

  // Outside the run: rmmod, if no thread did.
  void Finish() { module_.unload(); }

  static std::vector<Seed<RcuModuleWorld>> Seeds();

 private:
  RcuModule module_;
};

std::vector<Seed<RcuModuleWorld>> RcuModuleWorld::Seeds() {
  const auto lookup = [](uint32_t k) { return Op{kLookup, {k}}; };
  const auto insert = [](uint32_t k, uint32_t g) { return Op{kInsert, {k, g}}; };
  const auto remove = [](uint32_t k, RcuFree how) {
    return Op{kRemove, {k, static_cast<uint32_t>(how)}};
  };
  const Op remove_group0{kRemoveGroup, {0}}, unload{kUnload};
  const std::string rr(64, '\x01');  // alternate threads at every decision
  return {
      // A reader on the entry a removal frees after its grace period.
      {"lookup_vs_synchronous_remove",
       {},
       {{{lookup(0), lookup(1)}, {remove(0, RcuFree::kSynchronize), insert(0, 0)}}},
       rr},
      // A removal's callback pending when rmmod runs.
      {"callback_pending_at_unload",
       {},
       {{{remove(0, RcuFree::kCallRcu), lookup(1)}, {lookup(1), unload}}},
       rr},
      // Group 0 loses its last entry on one thread (its free queued by call_rcu) and is removed
      // on another (its release queued too).
      {"entry_and_group_freed_from_two_threads",
       {.entries = 1},
       {{{remove(0, RcuFree::kCallRcu), lookup(0)}, {lookup(0), remove_group0, lookup(0)}}},
       rr},
      // A pooled entry reused by an insert while a reader looks it up.
      {"polled_reuse_vs_lookup",
       {},
       {{{lookup(0), lookup(0), lookup(2)},
         {remove(0, RcuFree::kPolled), insert(2, 0), insert(3, 1)},
         {lookup(0), lookup(2)}}},
       rr},
  };
}

}  // namespace
}  // namespace racefuzz::fuzz

// libFuzzer's entry points: seeds on request, then one input per call.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  racefuzz::fuzz::MaybeWriteSeeds<racefuzz::fuzz::RcuModuleWorld>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  return racefuzz::fuzz::RunOpFuzzer<racefuzz::fuzz::RcuModuleWorld>(data, size);
}
