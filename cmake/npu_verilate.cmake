# npu_verilate(<target> TOP <module> SOURCES <sv files...>
#              [PARAMS Name=Value ...] [TRACE] [STRICT])
#
# Verilates an RTL top into a static library <target> with optimisation
# (-O3 on the generated C++; Verilator's default -Os is several times slower
# for this design) and assertions on. With TRACE, FST tracing is compiled in
# (enabled at run time only when a test asks for a waveform). With STRICT,
# any Verilator warning (including UNOPTFLAT, which only a full verilation
# finds) fails the build.
function(npu_verilate target)
  cmake_parse_arguments(ARG "TRACE;STRICT" "TOP;PREFIX" "SOURCES;PARAMS;ARGS" ${ARGN})
  if(NOT ARG_PREFIX)
    set(ARG_PREFIX V${ARG_TOP})
  endif()
  set(vargs --assert -O3 --x-assign fast --x-initial fast
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
  add_library(${target} STATIC)
  verilate(${target} ${trace_args}
    PREFIX ${ARG_PREFIX}
    TOP_MODULE ${ARG_TOP}
    SOURCES ${ARG_SOURCES}
    VERILATOR_ARGS ${vargs}
    OPT_SLOW -O1 OPT_FAST -O3 OPT_GLOBAL -O2)
  # Generated code: no warnings and no debug info (debug info for the large
  # generated files costs minutes of build time and is not useful).
  target_compile_options(${target} PRIVATE -w -g0)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
