// Compiled-in sanitizer defaults for every racefuzz binary. A user's TSAN_OPTIONS / ASAN_OPTIONS /
// UBSAN_OPTIONS still override them. Keep in sync with sanitizers/*.options (ClusterFuzzLite reads
// those).

extern "C" {

// halt_on_error=1: the first race kills the input, so libFuzzer saves the input that raced.
// atexit_sleep_ms=0: TSan's default 1 s sleep at exit would dominate every replay and test.
// report_signal_unsafe=0: libFuzzer's own -timeout/-rss_limit handlers are not our bugs.
const char* __tsan_default_options() {
  return "halt_on_error=1:atexit_sleep_ms=0:report_signal_unsafe=0:"
         "second_deadlock_stack=1";
}

// detect_leaks=1: a lost Page is a LeakSanitizer report.
// allow_user_poisoning=1: the page model poisons unmapped page bytes.
const char* __asan_default_options() {
  return "detect_leaks=1:allow_user_poisoning=1:detect_stack_use_after_return=0:"
         "quarantine_size_mb=64";
}

const char* __ubsan_default_options() { return "print_stacktrace=1:halt_on_error=1"; }

}  // extern "C"
