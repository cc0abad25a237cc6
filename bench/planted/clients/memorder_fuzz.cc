// Fuzz target planted_memorder: the memory-order patterns of memorder.h, T0 producing (posting the
// mailbox, writing the seqlock record, filling the status page) and the other threads consuming;
// every thread may take the lazily initialized table and put its reference to the flushed object.
// Clean as written; each planted memory-order bug is found only with RACEFUZZ_MEMORY=weak:
// publish-flag-relaxed, seqlock-reader-no-rmb, lazy-init-relaxed-check, refcount-put-relaxed,
// page-valid-flag-relaxed.
#include <fuzzer/FuzzedDataProvider.h>

#include "bench/planted/clients/memorder.h"
#include "bench/planted/clients/ops.h"
#include "core/sched/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  FuzzedDataProvider in(data, size);
  const auto threads = racefuzz::planted::DecodeThreads(in);
  racefuzz::planted::Mailbox mailbox;
  racefuzz::planted::SeqRecord record;
  racefuzz::planted::LazyTable table;
  racefuzz::planted::FlushOnPut object(static_cast<int>(threads.size()));
  racefuzz::planted::StatusPage page;
  racefuzz::RunInput(in, [&] {
    for (size_t t = 0; t < threads.size(); ++t) {
      racefuzz::spawn([&, t] {
        const bool producer = t == 0;
        bool posted = false;
        bool filled = false;
        bool put = false;
        for (const auto& op : threads[t]) {
          switch (op.kind % 5) {
            case 0:
              if (!producer) {
                mailbox.poll();
              } else if (!posted) {
                posted = true;
                mailbox.post(op.arg);
              }
              break;
            case 1:
              if (producer) {
                record.write(op.arg);
              } else {
                record.read();
              }
              break;
            case 2:
              table.get();
              break;
            case 3:
              if (!put) {
                put = true;
                object.use_and_put();
              }
              break;
            default:
              if (!producer) {
                page.check();
              } else if (!filled) {
                filled = true;
                page.fill(op.arg);
              }
              break;
          }
        }
      });
    }
  });
  return 0;
}
