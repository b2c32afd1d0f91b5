/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Drop reason value -> name, from the running kernel's BTF (values differ between kernels). */
#ifndef BPFCAP_REASONS_H
#define BPFCAP_REASONS_H

#include <stddef.h>
#include <stdint.h>

struct btf;
struct reasons;

/* Reads enum skb_drop_reason (and the subsystem enums) from btf. NULL + errno on failure;
 * a BTF without the enum gives an empty table (numbers are shown instead of names). */
struct reasons *reasons__new(const struct btf *btf);
void reasons__free(struct reasons *r);
/* Name without the SKB_DROP_REASON_ prefix ("NO_SOCKET"), or NULL if unknown. */
const char *reasons__name(struct reasons *r, uint32_t value);
/* Subsystem of a reason: "CORE" for core reasons, e.g. "OPENVSWITCH" for subsystem ones. */
const char *reasons__subsys(struct reasons *r, uint32_t value);
/* Value of a name ("NO_SOCKET" or "SKB_DROP_REASON_NO_SOCKET"); -1 if unknown. */
int64_t reasons__value(struct reasons *r, const char *name);
/* Iterates over the core reasons in value order: index 0..count-1. */
size_t reasons__count(struct reasons *r);
const char *reasons__at(struct reasons *r, size_t i, uint32_t *value);

#endif
