// A model's per-run state (core/rcu: its grace periods and callback queues), owned by the engine
// that executes runs and installed in each run for the run's duration, as the weak memory model is
// (run.h: Run.memory). Models are libraries above the engine, so the engine holds them by kind:
// a model registers its kind once, at static initialization, and every engine (each deterministic
// Scheduler, the ThreadPool, and the "no run" of code outside runs, sequential runs and a run's
// final oracle) owns one object of each kind. The engine creates it before its first run starts,
// on the thread that runs it, before any simulated thread exists (a spawn's happens-before carries
// it to them); the model resets it in a run end hook, so every run starts from the same state.
// The no run's state lives for the process (code outside runs is one long sequential run).
#ifndef RACEFUZZ_CORE_SCHED_MODEL_STATE_H_
#define RACEFUZZ_CORE_SCHED_MODEL_STATE_H_

#include "core/sched/run.h"
#include "core/sched/runtime.h"

namespace racefuzz {

// The base of a model's per-run state.
class ModelState {
 public:
  virtual ~ModelState() = default;
};

// Makes a fresh state of one kind.
using ModelStateFactory = ModelState* (*)();

// Registers a kind of model state and returns its key for run_model_state. The no run's object is
// made here. At most kMaxHooks kinds.
//
// Safety: only at static initialization (not thread-safe), before any engine runs.
int add_model_state(ModelStateFactory make);

namespace internal {

// The model states an engine owns, one per registered kind.
//
// Invariants: states_[k] is non-null for every k < created_, and owned (never destroyed: engines
// live for the process); created_ only grows.
class ModelStates {
 public:
  // Makes the states of the kinds registered since the last call. Called before a run starts, on
  // the thread that runs it.
  void CreateMissing();
  ModelState& Get(int key) { return *states_[key]; }

 private:
  ModelState* states_[kMaxHooks] = {};
  int created_ = 0;
};

// The states of code outside runs (and of runs that own none: sequential, a final oracle's).
ModelStates& NoRunModelStates();

}  // namespace internal

// The active run's state of kind `key` (add_model_state).
inline ModelState& run_model_state(int key) {
  internal::ModelStates* states = internal::g_active.run->models;
  return (states != nullptr ? *states : internal::NoRunModelStates()).Get(key);
}

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_MODEL_STATE_H_
