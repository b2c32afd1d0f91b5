/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Registration entry points of the bpfcap dissector, called from plugin.c. */
#ifndef PACKET_BPFCAP_H
#define PACKET_BPFCAP_H

void proto_register_bpfcap(void);
void proto_reg_handoff_bpfcap(void);

#endif /* PACKET_BPFCAP_H */
