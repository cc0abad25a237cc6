// A compile-time name for a yield point, an operation or an object kind ("write_raw", "page").
//
// A Label is built from a string literal only, so its hash is computed at compile time and is the
// same in every process: trace hashes compare across runs, not just within one.
#ifndef RACEFUZZ_CORE_SCHED_LABEL_H_
#define RACEFUZZ_CORE_SCHED_LABEL_H_

#include <cstdint>

namespace racefuzz {

struct Label {
  // Builds a label from a string literal (consteval: no runtime strings, no runtime hashing).
  consteval Label(const char* s) : name(s), hash(Fnv1a(s)) {}  // NOLINT: implicit by design

  const char* name;
  uint64_t hash;

 private:
  static consteval uint64_t Fnv1a(const char* s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s != '\0'; ++s) h = (h ^ static_cast<unsigned char>(*s)) * 0x100000001b3ull;
    return h;
  }
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_LABEL_H_
