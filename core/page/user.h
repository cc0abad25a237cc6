// A model of user-space memory and the kernel's UserSliceReader: user space may change its memory
// at any time, so the kernel reads it with byte-wise atomic accesses and races on it are allowed.
#ifndef RACEFUZZ_CORE_PAGE_USER_H_
#define RACEFUZZ_CORE_PAGE_USER_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace racefuzz::page {

class UserSliceReader;

// A user-space buffer (`size` bytes, zeroed). Every access is a relaxed byte-wise atomic, so any
// number of simulated threads may read and write it concurrently with no report: that is what user
// memory is. Not movable (readers point into it). The kernel has no such type (user memory is the
// process's); its `UserSlice::new(ptr, len)` is reader(off, len) here, with no separate UserSlice.
class UserMemory {
 public:
  explicit UserMemory(size_t size);
  UserMemory(const UserMemory&) = delete;
  UserMemory& operator=(const UserMemory&) = delete;

  size_t size() const { return size_; }
  // The user program stores/loads one byte (a yield point: "user_store user 0 [off, off+1)").
  // Out of range is EFAULT.
  absl::Status store(size_t off, uint8_t v);
  absl::StatusOr<uint8_t> load(size_t off) const;
  // A reader of [off, off + len) (the kernel's `UserSlice::new(ptr, len).reader()`). The reader
  // fails with EFAULT when it reaches bytes outside the buffer.
  UserSliceReader reader(size_t off, size_t len);

 private:
  friend class UserSliceReader;
  size_t size_;
  std::unique_ptr<uint8_t[]> bytes_;
};

// Reads user memory forward from its current position.
class UserSliceReader {
 public:
  // Bytes still to read.
  size_t len() const { return len_; }

  // Copies the next `len` bytes of user memory to `dst` and advances; EFAULT if fewer remain or the
  // range leaves the user buffer (nothing is advanced then).
  //
  // Safety: `dst` is valid for writing `len` bytes (ASan) and no other thread accesses
  // `dst[0, len)` concurrently (TSan). The user side needs nothing: it is read atomically.
  absl::Status read_raw(uint8_t* dst, size_t len);

 private:
  friend class UserMemory;
  UserSliceReader(UserMemory* mem, size_t off, size_t len) : mem_(mem), off_(off), len_(len) {}
  UserMemory* mem_;
  size_t off_;
  size_t len_;
};

// The kernel's EFAULT ("bad address").
absl::Status Efault();

}  // namespace racefuzz::page

#endif  // RACEFUZZ_CORE_PAGE_USER_H_
