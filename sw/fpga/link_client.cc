#include "sw/fpga/link_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "sw/gen/npu_link.h"

namespace npu::fpga {

namespace {

// Bytes per memory command: the status of each comes back before the next
// is sent, so that a range error names its piece.
constexpr size_t kPiece = 4096;

}  // namespace

LinkClient::LinkClient(SerialPort& port, std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout) {}

void LinkClient::Send(uint8_t cmd, std::span<const uint32_t> args) {
  std::vector<uint8_t> bytes{cmd};
  for (uint32_t a : args) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<uint8_t>(a >> (8 * i)));
  }
  port_.Write(bytes);
}

void LinkClient::ExpectOk(uint8_t cmd, const char* what) {
  uint8_t status = 0;
  port_.Read(std::span(&status, 1), timeout_, what);
  if (status == link::kStatusOk) return;
  if (status == link::kStatusRange) {
    throw LinkError(
        fmt::format("{}: the board refused {} (range error: outside its memory or "
                    "register file, or a bus error)",
                    port_.Path(), what));
  }
  if (status == link::kStatusUnknown) {
    throw LinkError(
        fmt::format("{}: the board does not know command 0x{:02x} ({})", port_.Path(), cmd, what));
  }
  throw LinkError(
      fmt::format("{}: unexpected status byte 0x{:02x} for {}; is this an npu board "
                  "at the right baud rate?",
                  port_.Path(), status, what));
}

uint32_t LinkClient::ReadWord(const char* what) {
  std::array<uint8_t, 4> b{};
  port_.Read(b, timeout_, what);
  return uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
}

BoardInfo LinkClient::Info() {
  Send(link::kCmdInfo, {});
  ExpectOk(link::kCmdInfo, "info");
  std::array<uint32_t, link::kInfoWords> w{};
  for (uint32_t& x : w) x = ReadWord("info");
  if (w[link::kInfoMagic] != link::kMagic) {
    throw LinkError(
        fmt::format("{}: the board answered info with magic 0x{:08x}, not 0x{:08x}; "
                    "is it running the npu bitstream?",
                    port_.Path(), w[link::kInfoMagic], link::kMagic));
  }
  BoardInfo info;
  info.version = w[link::kInfoVersion];
  info.mem_base = w[link::kInfoMemBase];
  info.mem_bytes = w[link::kInfoMemBytes];
  info.clock_hz = w[link::kInfoClockHz];
  info.baud = w[link::kInfoBaud];
  if (info.version != link::kVersion) {
    throw LinkError(
        fmt::format("{}: the board speaks link protocol version {}, this runtime {}; "
                    "rebuild the bitstream or the runtime from the same sources",
                    port_.Path(), info.version, link::kVersion));
  }
  return info;
}

void LinkClient::MemWrite(uint32_t addr, std::span<const uint8_t> data) {
  for (size_t off = 0; off < data.size(); off += kPiece) {
    const auto piece = data.subspan(off, std::min(kPiece, data.size() - off));
    const uint32_t a = addr + static_cast<uint32_t>(off);
    const std::array<uint32_t, 2> args{a, static_cast<uint32_t>(piece.size())};
    Send(link::kCmdMemWrite, args);
    port_.Write(piece);
    ExpectOk(link::kCmdMemWrite,
             fmt::format("a write of {} bytes at 0x{:08x}", piece.size(), a).c_str());
  }
}

void LinkClient::MemRead(uint32_t addr, std::span<uint8_t> out) {
  for (size_t off = 0; off < out.size(); off += kPiece) {
    const auto piece = out.subspan(off, std::min(kPiece, out.size() - off));
    const uint32_t a = addr + static_cast<uint32_t>(off);
    const std::array<uint32_t, 2> args{a, static_cast<uint32_t>(piece.size())};
    Send(link::kCmdMemRead, args);
    const std::string what = fmt::format("a read of {} bytes at 0x{:08x}", piece.size(), a);
    ExpectOk(link::kCmdMemRead, what.c_str());
    port_.Read(piece, timeout_, what.c_str());
  }
}

void LinkClient::RegWrite(uint32_t offset, uint32_t value) {
  const std::array<uint32_t, 2> args{offset, value};
  Send(link::kCmdRegWrite, args);
  ExpectOk(link::kCmdRegWrite, fmt::format("a write of register 0x{:03x}", offset).c_str());
}

uint32_t LinkClient::RegRead(uint32_t offset) {
  const std::array<uint32_t, 1> args{offset};
  Send(link::kCmdRegRead, args);
  const std::string what = fmt::format("a read of register 0x{:03x}", offset);
  ExpectOk(link::kCmdRegRead, what.c_str());
  return ReadWord(what.c_str());
}

}  // namespace npu::fpga
