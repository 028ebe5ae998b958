#include "sw/isa/disasm.h"

#include <fmt/format.h>

namespace npu::isa {
namespace {

/// " | wait compute store" and " | signal load" for the set dependency bits;
/// a bit towards a queue the unit does not have is shown as "?<bit>".
std::string DepsSuffix(Unit unit, const Deps& d) {
  std::string s;
  const auto list = [&](const char* what, uint32_t mask, const auto& queues, bool in) {
    if (mask == 0) return;
    s += fmt::format(" | {}", what);
    for (int i = 0; i < kDepBits; ++i) {
      if (!(mask >> i & 1)) continue;
      const int q = queues[static_cast<int>(unit)][i];
      if (q < 0) {
        s += fmt::format(" ?{}", i);
      } else {
        s += fmt::format(" {}", UnitName(in ? kQueues[q].from : kQueues[q].to));
      }
    }
  };
  list("wait", d.wait, kInQueue, true);
  list("signal", d.signal, kOutQueue, false);
  return s;
}

std::string FieldText(const Word& word, const FieldInfo& f) {
  if (f.is_signed) return fmt::format("{}", GetSignedField(word, f.lsb, f.width));
  const uint32_t v = GetField(word, f.lsb, f.width);
  for (const EnumValue& e : f.values) {
    if (e.value == v) return std::string(e.name);
  }
  if (!f.values.empty()) return fmt::format("?{}", v);
  // Addresses and strides (the 32-bit fields) read best in hex.
  return f.width == 32 ? fmt::format("0x{:x}", v) : fmt::format("{}", v);
}

}  // namespace

std::string Disassemble(const Word& word) {
  const InstrInfo* info = FindInstr(OpcodeOf(word));
  if (info == nullptr) return fmt::format("illegal opcode {}", OpcodeOf(word));
  std::string s(info->name);
  for (const FieldInfo& f : info->fields) {
    s += fmt::format(" {}={}", f.name, FieldText(word, f));
  }
  return s + DepsSuffix(info->unit, DepsOf(word));
}

std::string DisassembleStream(std::span<const Word> words) {
  std::string out;
  for (size_t pc = 0; pc < words.size(); ++pc) {
    out += fmt::format("{:6}: {}\n", pc, Disassemble(words[pc]));
  }
  return out;
}

}  // namespace npu::isa
