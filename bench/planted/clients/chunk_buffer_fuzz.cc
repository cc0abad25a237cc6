// Fuzz target planted_chunk_buffer: threads copy in and out of a 3-chunk buffer at fuzzed offsets
// and lengths (edge and huge values included) and checksum it (chunk_buffer.h). Finds:
// buffer-bounds-overflow (ASan), buffer-iter-off-by-one (ASan).
#include <cstdint>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "bench/planted/clients/chunk_buffer.h"
#include "core/sched/harness.h"

namespace {

struct BufferOp {
  uint8_t kind;
  uint32_t off;
  uint32_t len;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  FuzzedDataProvider in(data, size);
  std::vector<std::vector<BufferOp>> threads(in.ConsumeIntegralInRange(2, 3));
  for (auto& ops : threads) {
    const int n = in.ConsumeIntegralInRange(1, 4);
    for (int i = 0; i < n; ++i) {
      const uint8_t kind = in.ConsumeIntegral<uint8_t>();
      const uint32_t off = in.ConsumeIntegral<uint32_t>();
      ops.push_back({kind, off, in.ConsumeIntegral<uint32_t>()});
    }
  }
  racefuzz::planted::ChunkBuffer buffer(3);
  racefuzz::RunInput(in, [&] {
    for (size_t t = 0; t < threads.size(); ++t) {
      racefuzz::spawn([&, t] {
        // Each thread's own bounce buffer, as large as any valid copy.
        std::vector<uint8_t> bounce(buffer.size(), static_cast<uint8_t>(t));
        for (const BufferOp& op : threads[t]) {
          // Lengths are capped at the buffer size plus one page: a valid copy never needs more,
          // and an off-by-one or overflow in the bounds check still shows.
          const uint32_t len = op.len % (buffer.size() + racefuzz::planted::ChunkBuffer::kChunk);
          switch (op.kind % 3) {
            case 0:
              if (len <= bounce.size()) buffer.copy_in(bounce.data(), op.off, len);
              break;
            case 1:
              if (len <= bounce.size()) buffer.copy_out(bounce.data(), op.off, len);
              break;
            default:
              buffer.checksum();
          }
        }
      });
    }
  });
  return 0;
}
