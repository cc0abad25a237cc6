// Where the pool's frames live: racefuzz's physical memory, as the kernel reaches it through its
// direct map (page_address(page) is the frame's one canonical address). Internal to core/page;
// pool.cc decides which frame goes to which page, this file only hands out frames in a fixed order.
// Every function here is called by pool.cc under its lock.
//
// Outside the ASan build the frames are consecutive PAGE_SIZE slices of one static array,
// g_direct_map, with one guard frame before the first and one after the last (never handed out,
// never written: a stray access off either end of the memory touches no other object). Frames
// are handed out from the lowest address up, and the order restarts at every ResetDirectMap, so
// which frame is next to which is a function of the allocations since the last reset alone: a
// read that runs off the end of one frame reaches the same neighbour in every process. TSan names
// the memory of a race on page bytes "global '...g_direct_map'".
//
// In the ASan build every frame is its own heap block (std::aligned_alloc), so a stray access off
// a frame's end hits the allocator's redzone: an ASan heap-buffer-overflow, whatever lies beyond.
//
// Not `mem_map`: in the kernel, mem_map is the array of `struct page` that describe the frames
// (here internal::Frame, in each Page); the bytes themselves are physical memory.
#ifndef RACEFUZZ_CORE_PAGE_DIRECT_MAP_H_
#define RACEFUZZ_CORE_PAGE_DIRECT_MAP_H_

#include <cstddef>
#include <cstdint>

namespace racefuzz::page::internal {

// The size of a frame: PAGE_SIZE (page.h, which checks that they agree, includes pool.h and so
// cannot be included here).
inline constexpr size_t kFrameSize = 4096;

// The number of frames of physical memory (the array's, outside ASan): at most this many pages
// live or waiting for reuse at once. 4 MiB.
inline constexpr size_t kMaxFrames = 1024;

// The next frame never handed out since the last reset (page-aligned, PAGE_SIZE bytes, contents
// unspecified), or nullptr if all kMaxFrames were (never in the ASan build, where memory is the
// heap's).
uint8_t* FreshFrame();

// Gives up a frame that nobody uses any more, at a reset: the ASan build frees its heap block;
// elsewhere the frame just becomes fresh again.
void DropFrame(uint8_t* bytes);

// The next FreshFrame is the first frame again.
// Safety: every frame handed out since the last reset was dropped (or never will be used again).
void ResetDirectMap();

}  // namespace racefuzz::page::internal

#endif  // RACEFUZZ_CORE_PAGE_DIRECT_MAP_H_
