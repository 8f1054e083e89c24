#pragma once
// A run of address space in which one small region of memory appears again
// and again, end to end: `span` bytes to the syscall, `unit` bytes to the
// caches.
//
// Why: a TCP call of 1 MiB from (or into) a flat 1 MiB buffer keeps 1 MiB per
// stream hot in the core's cache; two streams' senders and receivers on one
// core (-P 2 on two cores) then evict each other's buffers on every call
// (docs/architecture.md, "Buffers the size of a call"). Repeating a smaller
// region through iovecs keeps the cache footprint small, but a call over
// several iovecs takes the kernel's slower iovec copy path; a mirrored
// mapping is one flat buffer to the kernel and `unit` bytes to the caches.
//
// Only for bytes that are sent as a repeated pattern or received to be
// discarded: a write through one copy shows in every other.
#include <cstddef>
#include <optional>

namespace nperf::engine {

class MirroredBuffer {
 public:
  // `unit` must be a whole number of pages; `span` is rounded up to a whole
  // number of units. nullopt when the kernel refuses (no memfd, no address
  // space): the caller keeps its plain buffer.
  static std::optional<MirroredBuffer> make(size_t unit, size_t span);

  MirroredBuffer(MirroredBuffer&& other) noexcept;
  MirroredBuffer& operator=(MirroredBuffer&& other) noexcept;
  MirroredBuffer(const MirroredBuffer&) = delete;
  MirroredBuffer& operator=(const MirroredBuffer&) = delete;
  ~MirroredBuffer();

  char* data() const { return base_; }
  size_t unit() const { return unit_; }
  size_t span() const { return span_; }

 private:
  MirroredBuffer(char* base, size_t unit, size_t span) : base_(base), unit_(unit), span_(span) {}
  char* base_ = nullptr;
  size_t unit_ = 0;
  size_t span_ = 0;
};

}  // namespace nperf::engine
