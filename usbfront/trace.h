/* SPDX-License-Identifier: GPL-2.0 */
/*
 * usbfront tracepoints: every request and response on the URB ring, conn
 * ring events, link changes and protocol errors. usbmon shows the URBs;
 * these show what went over the ring. Enable with
 *   echo 1 > /sys/kernel/tracing/events/usbfront/enable
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM usbfront

#if !defined(USBFRONT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define USBFRONT_TRACE_H

#include <linux/tracepoint.h>

#include "xenusb_compat.h"

TRACE_EVENT(usbfront_request,
	    TP_PROTO(const char *dev, u16 id, u32 pipe, u16 nsegs, u16 len),
	    TP_ARGS(dev, id, pipe, nsegs, len),
	    TP_STRUCT__entry(__string(dev, dev)
			     __field(u16, id)
			     __field(u32, pipe)
			     __field(u16, nsegs)
			     __field(u16, len)),
	    TP_fast_assign(xenusb_assign_str(dev, dev);
			   __entry->id = id;
			   __entry->pipe = pipe;
			   __entry->nsegs = nsegs;
			   __entry->len = len;),
	    TP_printk("%s id %u pipe 0x%08x segs %u len %u", __get_str(dev),
		      __entry->id, __entry->pipe, __entry->nsegs, __entry->len)
);

TRACE_EVENT(usbfront_response,
	    TP_PROTO(const char *dev, u16 id, int status, u32 actual),
	    TP_ARGS(dev, id, status, actual),
	    TP_STRUCT__entry(__string(dev, dev)
			     __field(u16, id)
			     __field(int, status)
			     __field(u32, actual)),
	    TP_fast_assign(xenusb_assign_str(dev, dev);
			   __entry->id = id;
			   __entry->status = status;
			   __entry->actual = actual;),
	    TP_printk("%s id %u status %d actual %u", __get_str(dev),
		      __entry->id, __entry->status, __entry->actual)
);

TRACE_EVENT(usbfront_conn,
	    TP_PROTO(const char *dev, u8 port, u8 speed),
	    TP_ARGS(dev, port, speed),
	    TP_STRUCT__entry(__string(dev, dev)
			     __field(u8, port)
			     __field(u8, speed)),
	    TP_fast_assign(xenusb_assign_str(dev, dev);
			   __entry->port = port;
			   __entry->speed = speed;),
	    TP_printk("%s port %u speed %u", __get_str(dev), __entry->port,
		      __entry->speed)
);

TRACE_EVENT(usbfront_link,
	    TP_PROTO(const char *dev, int state),
	    TP_ARGS(dev, state),
	    TP_STRUCT__entry(__string(dev, dev)
			     __field(int, state)),
	    TP_fast_assign(xenusb_assign_str(dev, dev);
			   __entry->state = state;),
	    TP_printk("%s link %s", __get_str(dev),
		      __print_symbolic(__entry->state, { 0, "down" },
				       { 1, "up" }, { 2, "broken" }))
);

TRACE_EVENT(usbfront_error,
	    TP_PROTO(const char *dev, const char *what),
	    TP_ARGS(dev, what),
	    TP_STRUCT__entry(__string(dev, dev)
			     __string(what, what)),
	    TP_fast_assign(xenusb_assign_str(dev, dev);
			   xenusb_assign_str(what, what);),
	    TP_printk("%s %s", __get_str(dev), __get_str(what))
);

#endif /* USBFRONT_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
