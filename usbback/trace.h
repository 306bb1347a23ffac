/* SPDX-License-Identifier: GPL-2.0 */
/*
 * usbback tracepoints: one per event from the frontend (in the
 * interrupt handler), one per validated request reaching the glue, one per
 * request submitted to the host, one per host URB completion, one per
 * response pushed, one per unlink and one per hotplug event on the conn
 * ring.  The request, submit, urb_done and complete events of one request
 * carry its id: the bench (tests/e2e) cuts a request's time in dom0 into
 * stages with them.  Enable with
 *   echo 1 > /sys/kernel/tracing/events/usbback/enable
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM usbback

#if !defined(USBBACK_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define USBBACK_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(usbback_event,
	    TP_PROTO(int domid, unsigned int devid),
	    TP_ARGS(domid, devid),
	    TP_STRUCT__entry(__field(int, domid)
			     __field(unsigned int, devid)),
	    TP_fast_assign(__entry->domid = domid;
			   __entry->devid = devid;),
	    TP_printk("dom%d/%u", __entry->domid, __entry->devid)
);

TRACE_EVENT(usbback_request,
	    TP_PROTO(int domid, unsigned int devid, u16 id, u32 pipe),
	    TP_ARGS(domid, devid, id, pipe),
	    TP_STRUCT__entry(__field(int, domid)
			     __field(unsigned int, devid)
			     __field(u16, id)
			     __field(u32, pipe)),
	    TP_fast_assign(__entry->domid = domid;
			   __entry->devid = devid;
			   __entry->id = id;
			   __entry->pipe = pipe;),
	    TP_printk("dom%d/%u id %u pipe 0x%08x",
		      __entry->domid, __entry->devid, __entry->id,
		      __entry->pipe)
);

TRACE_EVENT(usbback_submit,
	    TP_PROTO(int domid, unsigned int devid, u8 port, u16 id, u32 pipe,
		     u32 length),
	    TP_ARGS(domid, devid, port, id, pipe, length),
	    TP_STRUCT__entry(__field(int, domid)
			     __field(unsigned int, devid)
			     __field(u8, port)
			     __field(u16, id)
			     __field(u32, pipe)
			     __field(u32, length)),
	    TP_fast_assign(__entry->domid = domid;
			   __entry->devid = devid;
			   __entry->port = port;
			   __entry->id = id;
			   __entry->pipe = pipe;
			   __entry->length = length;),
	    TP_printk("dom%d/%u port %u id %u pipe 0x%08x len %u",
		      __entry->domid, __entry->devid, __entry->port,
		      __entry->id, __entry->pipe, __entry->length)
);

TRACE_EVENT(usbback_urb_done,
	    TP_PROTO(int domid, unsigned int devid, u16 id, int status,
		     u32 actual),
	    TP_ARGS(domid, devid, id, status, actual),
	    TP_STRUCT__entry(__field(int, domid)
			     __field(unsigned int, devid)
			     __field(u16, id)
			     __field(int, status)
			     __field(u32, actual)),
	    TP_fast_assign(__entry->domid = domid;
			   __entry->devid = devid;
			   __entry->id = id;
			   __entry->status = status;
			   __entry->actual = actual;),
	    TP_printk("dom%d/%u id %u urb status %d actual %u",
		      __entry->domid, __entry->devid, __entry->id,
		      __entry->status, __entry->actual)
);

TRACE_EVENT(usbback_complete,
	    TP_PROTO(int domid, unsigned int devid, u8 port, u16 id, s32 status,
		     u32 actual),
	    TP_ARGS(domid, devid, port, id, status, actual),
	    TP_STRUCT__entry(__field(int, domid)
			     __field(unsigned int, devid)
			     __field(u8, port)
			     __field(u16, id)
			     __field(s32, status)
			     __field(u32, actual)),
	    TP_fast_assign(__entry->domid = domid;
			   __entry->devid = devid;
			   __entry->port = port;
			   __entry->id = id;
			   __entry->status = status;
			   __entry->actual = actual;),
	    TP_printk("dom%d/%u port %u id %u status %d actual %u",
		      __entry->domid, __entry->devid, __entry->port,
		      __entry->id, __entry->status, __entry->actual)
);

TRACE_EVENT(usbback_unlink,
	    TP_PROTO(int domid, unsigned int devid, u8 port, u16 id, u16 victim,
		     bool found),
	    TP_ARGS(domid, devid, port, id, victim, found),
	    TP_STRUCT__entry(__field(int, domid)
			     __field(unsigned int, devid)
			     __field(u8, port)
			     __field(u16, id)
			     __field(u16, victim)
			     __field(bool, found)),
	    TP_fast_assign(__entry->domid = domid;
			   __entry->devid = devid;
			   __entry->port = port;
			   __entry->id = id;
			   __entry->victim = victim;
			   __entry->found = found;),
	    TP_printk("dom%d/%u port %u id %u unlinks %u%s",
		      __entry->domid, __entry->devid, __entry->port,
		      __entry->id, __entry->victim,
		      __entry->found ? "" : " (not in flight)")
);

TRACE_EVENT(usbback_hotplug,
	    TP_PROTO(int domid, unsigned int devid, u8 port, u8 speed),
	    TP_ARGS(domid, devid, port, speed),
	    TP_STRUCT__entry(__field(int, domid)
			     __field(unsigned int, devid)
			     __field(u8, port)
			     __field(u8, speed)),
	    TP_fast_assign(__entry->domid = domid;
			   __entry->devid = devid;
			   __entry->port = port;
			   __entry->speed = speed;),
	    TP_printk("dom%d/%u port %u speed %u",
		      __entry->domid, __entry->devid, __entry->port,
		      __entry->speed)
);
#endif /* USBBACK_TRACE_H */

/* Out-of-tree build: the header sits next to the sources. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
