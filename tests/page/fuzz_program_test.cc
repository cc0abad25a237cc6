// fuzzers/common: the Writer encodes exactly what the Reader decodes (seed corpora depend on it),
// and any bytes decode to a program within the shape.
#include <string>

#include <fuzzer/FuzzedDataProvider.h>
#include <gtest/gtest.h>

#include "fuzzers/common/codec.h"
#include "fuzzers/common/program.h"

namespace racefuzz::fuzz {
namespace {

constexpr OpSpec kOps[] = {
    {"none", 0, {}},
    {"one", 1, {7}},
    {"wide", 3, {4096, 0xffffffffu, 1}},
};
constexpr ProgramShape kShape = {.min_threads = 2, .max_threads = 4, .max_ops = 5};

Program Decode(const std::string& input, int* extra = nullptr) {
  FuzzedDataProvider fdp(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  Reader r(fdp);
  int x = 0;
  r.Field(x, -3, 300);
  if (extra != nullptr) *extra = x;
  Program p;
  VisitProgram(r, kShape, kOps, p);
  return p;
}

TEST(FuzzProgramTest, WriterRoundTripsThroughReader) {
  Program p;
  p.threads = {{Op{2, {4096, 0xfffffffeu, 1, 0}}, Op{0, {}}, Op{1, {7, 0, 0, 0}}},
               {},
               {Op{1, {3, 0, 0, 0}}}};
  Writer w;
  int x = 299;
  w.Field(x, -3, 300);
  VisitProgram(w, kShape, kOps, p);
  const std::string input = w.Input(std::string("\x01\x00\x02", 3));
  int got_x = 0;
  EXPECT_EQ(Decode(input, &got_x), p);
  EXPECT_EQ(got_x, 299);
  EXPECT_EQ(input.substr(0, 3), std::string("\x01\x00\x02", 3));  // the schedule stays in front
  EXPECT_EQ(FormatProgram(p, kOps),
            "T0: wide(4096, 4294967294, 1) none() one(7)\nT1:\nT2: one(3)\n");
}

TEST(FuzzProgramTest, AnyBytesDecodeWithinTheShape) {
  for (int seed = 0; seed < 500; ++seed) {
    std::string input;
    for (int i = 0; i < seed % 97; ++i)
      input.push_back(static_cast<char>((seed * 31 + i * 7) & 0xff));
    const Program p = Decode(input);
    ASSERT_GE(p.threads.size(), 2u);
    ASSERT_LE(p.threads.size(), 4u);
    for (const auto& t : p.threads) {
      ASSERT_LE(t.size(), 5u);
      for (const Op& op : t) {
        ASSERT_LT(op.code, 3);
        for (int a = 0; a < kOps[op.code].args; ++a) ASSERT_LE(op.arg[a], kOps[op.code].max[a]);
      }
    }
  }
}

}  // namespace
}  // namespace racefuzz::fuzz
