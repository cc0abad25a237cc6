// The parsers of libFuzzer's output: status lines and report signatures.
#include "cli/libfuzzer_output.h"

#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace racefuzz::cli {
namespace {

TEST(ParseStatusLine, PlainMode) {
  auto s = ParseStatusLine(
      "#30274\tREDUCE cov: 130 ft: 245 corp: 24/145b lim: 285 exec/s: 3000 rss: 83Mb L: 15/15");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->execs, 30274);
  EXPECT_EQ(s->cov, 130);
  EXPECT_EQ(s->ft, 245);
  EXPECT_EQ(s->corpus, 24);
  EXPECT_EQ(s->exec_per_sec, 3000);
}

TEST(ParseStatusLine, ForkMode) {
  auto s = ParseStatusLine(
      "#123456: cov: 140 ft: 260 corp: 31 exec/s: 9000 oom/timeout/crash: 0/1/7 time: 12s job: 4 "
      "dft_time: 0");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->execs, 123456);
  EXPECT_EQ(s->cov, 140);
  EXPECT_EQ(s->corpus, 31);
  EXPECT_EQ(s->crashes, 7);
}

TEST(ParseStatusLine, OtherLines) {
  EXPECT_FALSE(ParseStatusLine("INFO: Seed: 1234").has_value());
  EXPECT_FALSE(ParseStatusLine("###### Recommended dictionary. ######").has_value());
  EXPECT_FALSE(ParseStatusLine("").has_value());
}

constexpr char kTsanReport[] = R"(WARNING: ThreadSanitizer: data race (pid=1)
  Write of size 4 at 0x7b0400000010 by main thread:
    #0 Ring::Push(int) /work/main/bench/ring.h:40:11 (planted_ring+0x1234)
    #1 operator() /work/main/bench/ring_fuzz.cc:20:5 (planted_ring+0x2234)
    #2 racefuzz::Fiber::Trampoline(void*) /work/main/core/sched/fiber.cc:30 (planted_ring+0x3)

  Previous read of size 4 at 0x7b0400000010 by main thread:
    #0 Ring::Pop() /work/main/bench/ring.h:50:11 (planted_ring+0x1334)

SUMMARY: ThreadSanitizer: data race /work/main/bench/ring.h:40:11 in Ring::Push(int)
)";

TEST(SignatureOf, TsanReport) {
  ReportSignature sig = SignatureOf(kTsanReport);
  EXPECT_EQ(sig.summary, "ThreadSanitizer: data race ring.h in Ring::Push(int)");
  ASSERT_EQ(sig.frames.size(), 3u);
  EXPECT_EQ(sig.frames[0], "Ring::Push(int)");
  EXPECT_EQ(sig.frames[1], "operator()");
  EXPECT_EQ(sig.id.size(), 16u);
}

TEST(SignatureOf, SameBugAtAnotherLineAndAddressIsTheSameSignature) {
  std::string moved = kTsanReport;
  for (auto [from, to] : {std::pair{"ring.h:40:11", "ring.h:42:3"}, {"0x1234", "0x9999"}}) {
    for (size_t at; (at = moved.find(from)) != std::string::npos;)
      moved.replace(at, std::string_view(from).size(), to);
  }
  EXPECT_EQ(SignatureOf(moved).id, SignatureOf(kTsanReport).id);
}

TEST(SignatureOf, AnotherFunctionIsAnotherSignature) {
  std::string other = kTsanReport;
  other.replace(other.find("Ring::Push(int) /work"), 15, "Ring::Peek(int)");
  EXPECT_NE(SignatureOf(other).id, SignatureOf(kTsanReport).id);
}

TEST(SignatureOf, AsanReportSkipsSanitizerFrames) {
  ReportSignature sig = SignatureOf(
      "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020\n"
      "    #0 0x55d0 in __asan_memcpy (/x/bin+0x1)\n"
      "    #1 0x55d1 in Config::Read() const /src/config.h:12:3\n"
      "    #2 0x55d2 in LLVMFuzzerTestOneInput /src/config_fuzz.cc:40:1\n\n"
      "SUMMARY: AddressSanitizer: heap-use-after-free /src/config.h:12:3 in Config::Read() "
      "const\n");
  EXPECT_EQ(sig.summary, "AddressSanitizer: heap-use-after-free config.h in Config::Read() const");
  ASSERT_GE(sig.frames.size(), 2u);
  EXPECT_EQ(sig.frames[0], "Config::Read() const");
  EXPECT_EQ(sig.frames[1], "LLVMFuzzerTestOneInput");
}

// Captured from the tsan build (canary page_read_races_overlapping_write; frames #2-#4 and #7 on,
// and the previous access's frames, left out): the race's top frame is TSan's memcpy interceptor,
// and the SUMMARY line names it with the binary's offset and BuildId.
constexpr char kTsanMemcpyReport[] = R"(WARNING: ThreadSanitizer: data race (pid=18337)
  Read of size 8 at 0x55e869e14020 by thread T2:
    #0 __tsan_memcpy <null> (canary_test+0x10017e) (BuildId: 892493a89b893978e8dff0c466823c180278e6fb)
    #1 racefuzz::page::Page::read_raw(unsigned char*, unsigned long, unsigned long) const::'lambda'(unsigned char*)::operator()(unsigned char*) const /work/wt/trust/build/tsan/../../core/page/page.h:262:19 (canary_test+0x1dd0b9) (BuildId: 892493a89b893978e8dff0c466823c180278e6fb)
    #5 racefuzz::page::Page::read_raw(unsigned char*, unsigned long, unsigned long) const /work/wt/trust/build/tsan/../../core/page/page.h:257:10 (canary_test+0x1dd0b9)
    #6 racefuzz::canary::(anonymous namespace)::Read32To96() /work/wt/trust/build/tsan/../../tests/canaries/page_canaries.cc:119:17 (canary_test+0x1dd0b9)

  Previous write of size 8 at 0x55e869e14020 by thread T1:
    #0 __tsan_memset <null> (canary_test+0x10029d) (BuildId: 892493a89b893978e8dff0c466823c180278e6fb)

SUMMARY: ThreadSanitizer: data race (/work/wt/trust/build/tsan/tests/canary_test+0x10017e) (BuildId: 892493a89b893978e8dff0c466823c180278e6fb) in __tsan_memcpy
)";

constexpr char kReadRawLambda[] =
    "racefuzz::page::Page::read_raw(unsigned char*, unsigned long, unsigned long) "
    "const::'lambda'(unsigned char*)::operator()(unsigned char*) const";

TEST(SignatureOf, InterceptorTopFrameIsSkippedToTheFirstRacefuzzFrame) {
  ReportSignature sig = SignatureOf(kTsanMemcpyReport);
  EXPECT_EQ(sig.summary, absl::StrCat("ThreadSanitizer: data race page.h in ", kReadRawLambda));
  ASSERT_EQ(sig.frames.size(), 3u);
  EXPECT_EQ(sig.frames[0], kReadRawLambda);
}

// Other builds of the same code: another binary offset and BuildId; the copy inlined (no
// interceptor frame, the SUMMARY naming the lambda as TSan names user code); the interceptor
// symbolized with its own source: the same signature.
TEST(SignatureOf, InterceptorReportIsTheSameSignatureInAnotherBuild) {
  std::string rebuilt = kTsanMemcpyReport;
  for (auto [from, to] : {std::pair{"892493a89b893978e8dff0c466823c180278e6fb", "0123abcd"},
                          {"0x10017e", "0x200a00"},
                          {"0x1dd0b9", "0x1e0000"}}) {
    for (size_t at; (at = rebuilt.find(from)) != std::string::npos;)
      rebuilt.replace(at, std::string_view(from).size(), to);
  }
  EXPECT_EQ(SignatureOf(rebuilt).id, SignatureOf(kTsanMemcpyReport).id);

  std::string inlined = kTsanMemcpyReport;
  inlined.erase(inlined.find("    #0 __tsan_memcpy"),
                inlined.find("    #1 ") - inlined.find("    #0 "));
  const size_t summary = inlined.find("SUMMARY: ");
  inlined.replace(summary, std::string::npos,
                  absl::StrCat("SUMMARY: ThreadSanitizer: data race "
                               "/work/main/build/tsan/../../core/page/page.h:262:19 in ",
                               kReadRawLambda, "\n"));
  EXPECT_EQ(SignatureOf(inlined).id, SignatureOf(kTsanMemcpyReport).id);

  std::string symbolized = kTsanMemcpyReport;
  const std::string module = "(/work/wt/trust/build/tsan/tests/canary_test+0x10017e)";
  symbolized.replace(symbolized.find(module), module.size(),
                     "/llvm/compiler-rt/lib/tsan/rtl/tsan_interceptors_memintrinsics.cpp:27:3");
  EXPECT_EQ(SignatureOf(symbolized).id, SignatureOf(kTsanMemcpyReport).id);
}

TEST(SignatureOf, RacefuzzReportKeepsItsKind) {
  ReportSignature sig = SignatureOf(
      "==1==ERROR: racefuzz: contract violation: rcu-guard-other-thread\n"
      "SUMMARY: racefuzz: rcu-guard-other-thread\n");
  EXPECT_EQ(sig.summary, "racefuzz: rcu-guard-other-thread");
}

TEST(SignatureOf, NoReportNoSignature) {
  EXPECT_TRUE(SignatureOf("INFO: Running with entropic power schedule\nDone 1 runs\n").empty());
}

}  // namespace
}  // namespace racefuzz::cli
