/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The contract between the cBPF->eBPF translator (extcap/filter_xlate.c) and the filter stubs
 * in the BPF objects (bpf/filter_stub.h). A stub is a BPF subprogram
 *     __u32 stub(const __u8 *window, __u32 caplen, __u32 wirelen)
 * whose body is a marker and a slide of `goto +0` that user space overwrites, before the
 * object is opened, with the translated filter. window is a map value of
 * BPFCAP_FILTER_WINDOW bytes holding the first caplen bytes of the packet; wirelen is the
 * packet's real length. The return value is the classic filter's: 0 rejects.
 */
#ifndef BPFCAP_FILTER_ABI_H
#define BPFCAP_FILTER_ABI_H

#define BPFCAP_FILTER_WINDOW   512	  /* bytes of each packet the filter can look at */
#define BPFCAP_FILTER_SLOTS    4000	  /* `goto +0` slots in a stub */
#define BPFCAP_FILTER_MAGIC_L2 0x4c325350 /* first instruction: r0 = MAGIC */
#define BPFCAP_FILTER_MAGIC_L3 0x4c335350
#define BPFCAP_FILTER_MAGIC2   0x62706663 /* second instruction: r0 = MAGIC2 */

#endif
