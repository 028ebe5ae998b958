// Example testbench binary: every testbench's main() is just RunTests.
#include "tb/sim/runner.h"

int main(int argc, char** argv) { return npu::sim::RunTests(argc, argv); }
