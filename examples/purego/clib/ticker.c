/* SPDX-License-Identifier: Apache-2.0 */

/* ticker: a small C library for examples/purego. It computes (tk_add,
 * tk_count), and it runs a C thread that calls a Go callback until Go
 * releases it. The thread checks the callback's handle itself, with
 * hffi_handle_check from hffi.h, before every call: no call into Go is
 * needed to learn that Go let go of it. */

#define _POSIX_C_SOURCE 200809L /* nanosleep */

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "hffi.h"

typedef int32_t (*tk_tick_fn)(void *user_data, int32_t n);

int64_t tk_add(int64_t a, int64_t b) { return a + b; }

/* tk_count returns how many times c occurs in s. */
int32_t tk_count(const char *s, int32_t c) {
    int32_t n = 0;
    for (; *s; s++)
        if (*s == (char)c) n++;
    return n;
}

static struct {
    pthread_t thread;
    const hffi_rt *rt;
    tk_tick_fn fn;
    void *ud;
    int32_t max;
    int32_t status; /* why the thread stopped: 0, or an HFFI_E* code */
} tk;

static void *tk_main(void *arg) {
    const struct timespec pause = {0, 1000000}; /* 1 ms */
    (void)arg;
    for (int32_t n = 0; n < tk.max; n++) {
        int32_t rc = hffi_handle_check(tk.rt, (hffi_handle)(uintptr_t)tk.ud);
        if (rc < 0) {
            tk.status = rc; /* Go closed the callback: stop, no call */
            return NULL;
        }
        rc = tk.fn(tk.ud, n);
        if (rc < 0) {
            tk.status = rc;
            return NULL;
        }
        nanosleep(&pause, NULL);
    }
    return NULL;
}

/* tk_start starts a thread calling fn(user_data, n) for n = 0, 1, ... up
 * to max times; it returns 0 or HFFI_EINVAL. */
int32_t tk_start(const hffi_rt *rt, tk_tick_fn fn, void *user_data, int32_t max) {
    int32_t rc = hffi_rt_check(rt);
    if (rc < 0) return rc;
    tk.rt = rt;
    tk.fn = fn;
    tk.ud = user_data;
    tk.max = max;
    tk.status = 0;
    return pthread_create(&tk.thread, NULL, tk_main, NULL) == 0 ? 0 : HFFI_EINVAL;
}

/* tk_wait waits for the thread and returns why it stopped. */
int32_t tk_wait(void) {
    pthread_join(tk.thread, NULL);
    return tk.status;
}
