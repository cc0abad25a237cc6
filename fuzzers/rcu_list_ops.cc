// rcu_list_ops: RCU-protected lists (core/rcu/list.h), readers against updaters, rcutorture style.
//
// 2-4 simulated threads run input-chosen ops (fuzzers/common) on one list_head list and one hlist
// bucket: readers take (nested) guards and traverse either list with list_for_each_entry_rcu /
// hlist_for_each_entry_rcu (a traversal outside a section takes its own guard), checking each
// entry; updaters, serialized by one spinlock, add (list_add_rcu, list_add_tail_rcu,
// hlist_add_head_rcu, hlist_add_behind_rcu), delete (list_del_rcu, hlist_del_rcu) and replace
// (list_replace_rcu, hlist_replace_rcu) entries, finding them with an update-side traversal
// (cond: lockdep_is_held), and free what they unlinked after a grace period: synchronize_rcu then
// delete, or call_rcu (the only choice inside a read-side section). Any thread may also call
// synchronize_rcu and rcu_barrier outside its sections. The oracles: each entry carries its age
// in grace periods since it was unlinked (TortureAge: 0 while a reader sees it) and a check word;
// ASan sees a use after free, TSan an entry or link written after its publish. The model is
// correct, so any report is a bug in it (or a false positive).
//
// Planted bugs: racefuzz fuzz rcu_list_ops --planted-bug=rcu-list-... (bench/planted/bugs.tsv).
#include <array>
#include <cstdint>
#include <vector>

#include "core/rcu/callbacks.h"
#include "core/rcu/grace_period.h"
#include "core/rcu/list.h"
#include "core/rcu/read_side.h"
#include "core/rcu/torture.h"
#include "core/sched/sync.h"
#include "fuzzers/common/harness.h"

namespace racefuzz::fuzz {
namespace {

// What every entry carries: its key, a check word written before it is published, and its age.
struct Payload {
  explicit Payload(uint64_t k) : key(k), check(~k) {}
  uint64_t key;
  uint64_t check;
  rcu::TortureAge age;
};
struct ListEntry : rcu::list_head, Payload {
  using Payload::Payload;
};
struct HashEntry : rcu::hlist_node, Payload {
  using Payload::Payload;
};

enum OpCode : uint8_t {
  kReadLock,
  kReadUnlock,
  kTraverse,
  kAdd,
  kDelete,
  kReplace,
  kSynchronize,
  kBarrier,
};

// Which list an op works on, and how an add inserts.
enum Where : uint32_t { kFront, kTail, kBucketHead, kBucketBehind };
// How an unlinked entry is freed.
enum Free : uint32_t { kSynchronizeThenFree, kCallRcu };

constexpr int kMaxNesting = 2;
constexpr int kMaxEntries = 6;  // per list

class RcuListWorld {
 public:
  static constexpr ProgramShape kShape = {.min_threads = 2, .max_threads = 4, .max_ops = 12};
  static constexpr std::array<OpSpec, 8> kOps = {{
      {"read_lock", 0, {}},
      {"read_unlock", 0, {}},
      {"traverse", 1, {1}},                            // list or bucket
      {"add", 1, {kBucketBehind}},                     // Where
      {"delete", 3, {1, kMaxEntries - 1, kCallRcu}},   // list or bucket, index, Free
      {"replace", 3, {1, kMaxEntries - 1, kCallRcu}},  // list or bucket, index, Free
      {"synchronize_rcu", 0, {}},
      {"rcu_barrier", 0, {}},
  }};

  struct Config {
    uint8_t list_entries = 2;    // entries on the list at the start
    uint8_t bucket_entries = 2;  // entries in the bucket at the start
  };
  template <typename C>
  static void VisitConfig(C& c, Config& config) {
    c.Field(config.list_entries, uint8_t{0}, uint8_t{kMaxEntries});
    c.Field(config.bucket_entries, uint8_t{0}, uint8_t{kMaxEntries});
  }

  explicit RcuListWorld(const Config& config) {
    for (int i = 0; i < config.list_entries; ++i) {
      rcu::list_add_tail_rcu(new ListEntry(next_key_++), &list_);
      ++list_size_;
    }
    for (int i = 0; i < config.bucket_entries; ++i) {
      rcu::hlist_add_head_rcu(new HashEntry(next_key_++), &bucket_);
      ++bucket_size_;
    }
  }

  void Execute(int thread, const Op& op) {
    int& depth = depth_[thread];
    switch (op.code) {
      case kReadLock:
        if (depth < kMaxNesting) guards_[thread][depth++].emplace(rcu::read_lock());
        break;
      case kReadUnlock:
        if (depth > 0) guards_[thread][--depth].reset();
        break;
      case kTraverse:
        if (depth > 0) {
          Traverse(op.arg[0]);
        } else {
          const rcu::Guard g = rcu::read_lock();
          Traverse(op.arg[0]);
        }
        break;
      case kAdd:
        Add(static_cast<Where>(op.arg[0]));
        break;
      case kDelete:
      case kReplace:
        Unlink(op.arg[0] == 1, op.arg[1], op.code == kReplace,
               depth > 0 ? kCallRcu : static_cast<Free>(op.arg[2]));
        break;
      case kSynchronize:
        if (depth == 0) rcu::synchronize_rcu();
        break;
      case kBarrier:
        if (depth == 0) rcu::rcu_barrier();
        break;
    }
  }

  // Leaves the thread's sections.
  void ThreadDone(int thread) {
    for (auto& g : guards_[thread]) g.reset();
    depth_[thread] = 0;
  }

  // Outside the run: every callback runs, then what is still linked is freed.
  void Finish() {
    rcu::rcu_barrier();
    std::vector<ListEntry*> entries;
    for (ListEntry* e : rcu::list_for_each_entry_rcu<ListEntry>(&list_, true)) entries.push_back(e);
    for (ListEntry* e : entries) delete e;
    std::vector<HashEntry*> nodes;
    for (HashEntry* e : rcu::hlist_for_each_entry_rcu<HashEntry>(&bucket_, true)) {
      nodes.push_back(e);
    }
    for (HashEntry* e : nodes) delete e;
  }

  static std::vector<Seed<RcuListWorld>> Seeds();

 private:
  // Reads an entry a reader reached: the age oracle first, then the payload (ASan, TSan on it).
  static void ReadEntry(const Payload& p) {
    p.age.check("list entry", p.key);
    yield_point("read_entry", {"entry", p.key});
    if (p.check != ~p.key) __builtin_trap();  // torn, unpublished or reused
  }

  void Traverse(uint32_t which) {
    if (which == 0) {
      for (ListEntry* e : rcu::list_for_each_entry_rcu<ListEntry>(&list_)) ReadEntry(*e);
    } else {
      for (HashEntry* e : rcu::hlist_for_each_entry_rcu<HashEntry>(&bucket_)) ReadEntry(*e);
    }
  }

  void Add(Where where) {
    Guard<SpinLock> lock(lock_);
    if (where == kFront || where == kTail) {
      if (list_size_ == kMaxEntries) return;
      // SAFETY: the entry's fields are written before list_add_rcu publishes it.
      auto* e = new ListEntry(next_key_++);
      if (where == kFront) {
        rcu::list_add_rcu(e, &list_);
      } else {
        rcu::list_add_tail_rcu(e, &list_);
      }
      ++list_size_;
      return;
    }
    if (bucket_size_ == kMaxEntries) return;
    auto* e = new HashEntry(next_key_++);
    HashEntry* first = FindInBucket(0);
    if (where == kBucketBehind && first != nullptr) {
      rcu::hlist_add_behind_rcu(e, first);
    } else {
      rcu::hlist_add_head_rcu(e, &bucket_);
    }
    ++bucket_size_;
  }

  // Unlinks (or replaces with a new entry) the index-th entry of the list or the bucket, then
  // frees it after a grace period.
  void Unlink(bool bucket, uint32_t index, bool replace, Free how) {
    Payload* gone = nullptr;
    rcu::list_head* list_node = nullptr;
    rcu::hlist_node* hash_node = nullptr;
    {
      Guard<SpinLock> lock(lock_);
      if (bucket) {
        if (bucket_size_ == 0) return;
        HashEntry* e = FindInBucket(index % bucket_size_);
        if (replace) {
          rcu::hlist_replace_rcu(e, new HashEntry(next_key_++));
        } else {
          rcu::hlist_del_rcu(e);
          --bucket_size_;
        }
        gone = e;
        hash_node = e;
      } else {
        if (list_size_ == 0) return;
        ListEntry* e = FindInList(index % list_size_);
        if (replace) {
          rcu::list_replace_rcu(e, new ListEntry(next_key_++));
        } else {
          rcu::list_del_rcu(e);
          --list_size_;
        }
        gone = e;
        list_node = e;
      }
    }
    gone->age.retire();
    // SAFETY: the entry is unlinked; it is freed only after a grace period (readers standing on it
    // may still read it until then).
    auto free_it = [list_node, hash_node] {
      if (list_node != nullptr) delete static_cast<ListEntry*>(list_node);
      if (hash_node != nullptr) delete static_cast<HashEntry*>(hash_node);
    };
    if (how == kSynchronizeThenFree) {
      rcu::synchronize_rcu();
      free_it();
    } else {
      rcu::call_rcu(free_it);
    }
  }

  // The update side's traversal, under lock_ (cond: lockdep_is_held).
  ListEntry* FindInList(uint32_t index) {
    for (ListEntry* e : rcu::list_for_each_entry_rcu<ListEntry>(&list_, lockdep_is_held(lock_))) {
      if (index-- == 0) return e;
    }
    return nullptr;
  }
  HashEntry* FindInBucket(uint32_t index) {
    for (HashEntry* e :
         rcu::hlist_for_each_entry_rcu<HashEntry>(&bucket_, lockdep_is_held(lock_))) {
      if (index-- == 0) return e;
    }
    return nullptr;
  }

  rcu::list_head list_;
  rcu::hlist_head bucket_;
  SpinLock lock_{"list_lock"};  // the updaters' lock: a spinlock, taken inside sections too
  int list_size_ = 0;           // guarded by lock_ once the run starts
  int bucket_size_ = 0;         // guarded by lock_ once the run starts
  uint64_t next_key_ = 1;       // guarded by lock_ once the run starts
  std::array<int, kShape.max_threads> depth_{};
  std::array<std::array<std::optional<rcu::Guard>, kMaxNesting>, kShape.max_threads> guards_;
};

std::vector<Seed<RcuListWorld>> RcuListWorld::Seeds() {
  const Op lock{kReadLock}, unlock{kReadUnlock}, sync{kSynchronize}, barrier{kBarrier};
  const Op walk_list{kTraverse, {0}}, walk_bucket{kTraverse, {1}};
  const Op add_front{kAdd, {kFront}}, add_tail{kAdd, {kTail}}, add_head{kAdd, {kBucketHead}},
      add_behind{kAdd, {kBucketBehind}};
  const Op del_list{kDelete, {0, 0, kSynchronizeThenFree}}, del_bucket{kDelete, {1, 1, kCallRcu}};
  const Op replace_list{kReplace, {0, 1, kCallRcu}},
      replace_bucket{kReplace, {1, 0, kSynchronizeThenFree}};
  const std::string rr(64, '\x01');  // alternate threads at every decision
  return {
      {"reader_vs_delete", {}, {{{lock, walk_list, walk_list, unlock}, {del_list, add_front}}}, rr},
      {"reader_vs_add",
       {},
       {{{walk_list, walk_bucket}, {add_front, add_tail, add_head, add_behind}}},
       rr},
      {"replace_both",
       {},
       {{{lock, walk_bucket, walk_list, unlock}, {replace_list, replace_bucket}}},
       rr},
      {"delete_in_section",
       {.list_entries = 3, .bucket_entries = 3},
       {{{lock, del_bucket, walk_bucket, unlock, barrier}, {walk_bucket, sync}, {del_list}}},
       rr},
  };
}

}  // namespace
}  // namespace racefuzz::fuzz

// libFuzzer's entry points: seeds on request, then one input per call.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  racefuzz::fuzz::MaybeWriteSeeds<racefuzz::fuzz::RcuListWorld>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  return racefuzz::fuzz::RunOpFuzzer<racefuzz::fuzz::RcuListWorld>(data, size);
}
