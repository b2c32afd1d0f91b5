/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Checks of what extcap/filter_xlate.c emits, without the kernel (fuzz_xlate, fuzz_filter):
 *   xc_check_static()  the structure the stub contract and the verifier need: exactly `slots`
 *                      instructions ending in the one exit, the fixed prologue, forward jumps
 *                      that land inside the program, every instruction reachable, r0 set on
 *                      every path to the exit, packet loads only through the window register
 *                      (r6) at offsets below BPFCAP_FILTER_WINDOW and within the window
 *                      it reported, each right behind its bounds check, scratch memory only
 *                      at r10-64 ... r10-4;
 *   xc_run()           an interpreter for the instructions the translator emits, with the
 *                      kernel's semantics, that also fails on a read of an uninitialised
 *                      register or stack slot and on a read of window bytes past caplen (stale
 *                      bytes of an earlier packet). Its verdict is compared with libpcap's
 *                      bpf_filter() by the callers, who give it caplen = min(packet, window)
 *                      as capture.bpf.c does: an indexed load the translator's window does
 *                      not cover then rejects where libpcap accepts.
 * Both abort() with a message on a violation, which libFuzzer reports as a crash.
 */
#ifndef BPFCAP_FUZZ_XLATE_CHECK_H
#define BPFCAP_FUZZ_XLATE_CHECK_H

#include <stddef.h>
#include <stdint.h>

struct bpf_insn;

void xc_check_static(const struct bpf_insn *p, size_t slots, uint32_t window);
uint32_t xc_run(const struct bpf_insn *p, size_t slots, const uint8_t *win, uint32_t caplen,
		uint32_t wirelen);
/* Prints a program (for failure reports). */
void xc_dump(const struct bpf_insn *p, size_t n);

#endif
