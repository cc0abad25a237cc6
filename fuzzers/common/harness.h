// The harness of every op-sequence fuzz target. A target supplies a World:
//
//   struct MyWorld {
//     static constexpr ProgramShape kShape = {...};
//     static constexpr std::array<OpSpec, N> kOps = {...};
//     struct Config { ... };                        // input-chosen setup (locking discipline, ...)
//     template <typename C> static void VisitConfig(C& c, Config& config);
//     explicit MyWorld(const Config& config);       // shared state, built before the threads
//     void Execute(int thread, const Op& op);       // runs on simulated thread `thread`
//     void ThreadDone(int thread);                  // optional: on `thread`, after its last op
//     void Finish();                                // after every thread is joined: final checks
//   };
//
// and the target's file ends with libFuzzer's entry points, written out:
//
//   extern "C" int LLVMFuzzerInitialize(int*, char***) {
//     racefuzz::fuzz::MaybeWriteSeeds<racefuzz::fuzz::MyWorld>();
//     return 0;
//   }
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     racefuzz::FuzzInputScope scope;
//     return racefuzz::fuzz::RunOpFuzzer<racefuzz::fuzz::MyWorld>(data, size);
//   }
//
// The input's back decodes to the Config then the Program; its front is the schedule. Seed
// generators write inputs with EncodeInput<MyWorld>.
//
// Seeds: a World may define `static std::vector<Seed<MyWorld>> Seeds()`; a target whose
// LLVMFuzzerInitialize calls MaybeWriteSeeds<MyWorld>() writes them as
// files into the directory named by RACEFUZZ_WRITE_SEEDS and exits (how corpora/<target>/seeds are
// made).
//
// RACEFUZZ_PRINT_PROGRAM=1 prints each decoded program to stderr (for reading a crash).
#ifndef RACEFUZZ_FUZZERS_COMMON_HARNESS_H_
#define RACEFUZZ_FUZZERS_COMMON_HARNESS_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "core/sched/harness.h"
#include "core/sched/runtime.h"
#include "fuzzers/common/codec.h"
#include "fuzzers/common/program.h"

namespace racefuzz::fuzz {

// True if RACEFUZZ_PRINT_PROGRAM=1.
bool PrintPrograms();

// One input: decodes the config and program from the back of `data`, builds the World, runs its
// threads scheduled by the bytes left, then World::Finish as the run's final oracle (a report from
// it shows the run's timeline).
template <typename World>
int RunOpFuzzer(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  Reader reader(fdp);
  typename World::Config config;
  World::VisitConfig(reader, config);
  Program program;
  VisitProgram(reader, World::kShape, World::kOps, program);
  if (PrintPrograms()) std::fprintf(stderr, "%s", FormatProgram(program, World::kOps).c_str());
  World world(config);
  RunInput(
      fdp,
      [&] {
        for (size_t t = 0; t < program.threads.size(); ++t) {
          spawn([&world, &program, t] {
            for (const Op& op : program.threads[t]) world.Execute(static_cast<int>(t), op);
            if constexpr (requires { world.ThreadDone(0); }) world.ThreadDone(static_cast<int>(t));
          });
        }
      },
      [&] { world.Finish(); });
  return 0;
}

// An input that RunOpFuzzer<World> decodes to `config` and `program`, with `schedule` as its
// scheduling bytes.
template <typename World>
std::string EncodeInput(typename World::Config config, Program program,
                        const std::string& schedule) {
  Writer writer;
  World::VisitConfig(writer, config);
  VisitProgram(writer, World::kShape, World::kOps, program);
  return writer.Input(schedule);
}

// A hand-made input: a file name, the config and program it decodes to, its schedule bytes.
template <typename World>
struct Seed {
  std::string name;
  typename World::Config config;
  Program program;
  std::string schedule;
};

// Writes `files` (name, contents) into `dir`; exits 1 on an I/O error.
void WriteFiles(const std::string& dir,
                const std::vector<std::pair<std::string, std::string>>& files);

// If RACEFUZZ_WRITE_SEEDS is set: writes World::Seeds() there and exits 0.
template <typename World>
void MaybeWriteSeeds() {
  const char* dir = std::getenv("RACEFUZZ_WRITE_SEEDS");
  if (dir == nullptr) return;
  std::vector<std::pair<std::string, std::string>> files;
  for (const Seed<World>& s : World::Seeds()) {
    files.emplace_back(s.name, EncodeInput<World>(s.config, s.program, s.schedule));
  }
  WriteFiles(dir, files);
  std::exit(0);
}

}  // namespace racefuzz::fuzz

#endif  // RACEFUZZ_FUZZERS_COMMON_HARNESS_H_
