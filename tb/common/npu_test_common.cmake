# Makes the target npu_test_common available to a test folder even when
# tb/common is not in NPU_SUBDIRS (a restricted build, or a build folder whose
# cache predates tb/common): include() this before linking npu_test_common.
if(NOT TARGET npu_test_common)
  add_subdirectory(${PROJECT_SOURCE_DIR}/tb/common ${PROJECT_BINARY_DIR}/tb/common)
endif()
