// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpfcap: argv -> config -> mode. CLI subcommands here; extcap mode in extcap.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/btf.h>

#include "capture.h"
#include "cli.h"
#include "extcap.h"
#include "log.h"
#include "probe.h"
#include "reasons.h"
#include "run.h"
#include "trust.h"

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static int cmd_list_probes(const struct cli *cli)
{
	struct catalog cat;
	struct mechanisms mech;
	struct btf *btf;
	bool check = capture_privileged();
	char **fn = NULL;
	int *fn_arg = NULL;
	size_t i, nfn = 0;
	int err;

	btf = run_load_btf(cli->btf_path);
	if (!btf)
		return 1;
	err = catalog_build(btf, check, &cat);
	mechanisms_check(btf, check, &mech);
	if (!err && cli->functions)
		err = functions_with_skb(btf, &fn, &fn_arg, &nfn);
	btf__free(btf);
	if (err) {
		log_errno(err, "build the probe catalog");
		return 1;
	}
	if (cli->json) {
		printf("[");
		for (i = 0; i < cat.n; i++) {
			const struct catalog_entry *e = &cat.e[i];

			printf("%s\n  {\"spec\": ", i ? "," : "");
			json_str(stdout, e->spec);
			printf(", \"type\": \"tracepoint\", \"category\": ");
			json_str(stdout, e->category);
			printf(", \"name\": ");
			json_str(stdout, e->name);
			printf(", \"skb_arg\": %d, \"args\": ", e->skb_arg);
			json_str(stdout, e->args);
			printf(", \"available\": %s", !check && e->available ? "null"
						      : e->available	     ? "true"
									     : "false");
			printf(", \"reason\": ");
			json_str(stdout, !check && e->available
						 ? "not checked: needs CAP_BPF and CAP_PERFMON"
						 : e->why);
			printf(", \"description\": ");
			json_str(stdout, e->description ? e->description : "");
			printf("}");
		}
		for (i = 0; i < nfn; i++) {
			bool av = mech.kprobe || mech.fentry;

			printf(",\n  {\"spec\": \"fn:%s\", \"type\": \"function\", \"name\": ",
			       fn[i]);
			json_str(stdout, fn[i]);
			printf(", \"skb_arg\": %d, \"available\": %s, \"mechanisms\": [%s%s%s]}",
			       fn_arg[i],
			       !check ? "null"
			       : av   ? "true"
				      : "false",
			       mech.fentry ? "\"fentry\", \"fexit\"" : "",
			       mech.fentry && mech.kprobe ? ", " : "",
			       mech.kprobe ? "\"kprobe\"" : "");
		}
		printf("\n]\n");
	} else {
		printf("%-44s %-10s %s\n", "PROBE", "AVAILABLE", "DESCRIPTION / ARGUMENTS");
		for (i = 0; i < cat.n; i++) {
			const struct catalog_entry *e = &cat.e[i];
			const char *av = !e->available ? "no" : check ? "yes" : "unchecked";

			printf("%-44s %-10s %s", e->spec, av,
			       e->description ? e->description : e->args);
			if (!e->available)
				printf(" [%s]", e->why);
			printf("\n");
		}
		for (i = 0; i < nfn; i++)
			printf("fn:%-41s %-10s skb in argument %d\n", fn[i],
			       !check			    ? "unchecked"
			       : mech.kprobe || mech.fentry ? "yes"
							    : "no",
			       fn_arg[i]);
		if (!check) {
			printf("\nAvailability was not checked: that needs CAP_BPF and CAP_PERFMON "
			       "(run as root).\n");
		} else {
			printf("\nMechanisms on this kernel:\n");
			printf("  tracepoints (tp_btf)   %s\n", mech.tp_btf ? "yes" : "no");
			printf("  raw tracepoints        %s\n", mech.raw_tp ? "yes" : "no");
			printf("  kprobe:FUNC            %s%s%s%s\n", mech.kprobe ? "yes" : "no",
			       mech.kprobe ? "" : " (", mech.why_kprobe, mech.kprobe ? "" : ")");
			printf("  kprobe:PATTERN (multi) %s%s%s%s\n",
			       mech.kprobe_multi ? "yes" : "no", mech.kprobe_multi ? "" : " (",
			       mech.why_kprobe_multi, mech.kprobe_multi ? "" : ")");
			printf("  fentry:/fexit:FUNC     %s%s%s%s\n", mech.fentry ? "yes" : "no",
			       mech.fentry ? "" : " (", mech.why_fentry, mech.fentry ? "" : ")");
			if (!cli->functions)
				printf("Kernel functions that take a struct sk_buff *: "
				       "'bpfcap list-probes --functions'.\n");
		}
	}
	for (i = 0; i < nfn; i++)
		free(fn[i]);
	free(fn);
	free(fn_arg);
	catalog_free(&cat);
	return 0;
}

static int cmd_list_reasons(const struct cli *cli)
{
	struct reasons *r;
	struct btf *btf;
	uint32_t v;
	size_t i;

	btf = run_load_btf(cli->btf_path);
	if (!btf)
		return 1;
	r = reasons__new(btf);
	btf__free(btf);
	if (!r) {
		log_errno(-errno, "read drop reasons from BTF");
		return 1;
	}
	if (cli->json)
		printf("[");
	for (i = 0; i < reasons__count(r); i++) {
		const char *n = reasons__at(r, i, &v);

		if (cli->json) {
			printf("%s\n  {\"value\": %u, \"name\": ", i ? "," : "", v);
			json_str(stdout, n);
			printf("}");
		} else {
			printf("%5u %s\n", v, n);
		}
	}
	if (cli->json)
		printf("\n]\n");
	reasons__free(r);
	return 0;
}

static int cmd_capture(struct cli *cli)
{
	struct run_opts ro = { .cli = cli, .out_fd = -1, .drop_caps = true };
	int fd = -1, ret;
	bool to_stdout = false, created = false;
	struct stat st;

	if (cli->cmd == CMD_CAPTURE && !cli->write && !isatty(STDOUT_FILENO) && !cli->print)
		to_stdout = true; /* bpfcap capture | tcpdump -r - */
	if (cli->write && strcmp(cli->write, "-") == 0)
		to_stdout = true;
	if (to_stdout) {
		fd = STDOUT_FILENO;
	} else if (cli->write) {
		/* no O_TRUNC: run_capture() empties the file once the capture really starts */
		fd = open(cli->write, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		created = fd >= 0;
		if (fd < 0 && errno == EEXIST)
			fd = open(cli->write, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			pr_err("cannot write '%s': %s", cli->write, strerror(errno));
			return 1;
		}
		ro.out_truncate = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	}
	ro.out_fd = fd;
	if (fd == STDOUT_FILENO) {
		if (cli->print)
			pr_warn("--print ignored: stdout carries the capture");
	} else if (!cli->write || cli->print) {
		ro.text = stdout;
	}
	if (cli->format == FORMAT_PCAP && fd >= 0)
		pr_warn("classic pcap carries no per-packet metadata (probe, reason, device); use "
			"pcapng for that");
	ro.summary = cli->quiet ? NULL : stderr;
	run_install_signals();
	ret = run_capture(&ro);
	/* failed before writing anything into a file of its own: leave nothing behind */
	if (ret && created && fstat(fd, &st) == 0 && st.st_size == 0)
		unlink(cli->write);
	if (fd >= 0 && fd != STDOUT_FILENO && close(fd) < 0 && !ret) {
		pr_err("cannot write '%s': %s", cli->write, strerror(errno));
		ret = 1;
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct cli cli;

	/* with capabilities from the file: none of our or libbpf's variables may change what is
	 * loaded (BPFCAP_FORCE_CLSACT, LIBBPF_*); glibc's secure mode already drops LD_* */
	if (trust_restricted())
		trust_scrub_env();
	log_setup(LOG_WARN, NULL, 0);
	log_libbpf();
	if (extcap_is_call(argc, argv))
		return extcap_main(argc, argv);
	if (cli_parse(argc, argv, &cli)) {
		fprintf(stderr, "bpfcap: %s\n", cli.err);
		return 2;
	}
	if (cli.verbose >= 2)
		log_setup(LOG_DEBUG, NULL, 0);
	else if (cli.verbose)
		log_setup(LOG_INFO, NULL, 0);
	switch (cli.cmd) {
	case CMD_HELP: cli_usage(stdout, cli.help_for); return 0;
	case CMD_VERSION: printf("bpfcap %s\n", BPFCAP_VERSION); return 0;
	case CMD_LIST_PROBES: return cmd_list_probes(&cli);
	case CMD_LIST_REASONS: return cmd_list_reasons(&cli);
	case CMD_CAPTURE:
	case CMD_TRACE: return cmd_capture(&cli);
	default: cli_usage(stderr, CMD_NONE); return 2;
	}
}
