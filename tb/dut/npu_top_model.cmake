# npu_top_model(<config>)
#
# Verilates npu_top with the parameters of a named configuration
# (cmake/gen/npu_configs.cmake) into the static library npu_top_<id>, class
# Vnpu_top_<id>, where <id> is the name with non-alphanumerics replaced by
# '_' (4x4 -> 4x4). Every warning is fatal and FST tracing is compiled in.
# Used by tb/dut/CMakeLists.txt and by the on-demand model build
# (tb/dut/model/CMakeLists.txt), so both verilate alike; the internal
# signals DutModel probes are made readable by tb/dut/npu_top_probes.vlt. Needs
# npu_verilate(), NPU_CONFIG_<config>_PARAMS and NPU_RTL_FILES.
function(npu_top_model cfg)
  if(NOT DEFINED NPU_CONFIG_${cfg}_PARAMS)
    message(FATAL_ERROR "unknown configuration '${cfg}' (spec/configs.toml has: ${NPU_CONFIGS})")
  endif()
  string(REGEX REPLACE "[^A-Za-z0-9_]" "_" cfg_id "${cfg}")
  npu_verilate(npu_top_${cfg_id}
    TOP npu_top
    PREFIX Vnpu_top_${cfg_id}
    SOURCES ${NPU_RTL_FILES}
    PARAMS ${NPU_CONFIG_${cfg}_PARAMS}
    ARGS ${PROJECT_SOURCE_DIR}/rtl/lint/verilator_waivers.vlt
         ${PROJECT_SOURCE_DIR}/tb/dut/npu_top_probes.vlt
    TRACE STRICT)
endfunction()
