rtl/gen/npu_link_pkg.sv
rtl/fpga/npu_uart_rx.sv
rtl/fpga/npu_uart_tx.sv
rtl/fpga/npu_fpga_mem.sv
rtl/fpga/npu_link.sv
rtl/fpga/npu_fpga_top.sv
