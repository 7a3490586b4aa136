// SPDX-License-Identifier: GPL-2.0
/*
 * kstate.c - the services and backends the kernel has, read whole. See
 * kstate.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uapi/l4lb.h>

#include "cmd.h"
#include "error.h"
#include "kstate.h"

/*
 * Room for one more element of @size after the @n in @*arr: the new
 * element, or NULL with errno ENOMEM.
 */
static void *append(void **arr, size_t n, size_t size)
{
	char *p = realloc(*arr, (n + 1) * size);

	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	*arr = p;
	return p + n * size;
}

static int svc_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kstate *ks = data;
	struct svc_info *p = append((void **)&ks->svcs, ks->nsvcs, sizeof(*p));

	if (!p || msg_get_service(nlh, p) < 0)
		return MNL_CB_ERROR;
	ks->nsvcs++;
	return MNL_CB_OK;
}

static int be_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kstate *ks = data;
	struct be_info *p = append((void **)&ks->bes, ks->nbes, sizeof(*p));

	if (!p || msg_get_backend(nlh, p) < 0)
		return MNL_CB_ERROR;
	ks->nbes++;
	return MNL_CB_OK;
}

void kstate_free(struct kstate *ks)
{
	free(ks->svcs);
	free(ks->bes);
	free(ks->by_key);
	memset(ks, 0, sizeof(*ks));
}

/* Order of two values, as qsort() wants it. */
#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

/* Order of backends by service key, then address and port. */
static int be_cmp(const struct svc_sel *ka, const struct ipport *ea,
		  const struct svc_sel *kb, const struct ipport *eb)
{
	int c = ipaddr_cmp(&ka->vip, &kb->vip);

	if (c)
		return c;
	if (ka->port != kb->port)
		return CMP(ka->port, kb->port);
	if (ka->proto != kb->proto)
		return CMP(ka->proto, kb->proto);
	c = ipaddr_cmp(&ea->addr, &eb->addr);
	if (c)
		return c;
	return CMP(ea->port, eb->port);
}

static int by_key_cmp(const void *a, const void *b)
{
	const struct be_info *x = *(const struct be_info * const *)a;
	const struct be_info *y = *(const struct be_info * const *)b;

	return be_cmp(&x->svc, &x->ep, &y->svc, &y->ep);
}

int kstate_read(struct kstate *ks)
{
	size_t i;
	int rc;

	memset(ks, 0, sizeof(*ks));
	rc = ctl_get(L4LB_CMD_SERVICE_GET, true, NULL, NULL, svc_cb, ks);
	if (rc == RC_OK)
		rc = ctl_get(L4LB_CMD_BACKEND_GET, true, NULL, NULL, be_cb, ks);
	if (rc == RC_OK && ks->nbes) {
		ks->by_key = calloc(ks->nbes, sizeof(*ks->by_key));
		if (!ks->by_key)
			rc = err_report(RC_KERNEL, "out of memory");
	}
	if (rc != RC_OK) {
		kstate_free(ks);
		return rc;
	}
	for (i = 0; i < ks->nbes; i++)
		ks->by_key[i] = &ks->bes[i];
	if (ks->nbes)
		qsort(ks->by_key, ks->nbes, sizeof(*ks->by_key), by_key_cmp);
	return RC_OK;
}

const struct be_info *kstate_find_be(const struct kstate *ks,
				     const struct svc_sel *key,
				     const struct ipport *ep)
{
	size_t lo = 0, hi = ks->nbes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct be_info *be = ks->by_key[mid];
		int c = be_cmp(key, ep, &be->svc, &be->ep);

		if (c == 0)
			return (be->present & ATTR_BIT(L4LB_BE_ATTR_REMOVED)) ?
			       NULL : be;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

