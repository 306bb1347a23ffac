# SPDX-License-Identifier: GPL-2.0
#
# Kernel API feature tests, included by every Kbuild file of the project.
# Each test looks at what the kernel's headers declare, never at the
# version number, so that stable and distribution backports are handled;
# it adds -DXENUSB_HAVE_<FEATURE> when the newer API is there, and
# include/xenusb_compat.h maps the project's one spelling onto either API.

# $(call xenusb_has,ERE,HEADER,FEATURE): -DXENUSB_HAVE_FEATURE when HEADER
# (relative to the kernel's include/) has a line matching ERE.
xenusb_has = $(shell grep -qsE '$(1)' $(srctree)/include/$(2) && echo -DXENUSB_HAVE_$(3))

# __assign_str() takes only the field since 6.10 (the source is the one
# given to __string()).
xenusb_re_assign_str1 := define[[:space:]]+__assign_str[(]dst[)]
# timer_delete_sync(), the name of del_timer_sync() since 6.2 (Debian's 6.1
# has it; del_timer_sync() is gone since 6.15).
xenusb_re_timer_delete := [[:space:]]timer_delete_sync[(]
# timer_container_of(), the name of from_timer() since 6.16.
xenusb_re_timer_container := define[[:space:]]+timer_container_of[(]
# xenbus_read_driver_state() takes the xenbus_device first since 7.0.
xenusb_re_xb_state_dev := xenbus_read_driver_state[(][^)]*xenbus_device

ccflags-y += $(call xenusb_has,$(xenusb_re_assign_str1),trace/stages/stage6_event_callback.h,ASSIGN_STR_1ARG)
ccflags-y += $(call xenusb_has,$(xenusb_re_timer_delete),linux/timer.h,TIMER_DELETE_SYNC)
ccflags-y += $(call xenusb_has,$(xenusb_re_timer_container),linux/timer.h,TIMER_CONTAINER_OF)
ccflags-y += $(call xenusb_has,$(xenusb_re_xb_state_dev),xen/xenbus.h,XENBUS_STATE_DEV)
