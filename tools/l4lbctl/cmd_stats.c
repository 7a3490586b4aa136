// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_stats.c - global counters: count (the NAT table length), stats,
 * and stats --prometheus (every counter, as metrics.c lays them out).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uapi/l4lb.h>

#include "args.h"
#include "cmd.h"
#include "error.h"
#include "kstate.h"
#include "metrics.h"
#include "msg.h"
#include "output.h"

/* The one STATS_GET reply, decoded. */
struct stats_reply {
	struct stats_info st;
	bool got;
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stats_reply *r = data;

	if (msg_get_stats(nlh, &r->st) < 0)
		return MNL_CB_ERROR;
	r->got = true;
	return MNL_CB_OK;
}

/* Fetch the counters; fails if the kernel acked without sending them. */
static int get_stats(const struct ctl *ctl, int argc, char **argv,
		     struct stats_reply *r)
{
	int rc;

	(void)ctl;
	rc = args_none(argc, argv);
	if (rc)
		return rc;
	rc = ctl_get(L4LB_CMD_STATS_GET, false, NULL, NULL, stats_cb, r);
	if (rc == RC_OK && !r->got)
		return err_report(RC_KERNEL, "invalid reply from kernel: no statistics");
	return rc;
}

/* "stats", or with @count "count": fetch the counters and print them. */
static int show_stats(const struct ctl *ctl, int argc, char **argv,
		      bool count)
{
	struct stats_reply r = { 0 };
	struct out out;
	int rc;

	rc = get_stats(ctl, argc, argv, &r);
	if (rc)
		return rc;
	if (count && !(r.st.present & ATTR_BIT(L4LB_STATS_ATTR_CONNS)))
		return err_report(RC_KERNEL, "invalid reply from kernel: no table length");
	out_init(&out, stdout, ctl->json);
	if (count)
		out_count(&out, r.st.val[L4LB_STATS_ATTR_CONNS]);
	else
		out_stats(&out, &r.st);
	return RC_OK;
}

int cmd_count(const struct ctl *ctl, int argc, char **argv)
{
	return show_stats(ctl, argc, argv, true);
}

/**
 * struct gather - "stats --prometheus": what the kernel sent
 * @m: the reading, its services and backends those of @ks
 * @ks: every service and backend
 * @got_stats: the STATS_GET reply came
 */
struct gather {
	struct metrics m;
	struct kstate ks;
	bool got_stats;
};

static int gather_stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct gather *g = data;

	if (msg_get_stats(nlh, &g->m.st) < 0)
		return MNL_CB_ERROR;
	g->got_stats = true;
	return MNL_CB_OK;
}

/* The counters, every service and every backend: three requests. */
static int gather(struct gather *g)
{
	int rc;

	rc = ctl_get(L4LB_CMD_STATS_GET, false, NULL, NULL, gather_stats_cb, g);
	if (rc == RC_OK && !g->got_stats)
		return err_report(RC_KERNEL, "invalid reply from kernel: no statistics");
	if (rc == RC_OK)
		rc = kstate_read(&g->ks);
	if (rc == RC_OK) {
		g->m.svc = g->ks.svcs;
		g->m.nsvc = g->ks.nsvcs;
		g->m.be = g->ks.bes;
		g->m.nbe = g->ks.nbes;
	}
	return rc;
}

/*
 * Write @m to @path the way node_exporter's textfile collector wants it:
 * into a temporary file beside it ("PATH.XXXXXX", which the collector,
 * reading *.prom only, leaves alone), mode 0644 for the exporter's user,
 * then renamed over @path, so that a reader sees the old file or the new
 * one, never a part. On failure @path is left as it was.
 */
static int write_file(const char *path, const struct metrics *m)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + sizeof(".XXXXXX"));
	FILE *f = NULL;
	int fd, err = 0;

	if (!tmp)
		return err_report(RC_KERNEL, "cannot write %s: %s", path,
				  strerror(ENOMEM));
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".XXXXXX", sizeof(".XXXXXX"));
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = errno;
		free(tmp);
		return err_report(RC_KERNEL, "cannot write %s: %s", path,
				  strerror(err));
	}
	if (fchmod(fd, 0644) == 0)
		f = fdopen(fd, "w");
	if (!f)
		err = errno;
	if (f) {
		errno = 0;
		metrics_write(f, m);
		if (fflush(f) != 0 || ferror(f))
			err = errno ? errno : EIO;
		if (fclose(f) != 0 && !err)
			err = errno;
	} else {
		close(fd);
	}
	if (!err && rename(tmp, path) < 0)
		err = errno;
	if (err)
		unlink(tmp);
	free(tmp);
	if (err)
		return err_report(RC_KERNEL, "cannot write %s: %s", path,
				  strerror(err));
	return RC_OK;
}

/* "stats --prometheus [-o FILE]": gather, then print or write. */
static int show_prometheus(const char *path)
{
	struct gather g = { 0 };
	int rc;

	rc = gather(&g);
	if (rc == RC_OK && path)
		rc = write_file(path, &g.m);
	else if (rc == RC_OK)
		metrics_write(stdout, &g.m);
	kstate_free(&g.ks);
	return rc;
}

int cmd_stats(const struct ctl *ctl, int argc, char **argv)
{
	const char *w, *path = NULL;
	uint32_t given = 0;
	struct args a;
	int rc;

	args_init(&a, argc, argv);
	while ((w = args_next(&a))) {
		if (!strcmp(w, "--prometheus")) {
			rc = args_once(&given, 1, w);
		} else if (!strcmp(w, "-o")) {
			rc = args_once(&given, 2, w);
			if (!rc)
				rc = args_value(&a, w, &path);
			if (!rc && !*path)
				rc = usage_error("missing value after \"-o\"");
		} else {
			rc = args_unknown(w);
		}
		if (rc)
			return rc;
	}
	if (!(given & 1)) {
		if (path)
			return usage_error("\"-o\" needs \"--prometheus\"");
		return show_stats(ctl, 0, NULL, false);
	}
	if (ctl->json)
		return usage_error("\"--prometheus\" and \"-j\" exclude each other");
	return show_prometheus(path);
}
