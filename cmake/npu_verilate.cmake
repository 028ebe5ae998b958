# npu_verilate(<target> TOP <module> SOURCES <sv files...>
#              [PARAMS Name=Value ...] [TRACE] [STRICT])
#
# Verilates an RTL top into a static library <target> with optimisation
# (-O3 on the generated C++; Verilator's default -Os is several times slower
# for this design) and assertions on. With TRACE, FST tracing is compiled in
# (enabled at run time only when a test asks for a waveform). With STRICT,
# any Verilator warning (including UNOPTFLAT, which only a full verilation
# finds) fails the build. In a coverage build (NPU_COVERAGE) every model
# also counts line, toggle and user coverage (tb/cov collects it); in an
# NPU_X_RANDOM build X values and initial values are random (unique).
function(npu_verilate target)
  cmake_parse_arguments(ARG "TRACE;STRICT" "TOP;PREFIX" "SOURCES;PARAMS;ARGS" ${ARGN})
  if(NOT ARG_PREFIX)
    set(ARG_PREFIX V${ARG_TOP})
  endif()
  # X values: fast (as zeros) normally; random and different per variable in
  # an NPU_X_RANDOM build.
  set(x_mode fast)
  if(NPU_X_RANDOM)
    set(x_mode unique)
  endif()
  set(vargs --assert -O3 --x-assign ${x_mode} --x-initial ${x_mode}
            -Wno-DECLFILENAME -Wno-UNUSEDPARAM
            "-I${PROJECT_SOURCE_DIR}/rtl/gen" "-I${PROJECT_SOURCE_DIR}/rtl/prim")
  if(NOT ARG_STRICT)
    list(APPEND vargs -Wno-fatal)
  endif()
  foreach(p ${ARG_PARAMS})
    list(APPEND vargs "-G${p}")
  endforeach()
  list(APPEND vargs ${ARG_ARGS})
  set(trace_args)
  if(ARG_TRACE)
    set(trace_args TRACE_FST)
  endif()
  if(NPU_COVERAGE)
    list(APPEND trace_args COVERAGE)
  endif()
  add_library(${target} STATIC)
  verilate(${target} ${trace_args}
    PREFIX ${ARG_PREFIX}
    TOP_MODULE ${ARG_TOP}
    SOURCES ${ARG_SOURCES}
    VERILATOR_ARGS ${vargs}
    OPT_SLOW -O0 OPT_FAST -O3 OPT_GLOBAL -O2)
  # The trace-dumping code runs only when a test asks for a waveform; at -O3
  # it is the slowest file of a model to compile (47 s against 21 s at -O1
  # for npu_top 16x16), and -O1 still dumps at a usable speed. The "slow"
  # code (construction, trace declarations) runs once, hence -O0 above
  # (88 s at -O1, 12 s at -O0).
  get_target_property(vsources ${target} SOURCES)
  foreach(src ${vsources})
    if(src MATCHES "__Trace__[0-9]+\\.cpp$")
      set_property(SOURCE "${src}" APPEND_STRING PROPERTY COMPILE_FLAGS " -O1")
    endif()
  endforeach()
  # Generated code: no warnings and no debug info (debug info for the large
  # generated files costs minutes of build time and is not useful).
  target_compile_options(${target} PRIVATE -w -g0)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
