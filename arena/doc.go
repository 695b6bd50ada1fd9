// SPDX-License-Identifier: Apache-2.0

// Package arena provides off-heap memory that C may read and write: bump
// allocation from mmap'd regions that the Go garbage collector neither
// scans nor moves nor frees, released all at once, plus generation-checked
// references ([Ref]) that Go and C resolve to an address or to a clear
// error once the memory was reset or freed.
//
// Memory comes from mmap via golang.org/x/sys/unix, never from the Go heap
// or malloc, so the package needs no cgo and behaves the same in cgo and
// CGO_ENABLED=0 builds. Because arena memory is not Go memory, passing its
// addresses to C breaks none of the cgo pointer rules, and C may keep them
// after a call returns.
//
// # Allocating
//
// [New] reserves an arena of at most [WithMaxSize] bytes (1 GiB by
// default) of address space and commits pages as allocations reach them;
// allocations never move. [Arena.Alloc] returns zeroed memory aligned up
// to a page, [Arena.AllocUninit] skips the zeroing, and [Arena.CopyString]
// and [Arena.CopyBytes] copy a Go string (NUL-terminated: a C char *) or a
// byte slice in one step:
//
//	a, err := arena.New()
//	if err != nil { ... }
//	defer a.Free()
//	cs, err := a.CopyString("hello")   // C.puts((*C.char)(cs)) is fine
//
// Exceeding the maximum size returns [hffi.ENOMEM]; the arena stays usable.
// Allocations make no Go heap allocation.
//
// Each of these calls is one atomic compare-and-swap, so goroutines and C
// threads may allocate from one arena at once. A goroutine that makes many
// small allocations takes a [Local] ([Arena.Local]) instead: it reserves
// chunks of the arena and carves allocations out of them without atomic
// instructions, several times faster, while the arena stays safe for
// everyone else.
//
// # Reset and Free
//
// [Arena.Reset] frees every allocation at once and keeps the memory for
// reuse; [Arena.Free] returns the memory to the OS. Both are idempotent on a
// freed arena; an allocation after Free returns [hffi.ECLOSED]. Neither may
// run concurrently with other uses of the same arena.
//
// For per-call scratch memory, a [Pool] hands out reset arenas and takes
// them back ([Pool.Get], [Pool.Put]), so a hot path maps no new memory.
// Putting the same arena back twice panics: the pool would hand it to two
// users.
//
// # References
//
// A raw pointer into an arena is valid until Reset or Free, and nothing
// checks it. When C must keep something longer than a call, give it a
// [Ref] instead: [Arena.Ref] mints one for an 8-aligned pointer inside an
// allocation, [Resolve] (in Go) and hffi_ref_resolve (in C, a static
// inline function in hffi.h) turn it back into an address:
//
//	r, err := a.Ref(cs)                // hand r to C as a uint64_t
//	p, err := arena.Resolve(r, 6)      // later, in Go or in C
//
// A Ref packs the arena's registry slot, the arena's generation and the
// offset. Any 64-bit integer resolves in a few loads to the address or to
// one specific error: [hffi.EZERO], [hffi.EKIND] (a handle, not a Ref),
// [hffi.ERANGE], [hffi.EFORGED] (a generation never issued), [hffi.ESTALE] (the
// arena was reset since), [hffi.ECLOSED] (the arena was freed), [hffi.ERETIRED]
// or [hffi.EBOUNDS]. Resolving never reads outside the shared registry, and a
// Ref never names memory of a later generation: Reset bumps the arena's
// generation when a Ref or the arena's C arena was minted since the previous
// Reset (scratch arenas that never mint spend no generation), and a slot
// whose generations are exhausted is retired, not wrapped; when it is
// reused, its Refs start above a floor that every earlier Ref lies below.
// Resolving racing with a Reset or Free gives the address as of before or
// the error as of after, in Go and in C alike. [ResolveExtent] gives a
// reader of offsets stored in an arena (a value tree) the allocated range
// in one consistent snapshot.
//
// # Using an arena from C
//
// C receives [hffi.Runtime] (the address of hffi_rt) once and the
// arena's hffi_arena, [Arena.CArena], per use. With them, C threads allocate from the arena
// concurrently with Go (hffi_arena_alloc, hffi_arena_strdup,
// hffi_arena_memdup) and mint Refs (hffi_ref_of) that Go resolves:
//
//	int32_t fill(const hffi_rt *rt, hffi_arena a, hffi_ref *out) {
//	    char *s;
//	    return hffi_arena_strdup(rt, a, "from C", &s, out);
//	}
//
// Go and C follow one protocol on the shared registry (see csrc/hffi.h):
// allocation is a CAS on the arena's bump offset after committing pages, so
// allocation is lock-free on both sides.
//
// # Debug mode
//
// Debug mode is a runtime switch: the environment variable HFFI_DEBUG
// ([hffi.DebugEnv]) read at start-up, [hffi.SetDebug] for arenas made afterwards, or
// [WithDebug] per arena. In debug mode Reset overwrites the used memory
// with the [Poison] byte 0xDB and makes every page inaccessible (committed
// again on the next allocation), and Free keeps the address range reserved
// and inaccessible for a while instead of unmapping it, so a C (or Go)
// access through a stale raw pointer faults at once instead of reading
// another allocation's data. Debug arenas are slower to reset.
//
// # Limits
//
// An arena's maximum size is at most [MaxSize] (4 GiB, the reach of a
// Ref's offset). The registry has 16,383 slots, each good for about a
// million generations. A slot whose generations are spent retires; once no
// fresh or freed slot is left, retired slots start over behind a floor
// above every offset they handed out, so that no old Ref can resolve. For
// arenas of the default size that lasts for over a century of minting
// Resets at full speed (RATIONALE.md has the arithmetic); an arena of
// MaxSize can only use slots never recycled. [New] returns [hffi.EEXHAUSTED]
// when every slot is in use (or retired and too high for the arena).
//
// # Errors
//
// Errors wrap the sentinels of this package, which are the HFFI_E* codes of
// hffi.h: errors.Is(err, hffi.ESTALE) holds for an error from [Resolve]
// and for the code C got from hffi_ref_resolve alike. Error paths of
// Resolve and allocation do not allocate.
//
// # Statistics
//
// [ReadStats] reports bytes mapped and in use, resets and live arenas.
package arena
