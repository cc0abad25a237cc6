// Compiled-in sanitizer defaults for every racefuzz binary, generated from sanitizers/*.options
// (the reasons for each option are there). A user's TSAN_OPTIONS / ASAN_OPTIONS / UBSAN_OPTIONS
// still override them.
#include "racefuzz/sanitizer_options.h"

extern "C" {

const char* __tsan_default_options() { return racefuzz::sanitizer_options::kTsan; }
const char* __asan_default_options() { return racefuzz::sanitizer_options::kAsan; }
const char* __ubsan_default_options() { return racefuzz::sanitizer_options::kUbsan; }

}  // extern "C"
