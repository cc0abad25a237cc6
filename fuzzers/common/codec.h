// One description of an input's layout serves both directions: a fuzz target reads its program
// from the back of the input with Reader; seed generators and tests write the same program as bytes
// with Writer. Any function templated on the codec (`template <typename C> void Visit(C& c, ...)`)
// that calls c.Field(value, lo, hi) is both a decoder and an encoder.
#ifndef RACEFUZZ_FUZZERS_COMMON_CODEC_H_
#define RACEFUZZ_FUZZERS_COMMON_CODEC_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

namespace racefuzz::fuzz {

// Decodes fields from the back of a FuzzedDataProvider (ConsumeIntegralInRange). An input that
// runs out yields `lo` for every further field: any bytes decode to a valid program.
class Reader {
 public:
  static constexpr bool kReading = true;
  explicit Reader(FuzzedDataProvider& fdp) : fdp_(fdp) {}

  template <typename T>
    requires std::is_integral_v<T>
  void Field(T& value, T lo, T hi) {
    value = fdp_.ConsumeIntegralInRange<T>(lo, hi);
  }
  void Field(bool& value) { value = fdp_.ConsumeBool(); }

 private:
  FuzzedDataProvider& fdp_;
};

// Encodes fields the way Reader decodes them: Input(schedule) is an input whose front is
// `schedule` (the scheduling decisions) and whose back decodes to the fields written.
class Writer {
 public:
  static constexpr bool kReading = false;

  template <typename T>
    requires std::is_integral_v<T>
  void Field(T& value, T lo, T hi) {
    // ConsumeIntegralInRange reads one byte per 8 bits of (hi - lo), most significant first,
    // walking backwards from the end of the input.
    const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
    const uint64_t v = static_cast<uint64_t>(value) - static_cast<uint64_t>(lo);
    int bytes = 0;
    while (bytes < static_cast<int>(sizeof(T)) && (range >> (8 * bytes)) > 0) ++bytes;
    for (int i = bytes - 1; i >= 0; --i) back_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void Field(bool& value) { back_.push_back(value ? 1 : 0); }

  // The whole input: the schedule bytes, then the fields (the first field is the last byte).
  std::string Input(const std::string& schedule) const {
    std::string out = schedule;
    out.append(back_.rbegin(), back_.rend());
    return out;
  }

 private:
  std::vector<uint8_t> back_;  // back_[0] is the input's last byte
};

}  // namespace racefuzz::fuzz

#endif  // RACEFUZZ_FUZZERS_COMMON_CODEC_H_
