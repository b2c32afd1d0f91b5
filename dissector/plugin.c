/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plugin.c - the entry points Wireshark looks up in an epan plugin (doc/plugins.example).
 * The binary loads only into the Wireshark major.minor it was built against.
 */
#define WS_BUILD_DLL
#define WS_LOG_DOMAIN "bpfcap"

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto.h>

#include "packet-bpfcap.h"

/* BPFCAP_WS_PLUGIN_DESCRIBE: probed by CMake on this Wireshark's headers (4.4 and later) */
#if BPFCAP_WS_PLUGIN_DESCRIBE
#include <wsutil/plugins.h>
#endif

#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "0.0.0"
#endif

WS_DLL_PUBLIC_DEF const char plugin_version[] = PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);
#if BPFCAP_WS_PLUGIN_DESCRIBE
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif

void plugin_register(void)
{
    static proto_plugin plug;

    plug.register_protoinfo = proto_register_bpfcap;
    plug.register_handoff = proto_reg_handoff_bpfcap;
    proto_register_plugin(&plug);
}
