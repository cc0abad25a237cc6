#include "core/page/user.h"

#include "core/page/bytewise.h"
#include "core/page/copy.h"
#include "core/sched/runtime.h"

namespace racefuzz::page {

absl::Status Efault() { return absl::InvalidArgumentError("EFAULT: bad user address"); }

UserMemory::UserMemory(size_t size) : size_(size), bytes_(new uint8_t[size]()) {}

absl::Status UserMemory::store(size_t off, uint8_t v) {
  if (off >= size_) return Efault();
  yield_point("user_store", {"user", 0}, {off, off + 1});
  atomic_store_byte(&bytes_[off], v);
  return absl::OkStatus();
}

absl::StatusOr<uint8_t> UserMemory::load(size_t off) const {
  if (off >= size_) return Efault();
  yield_point("user_load", {"user", 0}, {off, off + 1});
  return atomic_load_byte(&bytes_[off]);
}

UserSliceReader UserMemory::reader(size_t off, size_t len) { return {this, off, len}; }

absl::Status UserSliceReader::read_raw(uint8_t* dst, size_t len) {
  // No overflow: each comparison subtracts only what the previous one bounded.
  if (len > len_ || off_ > mem_->size_ || len > mem_->size_ - off_) return Efault();
  // SAFETY: the range is inside the user buffer (checked above); `dst` is valid for `len` bytes and
  // not accessed concurrently by the caller's contract. User bytes are loaded atomically.
  internal::CopyAtomicToPlain(mem_->bytes_.get() + off_, dst, len);
  off_ += len;
  len_ -= len;
  return absl::OkStatus();
}

}  // namespace racefuzz::page
