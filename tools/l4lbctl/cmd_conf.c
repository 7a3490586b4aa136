// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_conf.c - "save" prints the namespace's configuration as l4lbctl
 * command lines; "restore" reads such a file whole (conf.c), then makes
 * the kernel match it. The file format is described in conf.h and in
 * l4lbctl(8), SAVED CONFIGURATION.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uapi/l4lb.h>

#include "args.h"
#include "cmd.h"
#include "conf.h"
#include "error.h"
#include "kstate.h"
#include "fmt.h"
#include "names.h"

static struct svc_sel svc_key(const struct svc_info *svc)
{
	return (struct svc_sel){ .set = true, .has_port = true,
				 .has_proto = true, .vip = svc->vip,
				 .port = svc->port, .proto = svc->proto };
}

static bool be_removed(const struct be_info *be)
{
	return be->present & ATTR_BIT(L4LB_BE_ATTR_REMOVED);
}

/* ---- save ---- */

_Static_assert(PEERS_STRLEN <= SNAT_POOL_STRLEN, "save_service()'s buf");

/*
 * "service set ..." with every setting the kernel reported; "peers" only
 * if the service has some: a UDP service or an older module refuses the
 * keyword, even as "none".
 */
static void save_service(FILE *f, const struct svc_info *svc)
{
	char buf[SNAT_POOL_STRLEN];
	size_t i;

	fprintf(f, "service set vip %s port %u proto %s",
		fmt_ipaddr(buf, &svc->vip),
		ntohs(svc->port), proto_name(svc->proto));
	if (svc->present & ATTR_BIT(L4LB_SVC_ATTR_SCHED))
		fprintf(f, " scheduler %s", svc->sched);
	if (svc->present & (ATTR_BIT(L4LB_SVC_ATTR_SNAT_POOL) |
			    ATTR_BIT(L4LB_SVC_ATTR_SNAT_ADDR)))
		fprintf(f, " snat %s", fmt_snat_pool(buf, &svc->snat));
	for (i = 0; i < timeout_kinds_count; i++) {
		uint16_t attr = timeout_kinds[i].attr;

		if (svc->present & ATTR_BIT(attr))
			fprintf(f, " timeout %s %u", timeout_kinds[i].word,
				svc->timeout[attr]);
	}
	if (svc->present & ATTR_BIT(L4LB_SVC_ATTR_PERSISTENCE))
		fprintf(f, " persistence %u", svc->persistence);
	if (svc->present & ATTR_BIT(L4LB_SVC_ATTR_CLIENT_ADDR))
		fprintf(f, " client-addr %s", client_addr_name(svc->client_addr));
	if ((svc->present & ATTR_BIT(L4LB_SVC_ATTR_PEERS)) && svc->peers.n)
		fprintf(f, " peers %s", fmt_peers(buf, &svc->peers));
	fputc('\n', f);
}

/*
 * "backend add IP:PORT weight N [down|drain] service KEY". Not the weight
 * percentage: it is load feedback that l4lb-health's agent checks set at
 * run time, and a saved figure would pin the load of the moment.
 */
static void save_backend(FILE *f, const struct be_info *be)
{
	char ep[IPPORT_STRLEN], key[SVC_STRLEN];

	fprintf(f, "backend add %s weight %u", fmt_ipport(ep, &be->ep),
		be->weight);
	if (be->state != L4LB_BE_STATE_UP)
		fprintf(f, " %s", be_state_name(be->state, false));
	fprintf(f, " service %s\n", fmt_svc(key, &be->svc));
}

int cmd_save(const struct ctl *ctl, int argc, char **argv)
{
	struct kstate ks;
	size_t i, j;
	int rc;

	(void)ctl;
	rc = args_none(argc, argv);
	if (rc)
		return rc;
	rc = kstate_read(&ks);
	if (rc)
		return rc;
	printf("# l4lb configuration, written by \"l4lbctl save\";\n"
	       "# apply it with \"l4lbctl restore FILE\".\n");
	for (i = 0; i < ks.nsvcs; i++) {
		struct svc_sel key = svc_key(&ks.svcs[i]);

		putchar('\n');
		save_service(stdout, &ks.svcs[i]);
		/*
		 * Its backends in the kernel's order. A removed backend is on
		 * its way out: not configuration.
		 */
		for (j = 0; j < ks.nbes; j++) {
			const struct be_info *be = &ks.bes[j];

			if (!be_removed(be) &&
			    ipaddr_eq(&be->svc.vip, &key.vip) &&
			    be->svc.port == key.port &&
			    be->svc.proto == key.proto)
				save_backend(stdout, be);
		}
	}
	kstate_free(&ks);
	return RC_OK;
}

/* ---- restore ---- */

/*
 * "backend add" of a backend that is there already: make it what the
 * line says, its weight and state defaulting as a new one's do. Its
 * weight percentage is sent only if the line gives it: an agent's
 * figure survives a restore.
 */
static int update_backend(const struct be_req *add)
{
	struct be_req req = *add;

	if (!(req.be.present & ATTR_BIT(L4LB_BE_ATTR_WEIGHT)))
		req.be.weight = 1;
	if (!(req.be.present & ATTR_BIT(L4LB_BE_ATTR_STATE)))
		req.be.state = L4LB_BE_STATE_UP;
	req.be.present |= ATTR_BIT(L4LB_BE_ATTR_WEIGHT) |
			  ATTR_BIT(L4LB_BE_ATTR_STATE);
	return backend_set_send(&req);
}

/* Every line of @conf, in file order: services, then backends. */
static int apply(const struct conf *conf, const struct kstate *ks)
{
	size_t i;
	int rc = RC_OK;

	for (i = 0; i < conf->nsvcs && rc == RC_OK; i++) {
		conf_err_at(conf->name, conf->svcs[i].line);
		rc = service_set_send(&conf->svcs[i].svc);
	}
	for (i = 0; i < conf->nbes && rc == RC_OK; i++) {
		const struct be_req *req = &conf->bes[i].req;

		conf_err_at(conf->name, conf->bes[i].line);
		if (kstate_find_be(ks, &req->sel, &req->be.ep))
			rc = update_backend(req);
		else
			rc = backend_add_send(req);
	}
	conf_err_at(NULL, 0);
	return rc;
}

/*
 * --replace: drain the backends the file does not name, of the services
 * it names, as "backend del" does; delete the services it does not name,
 * as "service del" does.
 */
static int prune(const struct conf *conf, const struct kstate *ks)
{
	size_t i;
	int rc = RC_OK;

	for (i = 0; i < ks->nbes && rc == RC_OK; i++) {
		const struct be_info *be = &ks->bes[i];
		struct be_req req = { 0 };

		if (be_removed(be) || !conf_find_svc(conf, &be->svc) ||
		    conf_find_be(conf, &be->svc, &be->ep))
			continue;
		req.be.ep = be->ep;
		req.be.present = ATTR_BIT(L4LB_BE_ATTR_ADDR) |
				 ATTR_BIT(L4LB_BE_ATTR_PORT);
		req.sel = be->svc;
		rc = backend_del_send(&req);
	}
	for (i = 0; i < ks->nsvcs && rc == RC_OK; i++) {
		struct svc_sel key = svc_key(&ks->svcs[i]);

		if (!conf_find_svc(conf, &key))
			rc = service_del_send(&key);
	}
	return rc;
}

int cmd_restore(const struct ctl *ctl, int argc, char **argv)
{
	const char *path = NULL, *w;
	bool replace = false;
	struct kstate ks;
	struct conf conf;
	struct args a;
	FILE *f;
	int rc;

	(void)ctl;
	args_init(&a, argc, argv);
	while ((w = args_next(&a))) {
		rc = RC_OK;
		if (!strcmp(w, "--replace")) {
			if (replace)
				rc = usage_error("\"--replace\" given twice");
			replace = true;
		} else if (path || (w[0] == '-' && w[1] && strcmp(w, "-f"))) {
			rc = args_unknown(w);
		} else if (!strcmp(w, "-f")) {
			rc = args_value(&a, "-f", &path);
		} else {
			path = w;
		}
		if (rc)
			return rc;
	}
	if (!path)
		return usage_error("missing FILE");
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f)
		return usage_error("%s: %s", path, strerror(errno));
	rc = conf_read(f, f == stdin ? "<stdin>" : path, &conf);
	if (f != stdin)
		fclose(f);
	if (rc == RC_OK)
		rc = kstate_read(&ks);
	if (rc == RC_OK) {
		rc = apply(&conf, &ks);
		if (rc == RC_OK && replace)
			rc = prune(&conf, &ks);
		kstate_free(&ks);
	}
	conf_free(&conf);
	return rc;
}
