// Fuzz target planted_object_table: threads insert, look up (get, read, put) and remove
// reference-counted objects (object_table.h). Finds: refcount-split-dec-test (ASan double free),
// lookup-without-lock (ASan use after free).
#include <fuzzer/FuzzedDataProvider.h>

#include "bench/planted/clients/object_table.h"
#include "bench/planted/clients/ops.h"
#include "core/sched/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  FuzzedDataProvider in(data, size);
  const auto threads = racefuzz::planted::DecodeThreads(in);
  racefuzz::planted::ObjectTable table;
  racefuzz::RunInput(in, [&] {
    for (size_t t = 0; t < threads.size(); ++t) {
      racefuzz::spawn([&, t] {
        for (const auto& op : threads[t]) {
          switch (op.kind % 3) {
            case 0:
              table.insert(op.arg, op.kind);
              break;
            case 1:
              if (racefuzz::planted::Object* o = table.get(op.arg)) {
                racefuzz::yield_point("object_use", {"slot", op.arg});
                volatile uint8_t v = o->value;
                (void)v;
                racefuzz::planted::ObjectTable::put(o);
              }
              break;
            default:
              table.remove(op.arg);
          }
        }
      });
    }
  });
  return 0;
}
