/* SPDX-License-Identifier: GPL-2.0 */
/*
 * health_sm.h - the rise/fall state machine of one backend.
 *
 * A backend that is up goes down after `fall` consecutive failed checks; a
 * backend that is down comes up after `rise` consecutive successful ones.
 * One result of the other kind breaks a run. This is a pure function of
 * the sequence of results, so it is unit-tested on its own.
 */
#ifndef L4LB_HEALTH_SM_H
#define L4LB_HEALTH_SM_H

#include <stdbool.h>

/**
 * struct health_sm - what the checker believes about one backend
 * @up: the backend is (or has been marked) up
 * @successes: consecutive successful checks, up to now (0 after a failure)
 * @failures: consecutive failed checks, up to now (0 after a success)
 */
struct health_sm {
	bool up;
	unsigned int successes;
	unsigned int failures;
};

/**
 * enum health_flip - what a check result did to the state
 * @HEALTH_STAY: no change
 * @HEALTH_WENT_DOWN: up -> down: `fall` consecutive failures reached
 * @HEALTH_WENT_UP: down -> up: `rise` consecutive successes reached
 */
enum health_flip {
	HEALTH_STAY,
	HEALTH_WENT_DOWN,
	HEALTH_WENT_UP,
};

/**
 * health_sm_init() - start from a known state, with empty runs
 * @sm: the state machine
 * @up: the state the kernel reports (the checker adopts it)
 */
void health_sm_init(struct health_sm *sm, bool up);

/**
 * health_sm_feed() - account one check result
 * @sm: the state machine
 * @ok: the check succeeded
 * @rise: successes needed to come up (>= 1)
 * @fall: failures needed to go down (>= 1)
 *
 * The run counters keep counting after a flip (they saturate), so a
 * caller that could not apply a flip can undo it with health_sm_undo()
 * and the next result of the same kind flips again.
 *
 * Return: the flip this result caused, if any; @sm->up follows it.
 */
enum health_flip health_sm_feed(struct health_sm *sm, bool ok,
				unsigned int rise, unsigned int fall);

/**
 * health_sm_undo() - take back the last flip (the kernel refused it)
 * @sm: the state machine, right after health_sm_feed() returned a flip
 */
void health_sm_undo(struct health_sm *sm);

#endif /* L4LB_HEALTH_SM_H */
