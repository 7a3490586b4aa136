// SPDX-License-Identifier: GPL-2.0
/*
 * health_sm.c - the rise/fall state machine. See health_sm.h.
 */
#include <limits.h>

#include "health_sm.h"

void health_sm_init(struct health_sm *sm, bool up)
{
	sm->up = up;
	sm->successes = 0;
	sm->failures = 0;
}

enum health_flip health_sm_feed(struct health_sm *sm, bool ok,
				unsigned int rise, unsigned int fall)
{
	if (ok) {
		sm->failures = 0;
		if (sm->successes < UINT_MAX)
			sm->successes++;
		if (!sm->up && sm->successes >= rise) {
			sm->up = true;
			return HEALTH_WENT_UP;
		}
	} else {
		sm->successes = 0;
		if (sm->failures < UINT_MAX)
			sm->failures++;
		if (sm->up && sm->failures >= fall) {
			sm->up = false;
			return HEALTH_WENT_DOWN;
		}
	}
	return HEALTH_STAY;
}

void health_sm_undo(struct health_sm *sm)
{
	sm->up = !sm->up;
}
