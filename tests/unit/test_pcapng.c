// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The pcapng/pcap writer (extcap/pcapng.c): files are read back by a strict reader of our own
 * (every length, ISB counters, the custom option bytes) and by the real tools (tshark, capinfos,
 * tcpdump). Tools that are missing are skipped (exit 77 when nothing failed). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "bpfcap/meta.h"
#include "pcapng.h"
#include "pcapng_read.h"
#include "test.h"

static char tmpdir[] = "/tmp/bpfcap-unit-pcapng.XXXXXX";
static bool have_tshark, have_capinfos, have_tcpdump;

#define TS0 1700000000123456789ull

/* Ethernet + IPv4 + UDP 10.0.0.1:4660 -> 10.0.0.2:9999, 4 bytes payload, padded to 60 */
static uint8_t frame[60] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11,
	0x00, 0x00, 10,	  0,	0,    1,    10,	  0,	0,    2,    0x12, 0x34,
	0x27, 0x0f, 0x00, 0x0c, 0x00, 0x00, 'a',  'b',	'c',  'd',
};

static const char *comment1 = "kfree_skb cpu=1 dev=eth0(2) netns=4026531840 reason=NO_SOCKET";

static int open_out(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		SETUP_FAIL("open %s: %s", path, strerror(errno));
	return fd;
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* The n-th (0-based) tab-separated field of line `row` of text, copied into out. */
static const char *field(const char *text, int row, int col, char *out, size_t cap)
{
	const char *p = text;
	size_t n;

	out[0] = '\0';
	while (row-- > 0) {
		p = strchr(p, '\n');
		if (!p)
			return out;
		p++;
	}
	while (col-- > 0) {
		p += strcspn(p, "\t\n");
		if (*p != '\t')
			return out;
		p++;
	}
	n = strcspn(p, "\t\n");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* A numeric tshark field (decimal or 0x hex, as tshark versions differ); -1 when empty. */
static long long num(const char *s)
{
	char *end;
	long long v;

	if (!*s)
		return -1;
	v = strtoll(s, &end, 0);
	return *end ? -2 : v;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static size_t meta_len;
static uint8_t meta_buf[256];

static void make_meta(void)
{
	struct bpfcap_meta m = { 0 };
	int n;

	snprintf(m.probe, sizeof(m.probe), "tp:skb:kfree_skb");
	BPFCAP_META_SET(&m, BPFCAP_META_PROBE);
	m.cpu = 1;
	BPFCAP_META_SET(&m, BPFCAP_META_CPU);
	m.reason = 3;
	BPFCAP_META_SET(&m, BPFCAP_META_REASON);
	n = bpfcap_meta_encode(&m, meta_buf, sizeof(meta_buf));
	if (n <= 0)
		SETUP_FAIL("bpfcap_meta_encode: %d", n);
	meta_len = (size_t)n;
}

/* SHB, IDB0 (Ethernet), EPB (all options), EPB (prefix, truncated), IDB1 (raw IP, mid-stream,
 * with a filter), EPB on IDB1 (no options), a jumbo EPB larger than the buffer, ISB x2. */
static void write_sample(const char *path)
{
	static uint8_t jumbo[9000];
	struct pcapng_writer *w;
	struct pcapng_epb e;
	struct pcapng_isb s;
	int fd = open_out(path), id0, id1;

	w = pcapng_writer__new(fd, FORMAT_PCAPNG, 0); /* the minimum buffer: 4096 */
	if (!w)
		SETUP_FAIL("pcapng_writer__new: %s", strerror(errno));
	ASSERT_EQ(pcapng_writer__format(w), FORMAT_PCAPNG, "writer format");
	ASSERT_EQ(pcapng_writer__shb(w, "bpfcap 0.0.0-test", "Linux 6.1", "x86_64", "unit test"), 0,
		  "write SHB");
	id0 = pcapng_writer__idb(w, LINKTYPE_ETHERNET, 262144, "eth0@kfree_skb",
				 "bpfcap probe=tp:skb:kfree_skb", NULL);
	ASSERT_EQ(id0, 0, "first IDB gets id 0");

	memset(&e, 0, sizeof(e));
	e.if_id = (uint32_t)id0;
	e.ts_ns = TS0;
	e.data = frame;
	e.caplen = sizeof(frame);
	e.origlen = sizeof(frame);
	e.comment = comment1;
	e.has_flags = true;
	e.flags = EPB_FLAG_INBOUND | EPB_FLAG_UNICAST;
	e.has_dropcount = true;
	e.dropcount = 3;
	e.has_packetid = true;
	e.packetid = 0x1122334455667788ull;
	e.has_queue = true;
	e.queue = 5;
	e.custom = meta_buf;
	e.custom_len = meta_len;
	e.custom_pen = BPFCAP_META_PEN;
	ASSERT_EQ(pcapng_writer__epb(w, &e), 0, "EPB with every option");

	/* synthesised 14-byte prefix + the IP packet, cut at 20 of its 32 bytes */
	memset(&e, 0, sizeof(e));
	e.if_id = (uint32_t)id0;
	e.ts_ns = TS0 + 1000;
	e.prefix = frame;
	e.prefix_len = 14;
	e.data = frame + 14;
	e.caplen = 20;
	e.origlen = 14 + 32;
	e.has_flags = true;
	e.flags = EPB_FLAG_OUTBOUND;
	ASSERT_EQ(pcapng_writer__epb(w, &e), 0, "EPB with a prefix");

	id1 = pcapng_writer__idb(w, LINKTYPE_RAW, 65535, "lo@net_dev_xmit", NULL, "host 10.0.0.1");
	ASSERT_EQ(id1, 1, "mid-stream IDB gets id 1");
	memset(&e, 0, sizeof(e));
	e.if_id = (uint32_t)id1;
	e.ts_ns = TS0 + 2000000000ull;
	e.data = frame + 14;
	e.caplen = 32;
	e.origlen = 32;
	ASSERT_EQ(pcapng_writer__epb(w, &e), 0, "EPB without options on the second IDB");

	memcpy(jumbo, frame, sizeof(frame));
	memset(jumbo + sizeof(frame), 0x5a, sizeof(jumbo) - sizeof(frame));
	memset(&e, 0, sizeof(e));
	e.if_id = (uint32_t)id0;
	e.ts_ns = TS0 + 3000000000ull;
	e.data = jumbo;
	e.caplen = sizeof(jumbo);
	e.origlen = sizeof(jumbo);
	e.comment = "jumbo";
	ASSERT_EQ(pcapng_writer__epb(w, &e), 0, "EPB larger than the write buffer");

	memset(&s, 0, sizeof(s));
	s.if_id = (uint32_t)id0;
	s.ts_ns = TS0 + 4000000000ull;
	s.starttime = TS0 - 1000000000ull;
	s.endtime = TS0 + 4000000000ull;
	s.has_ifrecv = s.has_ifdrop = s.has_filteraccept = s.has_usrdeliv = true;
	s.ifrecv = 10;
	s.ifdrop = 3;
	s.filteraccept = 7;
	s.usrdeliv = 7;
	ASSERT_EQ(pcapng_writer__isb(w, &s), 0, "ISB of interface 0");
	memset(&s, 0, sizeof(s));
	s.if_id = (uint32_t)id1;
	s.ts_ns = TS0 + 4000000000ull;
	s.has_ifrecv = s.has_ifdrop = s.has_filteraccept = true;
	s.ifrecv = 1;
	s.filteraccept = 1;
	s.comment = "lo stats";
	ASSERT_EQ(pcapng_writer__isb(w, &s), 0, "ISB of interface 1");
	ASSERT_EQ(pcapng_writer__flush(w), 0, "flush");
	ASSERT_EQ(pcapng_writer__pending(w), 0, "nothing pending after flush");
	{
		off_t size = lseek(fd, 0, SEEK_END);

		ASSERT_EQ(pcapng_writer__bytes(w), size, "bytes() equals the file size");
	}
	pcapng_writer__free(w);
	pcapng_writer__free(NULL); /* NULL-safe */
	close(fd);
}

static void check_sample_structure(const char *path)
{
	static const uint32_t want_types[] = { PN_SHB, PN_IDB, PN_EPB, PN_EPB, PN_IDB,
					       PN_EPB, PN_EPB, PN_ISB, PN_ISB };
	struct pn_block b[16];
	size_t len, off = 0;
	uint8_t *buf;
	const uint8_t *v;
	uint16_t l;
	int n = 0, r;

	TEST_SECTION("pcapng structure, read back in C");
	buf = pn_load(path, &len);
	if (!buf)
		SETUP_FAIL("read %s", path);
	ASSERT_EQ(pn_validate(buf, len), 9, "file is 9 well-formed blocks");
	while (n < 16 && (r = pn_next(buf, len, &off, &b[n])) > 0)
		n++;
	for (int i = 0; i < 9 && i < n; i++) {
		char nm[64];

		snprintf(nm, sizeof(nm), "block %d type", i);
		ASSERT_EQ(b[i].type, want_types[i], nm);
	}
	if (n < 9) {
		free(buf);
		return;
	}
	/* SHB */
	ASSERT_EQ(pn_u32(b[0].body), 0x1A2B3C4D, "SHB byte-order magic");
	ASSERT_EQ(pn_u16(b[0].body + 4), 1, "SHB major version");
	ASSERT_EQ(pn_u16(b[0].body + 6), 0, "SHB minor version");
	ASSERT_EQ(pn_u64(b[0].body + 8), -1, "SHB section length unknown (-1)");
	v = pn_find_opt(&b[0], 4, &l);
	ASSERT_TRUE(v && l == 17 && !memcmp(v, "bpfcap 0.0.0-test", 17), "shb_userappl");
	v = pn_find_opt(&b[0], 1, &l);
	ASSERT_TRUE(v && l == 9 && !memcmp(v, "unit test", 9), "SHB comment");
	/* IDB 0 */
	ASSERT_EQ(pn_u16(b[1].body), LINKTYPE_ETHERNET, "IDB0 link type");
	ASSERT_EQ(pn_u32(b[1].body + 4), 262144, "IDB0 snaplen");
	v = pn_find_opt(&b[1], 9, &l);
	ASSERT_TRUE(v && l == 1 && v[0] == 9, "IDB0 if_tsresol = 9");
	v = pn_find_opt(&b[1], 2, &l);
	ASSERT_TRUE(v && l == 14 && !memcmp(v, "eth0@kfree_skb", 14), "IDB0 if_name");
	ASSERT_TRUE(pn_find_opt(&b[1], 11, NULL) == NULL, "IDB0 has no if_filter");
	/* IDB 1 */
	ASSERT_EQ(pn_u16(b[4].body), LINKTYPE_RAW, "IDB1 link type");
	v = pn_find_opt(&b[4], 11, &l);
	ASSERT_TRUE(v && l == 14 && v[0] == 0 && !memcmp(v + 1, "host 10.0.0.1", 13),
		    "IDB1 if_filter: code byte 0 + filter string");
	ASSERT_TRUE(pn_find_opt(&b[4], 3, NULL) == NULL, "IDB1 has no if_description");
	/* EPB 1 */
	ASSERT_EQ(pn_u32(b[2].body), 0, "EPB1 interface id");
	ASSERT_EQ(((uint64_t)pn_u32(b[2].body + 4) << 32) | pn_u32(b[2].body + 8), TS0,
		  "EPB1 timestamp (high, low)");
	ASSERT_EQ(pn_u32(b[2].body + 12), 60, "EPB1 captured length");
	ASSERT_EQ(pn_u32(b[2].body + 16), 60, "EPB1 original length");
	ASSERT_EQ(memcmp(b[2].body + 20, frame, 60), 0, "EPB1 packet bytes");
	v = pn_find_opt(&b[2], 1, &l);
	ASSERT_TRUE(v && l == strlen(comment1) && !memcmp(v, comment1, l), "EPB1 comment");
	v = pn_find_opt(&b[2], 2, &l);
	ASSERT_TRUE(v && l == 4 && pn_u32(v) == 5, "EPB1 epb_flags");
	v = pn_find_opt(&b[2], 4, &l);
	ASSERT_TRUE(v && l == 8 && pn_u64(v) == 3, "EPB1 epb_dropcount");
	v = pn_find_opt(&b[2], 5, &l);
	ASSERT_TRUE(v && l == 8 && pn_u64(v) == 0x1122334455667788ull, "EPB1 epb_packetid");
	v = pn_find_opt(&b[2], 6, &l);
	ASSERT_TRUE(v && l == 4 && pn_u32(v) == 5, "EPB1 epb_queue");
	ASSERT_TRUE(pn_find_opt(&b[2], 7, NULL) == NULL, "EPB1 has no epb_verdict");
	v = pn_find_opt(&b[2], BPFCAP_META_OPTION, &l);
	ASSERT_TRUE(v && l == 4 + meta_len, "EPB1 custom option 2989 length");
	if (v && l == 4 + meta_len) {
		struct bpfcap_meta m;

		ASSERT_EQ(pn_u32(v), BPFCAP_META_PEN, "custom option PEN");
		ASSERT_EQ(memcmp(v + 4, meta_buf, meta_len), 0, "custom option bytes");
		ASSERT_EQ(bpfcap_meta_decode(v + 4, l - 4u, &m), 0, "custom option decodes");
		ASSERT_EQ(m.reason, 3, "custom option reason");
	}
	/* EPB 2: prefix + data */
	ASSERT_EQ(pn_u32(b[3].body + 12), 34, "EPB2 captured = prefix + data");
	ASSERT_EQ(pn_u32(b[3].body + 16), 46, "EPB2 original length");
	ASSERT_EQ(memcmp(b[3].body + 20, frame, 34), 0, "EPB2 bytes = prefix then data");
	ASSERT_TRUE(pn_find_opt(&b[3], 1, NULL) == NULL, "EPB2 has no comment");
	/* EPB 3: no options at all */
	ASSERT_EQ(pn_u32(b[5].body), 1, "EPB3 on interface 1");
	ASSERT_EQ(b[5].opts_len, 4, "EPB3 options: opt_endofopt only");
	/* jumbo */
	ASSERT_EQ(pn_u32(b[6].body + 12), 9000, "jumbo EPB captured length");
	/* ISB 0 */
	ASSERT_EQ(pn_u32(b[7].body), 0, "ISB0 interface id");
	v = pn_find_opt(&b[7], 4, &l);
	ASSERT_TRUE(v && l == 8 && pn_u64(v) == 10, "ISB0 isb_ifrecv");
	v = pn_find_opt(&b[7], 5, &l);
	ASSERT_TRUE(v && l == 8 && pn_u64(v) == 3, "ISB0 isb_ifdrop");
	v = pn_find_opt(&b[7], 6, &l);
	ASSERT_TRUE(v && l == 8 && pn_u64(v) == 7, "ISB0 isb_filteraccept");
	v = pn_find_opt(&b[7], 8, &l);
	ASSERT_TRUE(v && l == 8 && pn_u64(v) == 7, "ISB0 isb_usrdeliv");
	ASSERT_TRUE(pn_find_opt(&b[7], 7, NULL) == NULL, "ISB0 no isb_osdrop");
	v = pn_find_opt(&b[7], 2, &l);
	ASSERT_TRUE(v && l == 8 &&
			    (((uint64_t)pn_u32(v) << 32) | pn_u32(v + 4)) == TS0 - 1000000000ull,
		    "ISB0 isb_starttime (high, low)");
	v = pn_find_opt(&b[7], 3, &l);
	ASSERT_TRUE(v && l == 8 &&
			    (((uint64_t)pn_u32(v) << 32) | pn_u32(v + 4)) == TS0 + 4000000000ull,
		    "ISB0 isb_endtime");
	/* ISB 1 */
	ASSERT_EQ(pn_u32(b[8].body), 1, "ISB1 interface id");
	v = pn_find_opt(&b[8], 5, &l);
	ASSERT_TRUE(v && l == 8 && pn_u64(v) == 0, "ISB1 isb_ifdrop 0 is written");
	ASSERT_TRUE(pn_find_opt(&b[8], 2, NULL) == NULL, "ISB1 no starttime when 0");
	v = pn_find_opt(&b[8], 1, &l);
	ASSERT_TRUE(v && l == 8 && !memcmp(v, "lo stats", 8), "ISB1 comment");
	free(buf);
}

static void check_sample_tools(const char *path)
{
	char cmd[1024], out[16384], f[256];
	int rc;

	TEST_SECTION("pcapng read by tshark and capinfos");
	if (!have_tshark) {
		test_skip("tshark not found: pcapng not checked with tshark");
	} else {
		snprintf(cmd, sizeof(cmd),
			 "HOME=%s tshark -n -r %s -T fields -E separator=/t -e frame.comment "
			 "-e frame.packet_flags_direction -e frame.drop_count -e frame.packet_id "
			 "-e frame.interface_queue -e frame.interface_name -e frame.len "
			 "-e frame.cap_len -e frame.time_epoch -e frame.interface_id "
			 "-e frame.encap_type -e frame.packet_flags_reception_type -e udp.dstport "
			 "2>/dev/null",
			 tmpdir, path);
		rc = test_run(cmd, out, sizeof(out));
		ASSERT_EQ(rc, 0, "tshark exit status");
		ASSERT_EQ(count_lines(out), 4, "tshark sees 4 packets");
		ASSERT_STR(field(out, 0, 0, f, sizeof(f)), comment1, "frame.comment");
		ASSERT_EQ(num(field(out, 0, 1, f, sizeof(f))), 0x00000001,
			  "frame.packet_flags_direction inbound");
		ASSERT_STR(field(out, 0, 2, f, sizeof(f)), "3", "frame.drop_count");
		ASSERT_STR(field(out, 0, 3, f, sizeof(f)), "1234605616436508552",
			   "frame.packet_id");
		ASSERT_STR(field(out, 0, 4, f, sizeof(f)), "5", "frame.interface_queue");
		ASSERT_STR(field(out, 0, 5, f, sizeof(f)), "eth0@kfree_skb",
			   "frame.interface_name");
		ASSERT_STR(field(out, 0, 6, f, sizeof(f)), "60", "frame.len");
		ASSERT_STR(field(out, 0, 7, f, sizeof(f)), "60", "frame.cap_len");
		ASSERT_STR(field(out, 0, 8, f, sizeof(f)), "1700000000.123456789",
			   "frame.time_epoch keeps nanoseconds");
		ASSERT_STR(field(out, 0, 10, f, sizeof(f)), "1", "frame.encap_type Ethernet");
		ASSERT_STR(field(out, 0, 11, f, sizeof(f)), "1", "reception type unicast");
		ASSERT_STR(field(out, 0, 12, f, sizeof(f)), "9999",
			   "UDP dissected behind Ethernet");

		ASSERT_STR(field(out, 1, 0, f, sizeof(f)), "", "packet 2: no comment");
		ASSERT_EQ(num(field(out, 1, 1, f, sizeof(f))), 0x00000002, "packet 2: outbound");
		ASSERT_STR(field(out, 1, 6, f, sizeof(f)), "46", "packet 2: frame.len");
		ASSERT_STR(field(out, 1, 7, f, sizeof(f)), "34", "packet 2: frame.cap_len");
		ASSERT_STR(field(out, 1, 12, f, sizeof(f)), "", "packet 2: UDP cut off");

		ASSERT_STR(field(out, 2, 5, f, sizeof(f)), "lo@net_dev_xmit",
			   "packet 3: interface added mid-stream");
		ASSERT_STR(field(out, 2, 9, f, sizeof(f)), "1", "packet 3: interface id 1");
		ASSERT_STR(field(out, 2, 10, f, sizeof(f)), "7", "packet 3: encap raw IP");
		ASSERT_STR(field(out, 2, 12, f, sizeof(f)), "9999", "packet 3: UDP behind raw IP");
		ASSERT_STR(field(out, 2, 1, f, sizeof(f)), "", "packet 3: no flags");
		ASSERT_STR(field(out, 2, 2, f, sizeof(f)), "", "packet 3: no drop count");

		ASSERT_STR(field(out, 3, 7, f, sizeof(f)), "9000", "jumbo: frame.cap_len");
		ASSERT_STR(field(out, 3, 0, f, sizeof(f)), "jumbo", "jumbo: comment");

		/* nothing on stderr that says damaged/cut short */
		snprintf(cmd, sizeof(cmd), "HOME=%s tshark -n -r %s -q 2>&1 >/dev/null", tmpdir,
			 path);
		rc = test_run(cmd, out, sizeof(out));
		ASSERT_TRUE(!strstr(out, "damaged") && !strstr(out, "cut short"),
			    "tshark reports no damage");
	}
	if (!have_capinfos) {
		test_skip("capinfos not found: interfaces and ISBs not checked with capinfos");
		return;
	}
	snprintf(cmd, sizeof(cmd), "capinfos -M %s 2>&1", path);
	rc = test_run(cmd, out, sizeof(out));
	ASSERT_EQ(rc, 0, "capinfos exit status");
	ASSERT_CONTAINS(out, "Number of packets:   4", "capinfos packet count");
	ASSERT_CONTAINS(out, "Number of interfaces in file: 2", "capinfos interface count");
	ASSERT_CONTAINS(out, "Capture application: bpfcap 0.0.0-test", "capinfos shb_userappl");
	ASSERT_CONTAINS(out, "Capture oper-sys:    Linux 6.1", "capinfos shb_os");
	ASSERT_CONTAINS(out, "Capture hardware:    x86_64", "capinfos shb_hardware");
	ASSERT_CONTAINS(out, "Name = eth0@kfree_skb", "capinfos if_name 0");
	ASSERT_CONTAINS(out, "Description = bpfcap probe=tp:skb:kfree_skb", "capinfos if_descr");
	ASSERT_CONTAINS(out, "Name = lo@net_dev_xmit", "capinfos if_name 1");
	ASSERT_CONTAINS(out, "Filter string = host 10.0.0.1", "capinfos if_filter");
	ASSERT_CONTAINS(out, "File timestamp precision:  nanoseconds (9)", "capinfos ns");
	{
		/* one ISB per interface: "Number of stat entries = 1" twice */
		const char *p = out;
		int k = 0;

		while ((p = strstr(p, "Number of stat entries = 1"))) {
			k++;
			p++;
		}
		ASSERT_EQ(k, 2, "capinfos: one ISB on each interface");
	}
}

static void test_pcap_classic(void)
{
	char path[300], cmd[1024], out[8192];
	struct pcapng_writer *w;
	struct pcapng_epb e;
	struct pcapng_isb s = { 0 };
	uint8_t *buf;
	size_t len;
	int fd, rc;

	TEST_SECTION("classic pcap");
	path_of(path, sizeof(path), "classic.pcap");
	fd = open_out(path);
	w = pcapng_writer__new(fd, FORMAT_PCAP, 0);
	if (!w)
		SETUP_FAIL("pcapng_writer__new");
	ASSERT_EQ(pcapng_writer__format(w), FORMAT_PCAP, "writer format pcap");
	ASSERT_EQ(pcapng_writer__shb(w, "bpfcap", "Linux", "x86_64", NULL), 0, "SHB is a no-op");
	ASSERT_EQ(pcapng_writer__pending(w), 0, "SHB wrote nothing");
	ASSERT_EQ(pcapng_writer__idb(w, LINKTYPE_ETHERNET, 65535, "eth0@x", NULL, NULL), 0,
		  "first idb writes the file header");
	ASSERT_EQ(pcapng_writer__pending(w), 24, "file header is 24 bytes");
	ASSERT_EQ(pcapng_writer__idb(w, LINKTYPE_ETHERNET, 65535, "eth1@x", NULL, NULL), 0,
		  "same link type again: id 0");
	ASSERT_EQ(pcapng_writer__idb(w, LINKTYPE_RAW, 65535, "lo@x", NULL, NULL), -EINVAL,
		  "another link type: -EINVAL");
	ASSERT_EQ(pcapng_writer__idb(w, LINKTYPE_LINUX_SLL2, 65535, "lo@x", NULL, NULL), -EINVAL,
		  "SLL2 after Ethernet: -EINVAL");
	memset(&e, 0, sizeof(e));
	e.ts_ns = TS0;
	e.data = frame;
	e.caplen = sizeof(frame);
	e.origlen = sizeof(frame);
	e.comment = "not carried by pcap";
	e.has_flags = true;
	e.flags = 1;
	ASSERT_EQ(pcapng_writer__epb(w, &e), 0, "record 1");
	memset(&e, 0, sizeof(e));
	e.ts_ns = TS0 + 999999999ull;
	e.prefix = frame;
	e.prefix_len = 14;
	e.data = frame + 14;
	e.caplen = 32;
	e.origlen = 100;
	ASSERT_EQ(pcapng_writer__epb(w, &e), 0, "record 2 with prefix");
	s.has_ifrecv = true;
	ASSERT_EQ(pcapng_writer__isb(w, &s), 0, "ISB is a no-op");
	ASSERT_EQ(pcapng_writer__flush(w), 0, "flush pcap");
	pcapng_writer__free(w);
	close(fd);

	buf = pn_load(path, &len);
	if (!buf)
		SETUP_FAIL("read %s", path);
	ASSERT_EQ(len, 24 + 16 + 60 + 16 + 46, "pcap file size: header + 2 records");
	if (len >= 24 + 16 + 60 + 16) {
		ASSERT_EQ(pn_u32(buf), 0xa1b23c4d, "pcap magic: nanosecond timestamps");
		ASSERT_EQ(pn_u16(buf + 4), 2, "pcap version major");
		ASSERT_EQ(pn_u16(buf + 6), 4, "pcap version minor");
		ASSERT_EQ(pn_u32(buf + 16), 65535, "pcap snaplen");
		ASSERT_EQ(pn_u32(buf + 20), LINKTYPE_ETHERNET, "pcap link type");
		ASSERT_EQ(pn_u32(buf + 24), 1700000000, "record 1 seconds");
		ASSERT_EQ(pn_u32(buf + 28), 123456789, "record 1 nanoseconds");
		ASSERT_EQ(pn_u32(buf + 32), 60, "record 1 caplen");
		ASSERT_EQ(pn_u32(buf + 36), 60, "record 1 origlen");
		ASSERT_EQ(pn_u32(buf + 100), 1700000001, "record 2 seconds (carry)");
		ASSERT_EQ(pn_u32(buf + 104), 123456788, "record 2 nanoseconds");
		ASSERT_EQ(pn_u32(buf + 108), 46, "record 2 caplen = prefix + data");
		ASSERT_EQ(pn_u32(buf + 112), 100, "record 2 origlen");
	}
	free(buf);

	if (have_tcpdump) {
		snprintf(cmd, sizeof(cmd), "tcpdump -nn --nano -tt -r %s 2>/dev/null", path);
		rc = test_run(cmd, out, sizeof(out));
		ASSERT_EQ(rc, 0, "tcpdump reads the pcap");
		ASSERT_EQ(count_lines(out), 2, "tcpdump sees 2 packets");
		ASSERT_CONTAINS(
			out, "1700000000.123456789 IP 10.0.0.1.4660 > 10.0.0.2.9999: UDP, length 4",
			"tcpdump: ns timestamp and UDP summary");
		ASSERT_CONTAINS(out, "1700000001.123456788 IP", "tcpdump: second record");
	} else {
		test_skip("tcpdump not found: pcap not checked with tcpdump");
	}
	if (have_capinfos) {
		snprintf(cmd, sizeof(cmd), "capinfos -M %s 2>&1", path);
		rc = test_run(cmd, out, sizeof(out));
		ASSERT_EQ(rc, 0, "capinfos reads the pcap");
		ASSERT_CONTAINS(out, "File type:           nsecpcap",
				"capinfos: nanosecond libpcap");
		ASSERT_CONTAINS(out, "File encapsulation:  ether", "capinfos: one link type");
		ASSERT_CONTAINS(out, "Number of packets:   2", "capinfos: 2 packets");
	}
}

static void test_epipe(void)
{
	static uint8_t big[20000];
	struct pcapng_writer *w;
	struct pcapng_epb e = { 0 };
	struct sigaction sa = { 0 }, old;
	int p[2];

	TEST_SECTION("write to a closed pipe");
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, &old) || pipe(p))
		SETUP_FAIL("sigaction/pipe: %s", strerror(errno));
	close(p[0]);
	w = pcapng_writer__new(p[1], FORMAT_PCAPNG, 4096);
	if (!w)
		SETUP_FAIL("pcapng_writer__new");
	ASSERT_EQ(pcapng_writer__shb(w, "bpfcap", NULL, NULL, NULL), 0, "SHB is only buffered");
	ASSERT_EQ(pcapng_writer__flush(w), -EPIPE, "flush to a closed pipe: -EPIPE");
	ASSERT_EQ(pcapng_writer__flush(w), -EPIPE, "the error is sticky");
	ASSERT_EQ(pcapng_writer__idb(w, LINKTYPE_ETHERNET, 100, "x", NULL, NULL), -EPIPE,
		  "idb after EPIPE");
	e.data = frame;
	e.caplen = sizeof(frame);
	e.origlen = sizeof(frame);
	ASSERT_EQ(pcapng_writer__epb(w, &e), -EPIPE, "epb after EPIPE");
	pcapng_writer__free(w);

	/* the direct (larger than the buffer) write path reports it too */
	w = pcapng_writer__new(p[1], FORMAT_PCAPNG, 4096);
	if (!w)
		SETUP_FAIL("pcapng_writer__new");
	e.data = big;
	e.caplen = sizeof(big);
	e.origlen = sizeof(big);
	ASSERT_EQ(pcapng_writer__epb(w, &e), -EPIPE, "oversized epb to a closed pipe: -EPIPE");
	pcapng_writer__free(w);
	close(p[1]);
	sigaction(SIGPIPE, &old, NULL);
}

static void test_limits(void)
{
	char path[300];
	static char longc[70001];
	static uint8_t custom[65532];
	struct pcapng_writer *w;
	struct pcapng_epb e = { 0 };
	uint8_t *buf;
	size_t len, off = 0;
	struct pn_block b;
	uint16_t l = 0;
	int fd, k = 0;

	TEST_SECTION("option size limits");
	path_of(path, sizeof(path), "limits.pcapng");
	fd = open_out(path);
	w = pcapng_writer__new(fd, FORMAT_PCAPNG, 0);
	if (!w)
		SETUP_FAIL("pcapng_writer__new");
	pcapng_writer__shb(w, "bpfcap", NULL, NULL, NULL);
	pcapng_writer__idb(w, LINKTYPE_ETHERNET, 262144, "eth0", NULL, NULL);
	memset(longc, 'c', sizeof(longc) - 1);
	e.data = frame;
	e.caplen = sizeof(frame);
	e.origlen = sizeof(frame);
	e.comment = longc; /* 70000 bytes: cut to the 65535 an option can hold */
	ASSERT_EQ(pcapng_writer__epb(w, &e), 0, "epb with a 70000-byte comment");
	e.comment = NULL;
	e.custom = custom;
	e.custom_pen = BPFCAP_META_PEN;
	e.custom_len = 65532;
	ASSERT_EQ(pcapng_writer__epb(w, &e), -EINVAL, "custom option over 65531 bytes: -EINVAL");
	e.custom_len = 65531;
	ASSERT_EQ(pcapng_writer__epb(w, &e), 0, "custom option of 65531 bytes");
	ASSERT_EQ(pcapng_writer__flush(w), 0, "flush");
	pcapng_writer__free(w);
	close(fd);

	buf = pn_load(path, &len);
	if (!buf)
		SETUP_FAIL("read %s", path);
	ASSERT_EQ(pn_validate(buf, len), 4, "limits file: 4 well-formed blocks");
	while (pn_next(buf, len, &off, &b) > 0) {
		if (b.type != PN_EPB)
			continue;
		if (k == 0)
			ASSERT_TRUE(pn_find_opt(&b, 1, &l) && l == 65535, "comment cut to 65535");
		else
			ASSERT_TRUE(pn_find_opt(&b, BPFCAP_META_OPTION, &l) && l == 65535,
				    "custom option length 65535");
		k++;
	}
	ASSERT_EQ(k, 2, "two EPBs written");
	free(buf);
}

/* Strings longer than an option can hold (65535 bytes) in SHB/IDB/ISB options must be cut like
 * the EPB comment is. Run in a child: the writer may overrun its block. */
static void test_long_strings(void)
{
	static const char *const what[] = { "if_description", "if_name", "shb_os", "isb comment" };
	int i;

	TEST_SECTION("SHB/IDB/ISB strings over 65535 bytes");
	for (i = 0; i < 4; i++) {
		char path[300], nm[128];
		pid_t pid;
		int st = 0;

		snprintf(path, sizeof(path), "%s/long%d.pcapng", tmpdir, i);
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			SETUP_FAIL("fork: %s", strerror(errno));
		if (pid == 0) {
			char *s = malloc(70001);
			struct pcapng_writer *w;
			struct pcapng_isb isb = { 0 };
			int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

			if (!s || fd < 0)
				_exit(99);
			memset(s, 'd', 70000);
			s[70000] = '\0';
			w = pcapng_writer__new(fd, FORMAT_PCAPNG, 0);
			if (!w)
				_exit(99);
			pcapng_writer__shb(w, "bpfcap", i == 2 ? s : NULL, NULL, NULL);
			pcapng_writer__idb(w, LINKTYPE_ETHERNET, 65535, i == 1 ? s : "eth0",
					   i == 0 ? s : NULL, NULL);
			isb.comment = i == 3 ? s : NULL;
			pcapng_writer__isb(w, &isb);
			pcapng_writer__flush(w);
			pcapng_writer__free(w);
			free(s);
			close(fd);
			_exit(0);
		}
		if (waitpid(pid, &st, 0) != pid)
			SETUP_FAIL("waitpid: %s", strerror(errno));
		snprintf(nm, sizeof(nm), "%s of 70000 bytes: writer does not crash", what[i]);
		if (!ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0, nm)) {
			if (WIFSIGNALED(st))
				fprintf(stderr, "    writer killed by signal %d\n", WTERMSIG(st));
			else
				fprintf(stderr, "    writer exited with %d\n", WEXITSTATUS(st));
			continue;
		}
		{
			size_t len;
			uint8_t *buf = pn_load(path, &len);

			if (!buf)
				SETUP_FAIL("read %s", path);
			snprintf(nm, sizeof(nm), "%s of 70000 bytes: file stays well-formed",
				 what[i]);
			ASSERT_EQ(pn_validate(buf, len), 3, nm);
			free(buf);
		}
	}
}

int main(void)
{
	char path[300];

	if (!mkdtemp(tmpdir))
		SETUP_FAIL("mkdtemp: %s", strerror(errno));
	have_tshark = test_have_tool("tshark");
	have_capinfos = test_have_tool("capinfos");
	have_tcpdump = test_have_tool("tcpdump");
	make_meta();

	path_of(path, sizeof(path), "sample.pcapng");
	TEST_SECTION("write a sample pcapng");
	write_sample(path);
	check_sample_structure(path);
	check_sample_tools(path);
	test_pcap_classic();
	test_epipe();
	test_limits();
	test_long_strings();

	test_cleanup_dir(tmpdir);
	TEST_EXIT();
}
