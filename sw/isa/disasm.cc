#include "sw/isa/disasm.h"

#include <fmt/format.h>

namespace npu::isa {
namespace {

std::string DepsSuffix(const Deps& d) {
  std::string s;
  const auto add = [&s](bool on, const char* name) {
    if (!on) return;
    s += s.empty() ? " | " : " ";
    s += name;
  };
  add(d.wait_prev, "wait_prev");
  add(d.wait_next, "wait_next");
  add(d.signal_prev, "signal_prev");
  add(d.signal_next, "signal_next");
  return s;
}

std::string SpadName(uint32_t spad) {
  switch (spad) {
    case 0:
      return "A";
    case 1:
      return "B";
    case 2:
      return "P";
    default:
      return fmt::format("spad{}", spad);
  }
}

}  // namespace

std::string Disassemble(const Word& word) {
  switch (OpcodeOf(word)) {
    case static_cast<uint32_t>(Opcode::kLoad): {
      const LoadInstr i = LoadInstr::Decode(word);
      return fmt::format(
          "load  {}[{}+c*{}] <- 0x{:08x} planes={} src_c_stride=0x{:x} src_row_stride=0x{:x} "
          "hw={}x{} win={}x{}@({},{})/{},{} pad={}{}",
          SpadName(i.spad), i.dst_row, i.dst_c_stride, i.src_addr, i.nc, i.src_c_stride,
          i.src_row_stride, i.h, i.w, i.ny, i.nx, i.y0, i.x0, i.sy, i.sx, i.pad,
          DepsSuffix(i.deps));
    }
    case static_cast<uint32_t>(Opcode::kCompute): {
      const ComputeInstr i = ComputeInstr::Decode(word);
      return fmt::format("compute acc[{}] {} A[{}+k*{}] * B[{}] m={} nk={}{}", i.acc_row,
                         i.accumulate ? "+=" : "=", i.a_row, i.a_k_stride, i.b_row, i.m, i.nk,
                         DepsSuffix(i.deps));
    }
    case static_cast<uint32_t>(Opcode::kStore): {
      const StoreInstr i = StoreInstr::Decode(word);
      return fmt::format("store 0x{:08x}+y*0x{:x} <- acc[{}] P[{}] ny={} nx={} zp={} act=[{},{}]{}",
                         i.dst_addr, i.dst_row_stride, i.acc_row, i.p_row, i.ny, i.nx, i.out_zp,
                         i.act_min, i.act_max, DepsSuffix(i.deps));
    }
    default:
      return fmt::format("illegal opcode {}", OpcodeOf(word));
  }
}

std::string DisassembleStream(std::span<const Word> words) {
  std::string out;
  for (size_t pc = 0; pc < words.size(); ++pc) {
    out += fmt::format("{:6}: {}\n", pc, Disassemble(words[pc]));
  }
  return out;
}

}  // namespace npu::isa
