// The litmus shapes, each at the memory orders that flip its verdict. Names follow the herd7 /
// "Common Compiler Optimisations are Invalid in the C11 Memory Model" conventions: SB, MP, LB,
// IRIW, WRC, ISA2, R, S, 2+2W, the coherence tests, then racefuzz's own edges (mutex, spawn,
// join). Verdicts are RC11's (Lahav et al., PLDI 2017); docs/litmus.md adds the LKMM's.
#include "tests/litmus/shapes.h"

#include "core/sched/memory/kernel.h"

namespace racefuzz::litmus {
namespace {

using V = Vars&;
constexpr Verdict kA = Verdict::kAllowed;
constexpr Verdict kF = Verdict::kForbidden;
constexpr Verdict kGap = Verdict::kAllowedNotProduced;

void Fence(std::memory_order mo) { racefuzz::atomic_thread_fence(mo); }

// SB: each thread stores one location and loads the other. Both loads 0?
template <std::memory_order St, std::memory_order Ld, bool kFence0, bool kFence1,
          std::memory_order F = sc>
Shape Sb(const char* name, Verdict v) {
  return {name,
          v,
          {[](V s) {
             s.x.store(1, St);
             if (kFence0) Fence(F);
             s.r[0] = s.y.load(Ld);
           },
           [](V s) {
             s.y.store(1, St);
             if (kFence1) Fence(F);
             s.r[1] = s.x.load(Ld);
           }},
          [](V s) { return s.r[0] == 0 && s.r[1] == 0; }};
}

// MP: T0 writes data x then flag y; T1 reads the flag then the data. Flag seen, data stale?
template <std::memory_order St, std::memory_order Ld, bool kRelFence, bool kAcqFence>
Shape Mp(const char* name, Verdict v) {
  return {name,
          v,
          {[](V s) {
             s.x.store(1, rlx);
             if (kRelFence) Fence(rel);
             s.y.store(1, St);
           },
           [](V s) {
             s.r[0] = s.y.load(Ld);
             if (kAcqFence) Fence(acq);
             s.r[1] = s.x.load(rlx);
           }},
          [](V s) { return s.r[0] == 1 && s.r[1] == 0; }};
}

// LB: each thread loads one location, then stores the other. Both loads see the other's store?
template <std::memory_order St, std::memory_order Ld>
Shape Lb(const char* name, Verdict v) {
  return {name,
          v,
          {[](V s) {
             s.r[0] = s.x.load(Ld);
             s.y.store(1, St);
           },
           [](V s) {
             s.r[1] = s.y.load(Ld);
             s.x.store(1, St);
           }},
          [](V s) { return s.r[0] == 1 && s.r[1] == 1; }};
}

// IRIW: two writers, two readers reading in opposite orders. Do the readers disagree on the order
// of the writes?
template <std::memory_order St, std::memory_order Ld, bool kFences>
Shape Iriw(const char* name, Verdict v) {
  return {name,
          v,
          {[](V s) { s.x.store(1, St); }, [](V s) { s.y.store(1, St); },
           [](V s) {
             s.r[0] = s.x.load(Ld);
             if (kFences) Fence(sc);
             s.r[1] = s.y.load(Ld);
           },
           [](V s) {
             s.r[2] = s.y.load(Ld);
             if (kFences) Fence(sc);
             s.r[3] = s.x.load(Ld);
           }},
          [](V s) { return s.r[0] == 1 && s.r[1] == 0 && s.r[2] == 1 && s.r[3] == 0; }};
}

// WRC: T1 sees T0's x and writes y; T2 sees y. Does T2 miss x?
template <std::memory_order St, std::memory_order Ld>
Shape Wrc(const char* name, Verdict v) {
  return {name,
          v,
          {[](V s) { s.x.store(1, rlx); },
           [](V s) {
             s.r[0] = s.x.load(rlx);
             s.y.store(1, St);
           },
           [](V s) {
             s.r[1] = s.y.load(Ld);
             s.r[2] = s.x.load(rlx);
           }},
          [](V s) { return s.r[0] == 1 && s.r[1] == 1 && s.r[2] == 0; }};
}

// ISA2: a chain of two flags (y, then z) from the writer of x to its reader.
template <std::memory_order St, std::memory_order Ld>
Shape Isa2(const char* name, Verdict v) {
  return {name,
          v,
          {[](V s) {
             s.x.store(1, rlx);
             s.y.store(1, St);
           },
           [](V s) {
             s.r[0] = s.y.load(Ld);
             s.z.store(1, St);
           },
           [](V s) {
             s.r[1] = s.z.load(Ld);
             s.r[2] = s.x.load(rlx);
           }},
          [](V s) { return s.r[0] == 1 && s.r[1] == 1 && s.r[2] == 0; }};
}

// R: T0 writes x then y=1; T1 writes y=2 then reads x. y=1 before y=2 in the modification order,
// and T1 still reads x=0?
template <std::memory_order St, std::memory_order Ld, bool kFences>
Shape R(const char* name, Verdict v) {
  return {name,
          v,
          {[](V s) {
             s.x.store(1, St);
             if (kFences) Fence(sc);
             s.y.store(1, St);
           },
           [](V s) {
             s.y.store(2, St);
             if (kFences) Fence(sc);
             s.r[0] = s.x.load(Ld);
           }},
          [](V s) { return s.y.load() == 2 && s.r[0] == 0; }};
}

// S: T0 writes x=2 then y; T1 reads y, then writes x=1. T1 saw y, and its x=1 is still before
// x=2 in the modification order?
template <std::memory_order St, std::memory_order Ld>
Shape S(const char* name, Verdict v) {
  return {name,
          v,
          {[](V s) {
             s.x.store(2, rlx);
             s.y.store(1, St);
           },
           [](V s) {
             s.r[0] = s.y.load(Ld);
             s.x.store(1, rlx);
           }},
          [](V s) { return s.r[0] == 1 && s.x.load() == 2; }};
}

// 2+2W: each thread writes both locations in opposite orders. Each location's first write last?
template <std::memory_order St>
Shape TwoPlusTwoW(const char* name, Verdict v) {
  return {name,
          v,
          {[](V s) {
             s.x.store(1, St);
             s.y.store(2, St);
           },
           [](V s) {
             s.y.store(1, St);
             s.x.store(2, St);
           }},
          [](V s) { return s.x.load() == 1 && s.y.load() == 1; }};
}

}  // namespace

const std::vector<Shape>& AllShapes() {
  static const std::vector<Shape>* all = new std::vector<Shape>{
      Sb<rlx, rlx, false, false>("SB", kA),
      Sb<rel, acq, false, false>("SB+rel+acq", kA),
      Sb<sc, sc, false, false>("SB+sc", kF),
      Sb<rlx, rlx, true, true>("SB+fence.sc", kF),
      Sb<rlx, rlx, true, true, acq_rel>("SB+fence.acq_rel", kA),
      Sb<rlx, rlx, true, false>("SB+fence.sc+po", kA),
      Mp<rlx, rlx, false, false>("MP", kA),
      Mp<rel, acq, false, false>("MP+rel+acq", kF),
      Mp<rel, rlx, false, false>("MP+rel+po", kA),
      Mp<rlx, acq, false, false>("MP+po+acq", kA),
      Mp<rlx, rlx, true, true>("MP+fence.rel+fence.acq", kF),
      Mp<rel, rlx, false, true>("MP+rel+fence.acq", kF),
      Mp<rlx, acq, true, false>("MP+fence.rel+acq", kF),
      Mp<sc, sc, false, false>("MP+sc", kF),
      Mp<rlx, rlx, true, false>("MP+fence.rel+po", kA),
      // MP through a release sequence: T1's RMW continues T0's release store, so reading T1's
      // value with acquire still synchronizes with T0.
      {"MP+rel+rmw+acq",
       kF,
       {[](V s) {
          s.x.store(1, rlx);
          s.y.store(1, rel);
        },
        [](V s) { s.y.fetch_add(1, rlx); },
        [](V s) {
          s.r[0] = s.y.load(acq);
          s.r[1] = s.x.load(rlx);
        }},
       [](V s) { return s.r[0] == 2 && s.r[1] == 0; }},
      // A plain store by another thread is no part of the release sequence (C++20): reading it
      // synchronizes with nothing.
      {"MP+rel+store+acq",
       kA,
       {[](V s) {
          s.x.store(1, rlx);
          s.y.store(1, rel);
        },
        [](V s) { s.y.store(2, rlx); },
        [](V s) {
          s.r[0] = s.y.load(acq);
          s.r[1] = s.x.load(rlx);
        }},
       [](V s) { return s.r[0] == 2 && s.r[1] == 0 && s.y.load() == 2; }},
      // MP with an address dependency: the reader picks the location to read by the flag's value
      // (as a pointer dereference does). C++ orders nothing by dependencies (consume is acquire
      // or nothing); the LKMM forbids it.
      {"MP+fence.rel+addr",
       kA,
       {[](V s) {
          s.x.store(1, rlx);
          Fence(rel);
          s.y.store(1, rlx);
        },
        [](V s) {
          s.r[0] = s.y.load(rlx);
          s.r[1] = (s.r[0] == 1 ? s.x : s.z).load(rlx);
        }},
       [](V s) { return s.r[0] == 1 && s.r[1] == 0; }},
      Lb<rlx, rlx>("LB", kF),
      Lb<rel, acq>("LB+rel+acq", kF),
      // LB with data dependencies: each thread stores what it loaded. Out of thin air.
      {"LB+datas",
       kF,
       {[](V s) {
          s.r[0] = s.x.load(rlx);
          s.y.store(s.r[0], rlx);
        },
        [](V s) {
          s.r[1] = s.y.load(rlx);
          s.x.store(s.r[1] == 0 ? 1 : s.r[1], rlx);
        }},
       [](V s) { return s.r[0] == 1 && s.r[1] == 1; }},
      Iriw<rlx, rlx, false>("IRIW", kA),
      Iriw<rel, acq, false>("IRIW+rel+acq", kA),
      Iriw<sc, sc, false>("IRIW+sc", kF),
      Iriw<rlx, rlx, true>("IRIW+fence.sc", kF),
      Wrc<rlx, rlx>("WRC", kA),
      Wrc<rel, acq>("WRC+rel+acq", kF),
      Isa2<rlx, rlx>("ISA2", kA),
      Isa2<rel, acq>("ISA2+rel+acq", kF),
      R<rlx, rlx, false>("R", kA),
      R<rel, acq, false>("R+rel+acq", kA),
      R<sc, sc, false>("R+sc", kF),
      R<rlx, rlx, true>("R+fence.sc", kF),
      S<rlx, rlx>("S", kGap),
      S<rel, acq>("S+rel+acq", kF),
      TwoPlusTwoW<rlx>("2+2W", kGap),
      TwoPlusTwoW<rel>("2+2W+rel", kGap),
      TwoPlusTwoW<sc>("2+2W+sc", kF),
      // Coherence: one location, whatever the orders.
      {"CoRR",
       kF,
       {[](V s) { s.x.store(1, rlx); },
        [](V s) {
          s.r[0] = s.x.load(rlx);
          s.r[1] = s.x.load(rlx);
        }},
       [](V s) { return s.r[0] == 1 && s.r[1] == 0; }},
      // Two readers must agree on the order of two writes to one location.
      {"CoRR2",
       kF,
       {[](V s) { s.x.store(1, rlx); }, [](V s) { s.x.store(2, rlx); },
        [](V s) {
          s.r[0] = s.x.load(rlx);
          s.r[1] = s.x.load(rlx);
        },
        [](V s) {
          s.r[2] = s.x.load(rlx);
          s.r[3] = s.x.load(rlx);
        }},
       [](V s) { return s.r[0] == 1 && s.r[1] == 2 && s.r[2] == 2 && s.r[3] == 1; }},
      // A load of another thread's store, then the thread's own store: its store comes later.
      {"CoRW",
       kF,
       {[](V s) {
          s.r[0] = s.x.load(rlx);
          s.x.store(2, rlx);
        },
        [](V s) { s.x.store(1, rlx); }},
       [](V s) { return s.r[0] == 1 && s.x.load() == 1; }},
      // A thread's load after its own store reads that store or a later one.
      {"CoWR",
       kF,
       {[](V s) {
          s.x.store(1, rlx);
          s.r[0] = s.x.load(rlx);
        },
        [](V s) { s.x.store(2, rlx); }},
       [](V s) { return s.r[0] == 0 || (s.r[0] == 2 && s.x.load() == 1); }},
      {"CoWW",
       kF,
       {[](V s) {
          s.x.store(1, rlx);
          s.x.store(2, rlx);
        }},
       [](V s) { return s.x.load() != 2; }},
      // Read-modify-writes are atomic: two increments always make 2, two CASes from 0 never both
      // succeed.
      {"RMW+add",
       kF,
       {[](V s) { s.x.fetch_add(1, rlx); }, [](V s) { s.x.fetch_add(1, rlx); }},
       [](V s) { return s.x.load() != 2; }},
      {"RMW+cas",
       kF,
       {[](V s) {
          int e = 0;
          s.r[0] = s.x.compare_exchange_strong(e, 1, rlx);
        },
        [](V s) {
          int e = 0;
          s.r[1] = s.x.compare_exchange_strong(e, 2, rlx);
        }},
       [](V s) { return s.r[0] == 1 && s.r[1] == 1; }},
      // The kernel's names (core/sched/memory/kernel.h).
      {"MP+onces",
       kA,
       {[](V s) {
          WRITE_ONCE(s.x, 1);
          WRITE_ONCE(s.y, 1);
        },
        [](V s) {
          s.r[0] = READ_ONCE(s.y);
          s.r[1] = READ_ONCE(s.x);
        }},
       [](V s) { return s.r[0] == 1 && s.r[1] == 0; }},
      {"MP+wmb+rmb",
       kF,
       {[](V s) {
          WRITE_ONCE(s.x, 1);
          smp_wmb();
          WRITE_ONCE(s.y, 1);
        },
        [](V s) {
          s.r[0] = READ_ONCE(s.y);
          smp_rmb();
          s.r[1] = READ_ONCE(s.x);
        }},
       [](V s) { return s.r[0] == 1 && s.r[1] == 0; }},
      {"MP+store_release+load_acquire",
       kF,
       {[](V s) {
          WRITE_ONCE(s.x, 1);
          smp_store_release(s.y, 1);
        },
        [](V s) {
          s.r[0] = smp_load_acquire(s.y);
          s.r[1] = READ_ONCE(s.x);
        }},
       [](V s) { return s.r[0] == 1 && s.r[1] == 0; }},
      {"MP+cmpxchg_release+load_acquire",
       kF,
       {[](V s) {
          WRITE_ONCE(s.x, 1);
          cmpxchg_release(s.y, 0, 1);
        },
        [](V s) {
          s.r[0] = smp_load_acquire(s.y);
          s.r[1] = READ_ONCE(s.x);
        }},
       [](V s) { return s.r[0] == 1 && s.r[1] == 0; }},
      {"SB+mbs",
       kF,
       {[](V s) {
          WRITE_ONCE(s.x, 1);
          smp_mb();
          s.r[0] = READ_ONCE(s.y);
        },
        [](V s) {
          WRITE_ONCE(s.y, 1);
          smp_mb();
          s.r[1] = READ_ONCE(s.x);
        }},
       [](V s) { return s.r[0] == 0 && s.r[1] == 0; }},
      {"SB+xchgs",
       kF,
       {[](V s) {
          xchg(s.x, 1);
          s.r[0] = READ_ONCE(s.y);
        },
        [](V s) {
          xchg(s.y, 1);
          s.r[1] = READ_ONCE(s.x);
        }},
       [](V s) { return s.r[0] == 0 && s.r[1] == 0; }},
      {"SB+xchg_relaxeds",
       kA,
       {[](V s) {
          xchg_relaxed(s.x, 1);
          s.r[0] = READ_ONCE(s.y);
        },
        [](V s) {
          xchg_relaxed(s.y, 1);
          s.r[1] = READ_ONCE(s.x);
        }},
       [](V s) { return s.r[0] == 0 && s.r[1] == 0; }},
      {"SB+cmpxchgs",
       kF,
       {[](V s) {
          s.r[2] = cmpxchg(s.x, 0, 1);
          s.r[0] = READ_ONCE(s.y);
        },
        [](V s) {
          s.r[3] = cmpxchg(s.y, 0, 1);
          s.r[1] = READ_ONCE(s.x);
        }},
       [](V s) { return s.r[0] == 0 && s.r[1] == 0; }},
      // racefuzz's own edges: a mutex, spawn and join carry what a thread has seen.
      {"MP+mutex",
       kF,
       {[](V s) {
          s.x.store(1, rlx);
          Guard g(s.mu);
          s.plain = 1;
        },
        [](V s) {
          int seen;
          {
            Guard g(s.mu);
            seen = s.plain;
          }
          s.r[0] = seen;
          if (seen == 1) s.r[1] = s.x.load(rlx);
        }},
       [](V s) { return s.r[0] == 1 && s.r[1] == 0; }},
      {"MP+join",
       kF,
       {[](V s) {
          const ThreadId child = spawn([&s] { s.x.store(1, rlx); });
          join(child);
          s.r[0] = s.x.load(rlx);
        }},
       [](V s) { return s.r[0] == 0; }},
      {"MP+spawn",
       kF,
       {[](V s) {
          s.x.store(1, rlx);
          const ThreadId child = spawn([&s] { s.r[0] = s.x.load(rlx); });
          join(child);
        }},
       [](V s) { return s.r[0] == 0; }},
  };
  return *all;
}

}  // namespace racefuzz::litmus
