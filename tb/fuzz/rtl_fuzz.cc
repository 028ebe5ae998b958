// libFuzzer target: the RTL's instruction interface (scripts/fuzz.sh rtl).
//
// The input is an instruction stream, 32 bytes per instruction (at most
// kMaxInstr; a short last one is zero-padded), run on the verilated npu_top
// (4x4, verilated by scripts/fuzz.sh) from a memory image that holds the
// stream and a fixed byte pattern, with the AXI4 protocol monitor on and a
// watchdog of kWatchdog cycles. Opcodes, dependency flags, reserved bits
// and every field are the fuzzer's, except that the count fields (named in
// kCountFields) keep their low 4 bits, so any stream the hardware accepts
// ends within kMaxCycles. A finding (the process aborts) is:
//  - a hang: no interrupt within kMaxCycles cycles, or a stream that neither
//    completed nor stopped with an error (the STATUS and ERR_CAUSE read after
//    the interrupt);
//  - any RTL assertion ($error): none is meant to fire on illegal input;
//  - an AXI4 protocol violation seen by the monitor or the memory model;
//  - a soft reset that does not bring the NPU back (a second, fixed stream
//    must then complete).
#include <fmt/format.h>
#include <verilated.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "Vnpu_top_fuzz.h"
// The model's internals (DutModel's probes); Verilator declares them with
// anonymous structs, which -Wpedantic rejects.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include "Vnpu_top_fuzz___024root.h"
#pragma GCC diagnostic pop
#include "sw/gen/npu_configs.h"
#include "sw/gen/npu_isa.h"
#include "sw/gen/npu_regs.h"
#include "tb/dut/dut_model.h"
#include "tb/dut/npu_harness.h"

namespace npu::dut {
namespace {

constexpr const char* kConfig = "4x4";
constexpr uint32_t kBase = 0x10000000;
constexpr uint32_t kWindow = 1u << 16;
constexpr size_t kMaxInstr = 16;
constexpr uint32_t kWatchdog = 2000;
constexpr uint64_t kMaxCycles = 400000;
constexpr std::string_view kCountFields[] = {"nc", "ny", "nx", "h",  "w", "m",
                                             "nk", "ih", "iw", "oh", "ow"};

class FuzzModel final : public DutModel {
 public:
  FuzzModel() : context_(std::make_unique<VerilatedContext>()) {
    context_->fatalOnError(false);
    model_ = std::make_unique<Vnpu_top_fuzz>(context_.get(), "npu_top");
    probes_ = NPU_CORE_PROBES(*model_);
    hw_ = FindHwConfig(kConfig);
  }
  ~FuzzModel() override {
    Verilated::threadContextp(context_.get());
    model_->final();
  }
  const HwConfig& Config() const override { return *hw_; }
  void Eval() override { model_->eval(); }
  void MakeCurrent() override { Verilated::threadContextp(context_.get()); }
  uint8_t* Clk() override { return &model_->clk_i; }
  uint8_t* RstN() override { return &model_->rst_ni; }
  bool Irq() const override { return model_->irq_o != 0; }
  bool GotError() const override { return context_->gotError(); }
  const CoreProbes& Probes() const override { return probes_; }
  bus::AxiPort MemPort() override { return NPU_AXI_MASTER_PORT(*model_, m_axi_); }
  bus::AxiLitePort CsrPort() override { return NPU_AXILITE_SLAVE_PORT(*model_, s_axil_); }
  void OpenTrace(const std::string&) override {}
  void Dump(uint64_t) override {}
  void CloseTrace() override {}

 private:
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vnpu_top_fuzz> model_;
  CoreProbes probes_;
  const HwConfig* hw_ = nullptr;
};

[[noreturn]] void Finding(const std::string& what) {
  std::fprintf(stderr, "rtl_fuzz: FINDING: %s\n", what.c_str());
  std::abort();
}

// The stream of the input, count fields cut to their low 4 bits.
std::vector<isa::Word> StreamOf(const uint8_t* data, size_t size) {
  const size_t n = std::min(kMaxInstr, (size + isa::kInstrBytes - 1) / isa::kInstrBytes);
  std::vector<isa::Word> words(n);
  std::memcpy(words.data(), data, std::min(size, n * isa::kInstrBytes));
  for (isa::Word& w : words) {
    const isa::InstrInfo* in = isa::FindInstr(isa::OpcodeOf(w));
    if (in == nullptr) continue;
    for (const isa::FieldInfo& f : in->fields) {
      for (std::string_view c : kCountFields) {
        if (f.name == c)
          isa::SetField(w, f.lsb, f.width, isa::GetField(w, f.lsb, f.width) & 15, "");
      }
    }
  }
  return words;
}

// Seed streams: a GEMM tile (loads into P, A and B, compute, store) and a
// max pooling (load, window, store), legal and chained by tokens as the
// compiler chains them, and each opcode with every field zero.
void WriteSeeds(const std::string& dir) {
  const auto write = [&](const std::string& name, const std::vector<isa::Word>& words) {
    std::FILE* f = std::fopen((dir + "/" + name).c_str(), "wb");
    if (f == nullptr) Finding("cannot write seed " + dir + "/" + name);
    std::fwrite(words.data(), isa::kInstrBytes, words.size(), f);
    std::fclose(f);
  };
  const auto rows = [](isa::Spad spad, uint32_t src, uint32_t n, uint32_t dst) {
    isa::LoadInstr l;
    l.spad = spad;
    l.sy = l.sx = 1;
    l.nc = 1;
    l.src_addr = kBase + src;
    l.src_row_stride = n * 4;
    l.dst_row = dst;
    l.h = 1;
    l.w = l.nx = n;
    l.ny = 1;
    return l;
  };
  isa::StoreInstr st;
  st.act_min = -128;
  st.act_max = 127;
  st.ny = 1;
  st.nx = 4;
  st.dst_addr = kBase + 0x8000;
  st.dst_row_stride = 16;
  {
    isa::LoadInstr p = rows(isa::Spad::kP, 0x1000, 9, 0), a = rows(isa::Spad::kA, 0x2000, 4, 0),
                   b = rows(isa::Spad::kB, 0x3000, 4, 0);
    b.deps.signal = isa::LoadInstr::kSignalCompute;
    isa::ComputeInstr c;
    c.m = 4;
    c.nk = 1;
    c.a_k_stride = 4;
    c.deps.wait = isa::ComputeInstr::kWaitLoad;
    c.deps.signal = isa::ComputeInstr::kSignalStore;
    isa::StoreInstr s = st;
    s.deps.wait = isa::StoreInstr::kWaitCompute;
    write("gemm", {p.Encode(), a.Encode(), b.Encode(), c.Encode(), s.Encode()});
  }
  {
    isa::LoadInstr p = rows(isa::Spad::kP, 0x1000, 9, 0), a = rows(isa::Spad::kA, 0x2000, 16, 0);
    a.deps.signal = isa::LoadInstr::kSignalWindow;
    isa::WindowInstr w;
    w.mode = isa::WindowMode::kMax;
    w.kh = w.kw = w.sy = w.sx = 2;
    w.nc = 1;
    w.ih = w.iw = 4;
    w.oh = w.ow = 2;
    w.y_hi = w.x_hi = 4;
    w.deps.wait = isa::WindowInstr::kWaitLoad;
    w.deps.signal = isa::WindowInstr::kSignalStore;
    isa::StoreInstr s = st;
    s.deps.wait = isa::StoreInstr::kWaitWindow;
    write("pool", {p.Encode(), a.Encode(), w.Encode(), s.Encode()});
  }
  for (const isa::InstrInfo& in : isa::kInstrs) {
    isa::Word w{};
    w[0] = uint32_t(in.opcode);
    write(std::string("zero_") + std::string(in.name), {w});
  }
}

}  // namespace

std::unique_ptr<DutModel> MakeDutModel(std::string_view) { return std::make_unique<FuzzModel>(); }

}  // namespace npu::dut

// With NPU_RTL_FUZZ_SEEDS=<dir> the program writes its seed streams there
// and exits (scripts/fuzz.sh).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("NPU_RTL_FUZZ_SEEDS")) {
    npu::dut::WriteSeeds(dir);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace npu;
  if (size == 0) return 0;
  const std::vector<isa::Word> stream = dut::StreamOf(data, size);
  dut::HarnessOptions o;
  o.mem = bus::AxiMemoryConfig::Default(size);
  dut::NpuHarness h(dut::kConfig, o);
  std::vector<uint8_t> image(dut::kWindow);
  for (size_t i = 0; i < image.size(); ++i) image[i] = uint8_t(i * 37 + (i >> 8));
  std::memcpy(image.data(), stream.data(), stream.size() * isa::kInstrBytes);
  h.Mem().Write(dut::kBase, image);
  try {
    h.Run([&](dut::NpuHarness& h) -> sim::Task<> {
      co_await h.WriteReg(regs::kWatchdog, dut::kWatchdog);
      co_await h.StartStream(dut::kBase, dut::kWindow, dut::kBase, uint32_t(stream.size()));
      co_await h.WaitIrq(dut::kMaxCycles);
      const uint32_t status = co_await h.ReadReg(regs::kStatus);
      const uint32_t cause = co_await h.ReadReg(regs::kErrCause);
      if ((status & regs::kStatusBusyMask) != 0 && cause == 0) {
        dut::Finding(fmt::format("interrupt while busy without an error (STATUS=0x{:x})", status));
      }
      const dut::StreamOutcome out = co_await h.Collect();  // soft reset after an error
      (void)out;
      // The device must run again: a stream of one no-op load.
      isa::LoadInstr nop;  // zero counts, legal steps
      nop.sy = nop.sx = 1;
      const isa::Word word = nop.Encode();
      h.Mem().Write(dut::kBase,
                    std::span(reinterpret_cast<const uint8_t*>(word.data()), isa::kInstrBytes));
      const dut::StreamOutcome again =
          co_await h.RunStream(dut::kBase, dut::kWindow, dut::kBase, 1, dut::kMaxCycles);
      if (!again.status.ok) {
        dut::Finding("a no-op stream after the soft reset failed: " + again.status.Describe());
      }
    });
  } catch (const std::exception& e) {
    dut::Finding(e.what());
  }
  return 0;
}
