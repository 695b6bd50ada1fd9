/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host.c - a plain C program using the Go document store of
 * examples/cshared through its C API (libdocstore.h, which
 * `go build -buildmode=c-shared` or `-buildmode=c-archive` wrote).
 *
 *   cc -I DIR -I csrc host.c -L DIR -ldocstore -Wl,-rpath,DIR  (c-shared)
 *   cc -I DIR -I csrc host.c DIR/libdocstore.a -lpthread       (c-archive)
 *
 * Every store is an hffi handle: C checks it with hffi_handle_check
 * without calling Go, and a stale, forged or double-closed one is an
 * HFFI_E* code, never a crash. Documents cross as arena trees, read and
 * built with the hffi_val_* functions. The program prints what happens and
 * exits 1 if anything differs from what the comments say.
 */

/* This program's own private copy of hffi's C API (see the end of
 * hffi.h): it links next to the library's copy without a clash. */
#define HFFI_IMPLEMENTATION
#include "hffi.h"

#include "libdocstore.h"

#include <stdio.h>
#include <string.h>

static int failed;

/* expect reports rc, and whether it is what the program expects. */
static void expect(const char *what, int32_t rc, int32_t want) {
    printf("%-52s %s\n", what, hffi_err_name(rc));
    if (rc != want) {
        printf("  ^ expected %s\n", hffi_err_name(want));
        failed = 1;
    }
}

/* put_book builds {"title": title, "pages": pages, "tags": [tags...]} in
 * the store's arena and stores it under key. */
static int32_t put_book(const hffi_rt *rt, hffi_handle db, const char *key, const char *title,
                        int64_t pages, const char *const *tags, uint64_t ntags) {
    hffi_arena a;
    hffi_ref doc, v, list;
    int32_t rc = ds_arena(db, &a);
    if (rc == 0) rc = hffi_val_new(rt, a, &doc);
    if (rc == 0) rc = hffi_val_set_map(rt, doc, 3);
    if (rc == 0) rc = hffi_val_map_set_key(rt, doc, 0, "title", HFFI_VAL_NTS, &v);
    if (rc == 0) rc = hffi_val_set_str(rt, v, title, HFFI_VAL_NTS);
    if (rc == 0) rc = hffi_val_map_set_key(rt, doc, 1, "pages", HFFI_VAL_NTS, &v);
    if (rc == 0) rc = hffi_val_set_int(rt, v, pages);
    if (rc == 0) rc = hffi_val_map_set_key(rt, doc, 2, "tags", HFFI_VAL_NTS, &list);
    if (rc == 0) rc = hffi_val_set_list(rt, list, ntags);
    for (uint64_t i = 0; rc == 0 && i < ntags; i++) {
        rc = hffi_val_list_at(rt, list, i, &v);
        if (rc == 0) rc = hffi_val_set_str(rt, v, tags[i], HFFI_VAL_NTS);
    }
    if (rc == 0) rc = hffi_val_map_sort(rt, doc);
    if (rc == 0) rc = ds_put(db, (char *)key, doc);
    return rc;
}

/* describe reads a book tree in place. */
static int32_t describe(const hffi_rt *rt, hffi_ref doc, char *buf, size_t n) {
    hffi_ref v;
    const char *title = NULL, *tag = NULL;
    int64_t pages = 0;
    uint64_t ntags = 0;
    int32_t rc = hffi_val_path(rt, doc, "title", &v);
    if (rc == 0) rc = hffi_val_get_str(rt, v, &title, NULL);
    if (rc == 0) rc = hffi_val_path(rt, doc, "pages", &v);
    if (rc == 0) rc = hffi_val_get_int(rt, v, &pages);
    if (rc == 0) rc = hffi_val_path(rt, doc, "tags", &v);
    if (rc == 0) rc = hffi_val_len(rt, v, &ntags);
    if (rc == 0) rc = hffi_val_path(rt, doc, "tags[0]", &v);
    if (rc == 0) rc = hffi_val_get_str(rt, v, &tag, NULL);
    if (rc == 0)
        snprintf(buf, n, "%s, %lld pages, %llu tags, first %s", title, (long long)pages,
                 (unsigned long long)ntags, tag);
    return rc;
}

struct visit_ctx {
    const hffi_rt *rt;
    int count;
};

/* visit is the C callback ds_each calls from Go. */
static int32_t visit(void *user, const char *key, hffi_ref doc) {
    struct visit_ctx *c = (struct visit_ctx *)user;
    char buf[128];
    int32_t rc = describe(c->rt, doc, buf, sizeof buf);
    if (rc < 0) return rc;
    printf("  each: %s = %s\n", key, buf);
    c->count++;
    return 0;
}

int main(void) {
    const hffi_rt *rt = ds_runtime(); /* hffi's root: not Go memory */
    static const char *const dune_tags[] = {"sf", "desert"};
    static const char *const emma_tags[] = {"classic"};
    hffi_handle db = 0, forged;
    hffi_ref doc = 0, v;
    struct visit_ctx ctx = {rt, 0};
    char buf[128];

    printf("hffi %s (library %d), root ABI version %u\n", HFFI_VERSION_STRING, hffi_version(),
           (unsigned)rt->abi_version);
    expect("ds_open", ds_open(&db), HFFI_OK);
    expect("hffi_handle_check(store), in C, no call into Go", hffi_handle_check(rt, db), HFFI_OK);

    /* Documents go in as trees C builds in the store's arena. */
    expect("ds_put dune (a tree C built)",
           put_book(rt, db, "dune", "Dune", 412, dune_tags, 2), HFFI_OK);
    expect("ds_put emma", put_book(rt, db, "emma", "Emma", 474, emma_tags, 1), HFFI_OK);

    /* And come out as trees Go encoded, read in place. */
    expect("ds_get dune", ds_get(db, (char *)"dune", &doc), HFFI_OK);
    if (describe(rt, doc, buf, sizeof buf) == 0) printf("  get: dune = %s\n", buf);
    expect("ds_get nobody", ds_get(db, (char *)"nobody", &v), HFFI_ENOTFOUND);
    expect("ds_get emma (resets the arena of dune's tree)", ds_get(db, (char *)"emma", &v), HFFI_OK);
    expect("reading dune's old tree after that", hffi_val_path(rt, doc, "title", &v), HFFI_ESTALE);

    /* Go calls a C callback for every document. */
    expect("ds_each with a C callback", ds_each(db, visit, &ctx), HFFI_OK);
    if (ctx.count != 2) failed = 1;

    /* Integers that are not this store are refused, by C and by Go. */
    forged = hffi_handle_make(hffi_handle_table(db), hffi_handle_gen(db) + 1, hffi_handle_index(db));
    expect("hffi_handle_check(forged generation)", hffi_handle_check(rt, forged), HFFI_EFORGED);
    expect("ds_get(forged generation)", ds_get(forged, (char *)"dune", &v), HFFI_EFORGED);
    expect("hffi_handle_check(42)", hffi_handle_check(rt, 42), HFFI_ERANGE);
    expect("ds_get(42): not a store's handle", ds_get(42, (char *)"dune", &v), HFFI_ETYPE);
    expect("ds_get(a reference, not a handle)", ds_get(doc, (char *)"dune", &v), HFFI_EKIND);

    /* Closed means closed, for every copy of the integer. */
    expect("ds_get emma, then ds_close", ds_get(db, (char *)"emma", &doc), HFFI_OK);
    expect("ds_close", ds_close(db), HFFI_OK);
    expect("ds_close again", ds_close(db), HFFI_EDELETED);
    expect("ds_get after close", ds_get(db, (char *)"dune", &v), HFFI_EDELETED);
    expect("hffi_handle_check after close, in C", hffi_handle_check(rt, db), HFFI_EDELETED);
    expect("reading emma's tree after close", hffi_val_path(rt, doc, "title", &v), HFFI_ECLOSED);

    printf(failed ? "FAIL\n" : "ok\n");
    return failed;
}
