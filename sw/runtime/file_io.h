/// @file
/// Whole-file reads and atomic writes for the loaders and writers of the
/// runtime and the tools (.npy, .npub, reports): a write goes to a
/// temporary file in the same directory, is flushed to disk and renamed,
/// so that a failure never leaves a partial or a temporary file behind.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace npu::runtime {

/// A file that cannot be read or written; the message names the path and
/// the reason (errno's text).
class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The bytes of @p path. @throws FileError ("PATH: cannot open: ...",
/// "cannot read: ..."; a directory is refused).
std::vector<uint8_t> ReadFile(const std::string& path);

/// Writes @p bytes to @p path atomically (temporary file, fsync, rename).
/// @throws FileError ("PATH: cannot write: ..."); nothing is left behind.
void WriteFileAtomically(const std::string& path, std::span<const uint8_t> bytes);

/// WriteFileAtomically of a text.
void WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace npu::runtime
