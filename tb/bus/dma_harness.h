// Test support: the verilated DMA harness (test/npu_bus_test_dma.sv) with the
// bus models on its ports, stepped by a plain clock loop.

#ifndef NPU_TB_BUS_DMA_HARNESS_H_
#define NPU_TB_BUS_DMA_HARNESS_H_

#include <cstdint>
#include <memory>
#include <stdexcept>

#include "tb/bus/axi_memory.h"
#include "tb/bus/axi_monitor.h"
#include "tb/bus/axi_port.h"
#include "tb/bus/axilite_master.h"

namespace npu::bus::testing {

/// DMA register offsets.
inline constexpr std::uint32_t kDmaSrc = 0x00, kDmaDst = 0x04, kDmaBeats = 0x08, kDmaCtrl = 0x0c,
                               kDmaStatus = 0x10;

/// A verilated DMA model `Model` with an AxiMemory on its master port, an
/// AxiLiteMaster on its register port and an AxiMonitor watching the memory
/// bus. Step() runs one clock cycle the way the kernel would: sample at the
/// settled end of the cycle, rising edge, drive, settle.
template <typename Model>
class DmaHarness {
 public:
  DmaHarness(const AxiMemoryConfig& mem_config, const AxiLiteMasterConfig& lite_config)
      : model_(std::make_unique<Model>()),
        mem(NPU_AXI_MASTER_PORT(*model_, m_axi_), mem_config),
        lite(NPU_AXILITE_SLAVE_PORT(*model_, s_axil_), lite_config),
        monitor(NPU_AXI_MASTER_PORT(*model_, m_axi_), "dma-monitor") {
    model_->clk_i = 0;
    model_->rst_ni = 0;
    mem.Drive();
    lite.Drive();
    model_->eval();
    for (int i = 0; i < 4; ++i) Step();
    model_->rst_ni = 1;
    model_->eval();
  }

  void Step() {
    monitor.Sample();
    mem.Sample();
    lite.Sample();
    model_->clk_i = 1;
    model_->eval();
    mem.Drive();
    lite.Drive();
    model_->eval();
    model_->clk_i = 0;
    model_->eval();
    ++cycles;
  }

  /// Runs until the register master is idle.
  void Settle() {
    for (int i = 0; i < 100000 && !lite.Idle(); ++i) Step();
    if (!lite.Idle()) throw std::runtime_error("AXI-Lite transaction never completed");
  }

  /// Programs and starts a copy, then waits until STATUS says idle; returns
  /// STATUS.
  std::uint32_t Copy(std::uint32_t src, std::uint32_t dst, std::uint32_t beats) {
    lite.SubmitWrite(kDmaSrc, src);
    lite.SubmitWrite(kDmaDst, dst);
    lite.SubmitWrite(kDmaBeats, beats);
    lite.SubmitWrite(kDmaCtrl, 1);
    Settle();
    for (int i = 0; i < 100000; ++i) {
      auto status = lite.SubmitRead(kDmaStatus);
      Settle();
      if ((status->data & 1) == 0) return status->data;
      for (int k = 0; k < 20; ++k) Step();
    }
    throw std::runtime_error("DMA never finished");
  }

  Model& model() { return *model_; }

 private:
  std::unique_ptr<Model> model_;

 public:
  AxiMemory mem;
  AxiLiteMaster lite;
  AxiMonitor monitor;
  std::uint64_t cycles = 0;
};

}  // namespace npu::bus::testing

#endif  // NPU_TB_BUS_DMA_HARNESS_H_
