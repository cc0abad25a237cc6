// A driver-like configuration published to lock-free readers: updaters copy the current config,
// change it and publish the copy with a seq_cst store; readers load it (seq_cst) inside a
// read-side section (a reader count); the updater frees the old copy after the reader count has
// drained (a hand-rolled grace period). The planted bugs config-publish-relaxed,
// config-no-grace-period and config-two-updaters patch this file; sched-atomic-load-relaxed
// breaks its readers through core/sched/sync.h.
#ifndef RACEFUZZ_BENCH_PLANTED_CLIENTS_CONFIG_STORE_H_
#define RACEFUZZ_BENCH_PLANTED_CLIENTS_CONFIG_STORE_H_

#include <atomic>
#include <cstdint>

#include "core/check/report.h"
#include "core/sched/runtime.h"
#include "core/sched/sync.h"

namespace racefuzz::planted {

struct Config {
  uint32_t version = 0;
  uint8_t table[16] = {};
  uint32_t checksum = 0;  // sum of table
};

class ConfigStore {
 public:
  ConfigStore() : current_(new Config(), "config") {}
  ~ConfigStore() { delete current_.load(std::memory_order_acquire); }

  // Reads the current config inside a read-side section and checks its checksum (contract check
  // "config-checksum"). Safety: none.
  uint32_t read() {
    readers_.fetch_add(1);
    // seq_cst, as the reader count's increment and the updater's publish and drain check: this is
    // a store-buffering (Dekker) pattern, and with Acquire/Release only, the updater can read a
    // zero count while a reader still reads the old pointer (found by RACEFUZZ_MODE=naive on x86).
    const Config* c = current_.load(std::memory_order_seq_cst);
    yield_point("config_read", {"config", c->version});
    // SAFETY: `c` stays allocated until readers_ drains (update waits for it before freeing).
    uint32_t sum = 0;
    for (uint8_t b : c->table) sum += b;
    RACEFUZZ_CONTRACT(sum == c->checksum, "config-checksum", "config v%u: sum %u, checksum %u",
                      c->version, sum, c->checksum);
    const uint32_t version = c->version;
    readers_.fetch_sub(1);  // `c` must not be used past this point
    return version;
  }

  // Publishes a copy of the current config with table[i % 16] = v. Safety: none (updaters are
  // serialized by update_mu_).
  void update(uint8_t i, uint8_t v) {
    Guard lock(update_mu_);
    // SAFETY: update_mu_ is held: the only updater, so `old` cannot be freed under us.
    Config* old = current_.load(std::memory_order_acquire);
    Config* next = new Config(*old);
    yield_point("config_init", {"config", old->version + 1});
    next->version = old->version + 1;
    next->checksum -= next->table[i % 16];
    next->table[i % 16] = v;
    next->checksum += v;
    current_.store(next, std::memory_order_seq_cst);
    // The grace period: every reader that may still hold `old` has left.
    wait_until([&] { return readers_.load() == 0; }, "config_grace", {"config", old->version});
    delete old;
  }

 private:
  Atomic<Config*> current_;
  Atomic<int> readers_{0, "config_readers"};
  Mutex update_mu_{"config_update"};
};

}  // namespace racefuzz::planted

#endif  // RACEFUZZ_BENCH_PLANTED_CLIENTS_CONFIG_STORE_H_
