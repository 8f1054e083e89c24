#include "nperf/engine/mirrored_buffer.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <utility>

namespace nperf::engine {

std::optional<MirroredBuffer> MirroredBuffer::make(size_t unit, size_t span) {
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  if (unit == 0 || unit % page != 0 || span == 0) return std::nullopt;
  const size_t copies = (span + unit - 1) / unit;
  const size_t total = copies * unit;
  const int fd = ::memfd_create("nperf-mirror", MFD_CLOEXEC);
  if (fd < 0) return std::nullopt;
  if (::ftruncate(fd, static_cast<off_t>(unit)) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  // Reserve the whole run first, then lay the one region over each piece of it.
  void* reserved = ::mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  bool ok = reserved != MAP_FAILED;
  for (size_t i = 0; ok && i < copies; ++i) {
    void* at = static_cast<char*>(reserved) + i * unit;
    ok = ::mmap(at, unit, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == at;
  }
  ::close(fd);  // the mappings hold the memory
  if (!ok) {
    if (reserved != MAP_FAILED) ::munmap(reserved, total);
    return std::nullopt;
  }
  return MirroredBuffer(static_cast<char*>(reserved), unit, total);
}

MirroredBuffer::MirroredBuffer(MirroredBuffer&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)),
      unit_(std::exchange(other.unit_, 0)),
      span_(std::exchange(other.span_, 0)) {}

MirroredBuffer& MirroredBuffer::operator=(MirroredBuffer&& other) noexcept {
  if (this != &other) {
    if (base_) ::munmap(base_, span_);
    base_ = std::exchange(other.base_, nullptr);
    unit_ = std::exchange(other.unit_, 0);
    span_ = std::exchange(other.span_, 0);
  }
  return *this;
}

MirroredBuffer::~MirroredBuffer() {
  if (base_) ::munmap(base_, span_);
}

}  // namespace nperf::engine
