// Fuzz target planted_srcu_chain: 2-4 simulated threads call, register on and unregister from two
// SRCU notifier chains (srcu_chain.h), each with its own srcu_struct domain; a handler sleeps (a
// mutex) inside its SRCU section; unregistered blocks are freed after synchronize_srcu or with
// call_srcu. Clean: a report here is a bug in the chain or in racefuzz's SRCU. Finds
// (bench/planted/bugs.tsv): srcu-chain-shared-index.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/planted/clients/srcu_chain.h"
#include "fuzzers/common/harness.h"

namespace racefuzz::fuzz {
namespace {

using planted::SrcuNotifierChain;

enum OpCode : uint8_t { kCall, kRegister, kUnregister, kBarrier };

constexpr uint32_t kChains = 2;
constexpr uint32_t kMaxId = 3;

class SrcuChainWorld {
 public:
  static constexpr ProgramShape kShape = {.min_threads = 2, .max_threads = 4, .max_ops = 8};
  static constexpr std::array<OpSpec, 4> kOps = {{
      {"call_chain", 1, {kChains - 1}},
      {"register", 2, {kChains - 1, kMaxId}},
      {"unregister", 3, {kChains - 1, kMaxId, 1}},  // chain, id, deferred (call_srcu)
      {"srcu_barrier", 1, {kChains - 1}},
  }};

  struct Config {
    uint8_t blocks = 2;  // blocks registered on each chain at the start: ids 0..
  };
  template <typename C>
  static void VisitConfig(C& c, Config& config) {
    c.Field(config.blocks, uint8_t{0}, uint8_t{kMaxId + 1});
  }

  explicit SrcuChainWorld(const Config& config) {
    for (SrcuNotifierChain& c : chains_) {
      for (uint32_t id = 0; id < config.blocks; ++id) c.register_block(id);
    }
  }

  void Execute(int, const Op& op) {
    SrcuNotifierChain& chain = chains_[op.arg[0] % kChains];
    switch (op.code) {
      case kCall:
        chain.call_chain();
        break;
      case kRegister:
        chain.register_block(op.arg[1]);
        break;
      case kUnregister:
        chain.unregister_block(op.arg[1], op.arg[2] != 0);
        break;
      case kBarrier:
        chain.barrier();
        break;
    }
  }

  // Outside the run: every deferred free has run before the chains go.
  void Finish() {
    for (SrcuNotifierChain& c : chains_) c.barrier();
  }

  static std::vector<Seed<SrcuChainWorld>> Seeds();

 private:
  std::array<SrcuNotifierChain, kChains> chains_{SrcuNotifierChain("chain_a"),
                                                 SrcuNotifierChain("chain_b")};
};

std::vector<Seed<SrcuChainWorld>> SrcuChainWorld::Seeds() {
  const Op call0{kCall, {0}}, call1{kCall, {1}}, reg0{kRegister, {0, 2}},
      unreg0{kUnregister, {0, 0, 0}}, unreg0_deferred{kUnregister, {0, 1, 1}},
      barrier0{kBarrier, {0}};
  const std::string rr(64, '\x01');  // alternate threads at every decision
  return {
      {"callers_vs_unregister", {}, {{{call0, call0}, {unreg0, reg0}, {call0, call1}}}, rr},
      {"deferred_unregister", {}, {{{call0, call1}, {unreg0_deferred, barrier0}}}, rr},
  };
}

}  // namespace
}  // namespace racefuzz::fuzz

// libFuzzer's entry points: seeds on request, then one input per call.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  racefuzz::fuzz::MaybeWriteSeeds<racefuzz::fuzz::SrcuChainWorld>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  return racefuzz::fuzz::RunOpFuzzer<racefuzz::fuzz::SrcuChainWorld>(data, size);
}
