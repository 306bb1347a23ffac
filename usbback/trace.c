// SPDX-License-Identifier: GPL-2.0
/*
 * usbback: the tracepoints of trace.h, defined once.  A file of its own,
 * so that every file that traces depends on this one only, not on the
 * module's entry points.
 */
#define CREATE_TRACE_POINTS
#include "common.h"
#include "trace.h"
