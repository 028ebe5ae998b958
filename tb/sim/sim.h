// Umbrella header of the simulation kernel (everything but tracer.h,
// which needs Verilator's headers).
#pragma once

#include "tb/sim/check.h"
#include "tb/sim/clock.h"
#include "tb/sim/combine.h"
#include "tb/sim/errors.h"
#include "tb/sim/event.h"
#include "tb/sim/kernel.h"
#include "tb/sim/lock.h"
#include "tb/sim/queue.h"
#include "tb/sim/runner.h"
#include "tb/sim/task.h"
#include "tb/sim/task_handle.h"
#include "tb/sim/timeout.h"
#include "tb/sim/triggers.h"
