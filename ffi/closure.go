// SPDX-License-Identifier: Apache-2.0

package ffi

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/hffi-go/hffi"
	"github.com/hffi-go/hffi/handles"
)

// Closure callbacks: a callback whose C function pointer is its own, for C
// APIs that pass no user data to the function (qsort, SQLite's xFunc) or
// pass it where a trampoline cannot find it (through an accessor, in a
// stack argument). Each is a libffi closure: libffi hands out a code
// address per closure (how it makes the code page, W^X or not, is the
// system libffi's policy; hffi writes no executable memory), and
// every closure runs one generic handler of hffi with the closure's slot
// index as user data. The slot holds the handle of the callback that owns
// the closure now, so a released function pointer finds a stale handle and
// C gets the failure value. Closures are never freed (a late call must not
// jump into freed memory); a released one goes to the back of a queue of
// its C signature and is reused after clQuarantine others. See
// RATIONALE.md, "Callbacks without user data".

// clQuarantine is how many released closures of a signature wait before
// the oldest is reused; debug mode waits longer.
const (
	clQuarantine      = 1024
	clQuarantineDebug = 1 << 16
)

// User-data modes of a callback (cbConfig.ud).
const (
	udFirst = iota
	udLast
	udNone // its own function pointer (a closure)
	udAt   // C parameter cbConfig.udAt
	udVia  // cbConfig.via(C parameter cbConfig.viaArg)
)

// libffi, opened on first use.
type libffi struct {
	prepCif, closureAlloc, prepClosureLoc uintptr
	types                                 [kError + 1]uintptr // ffi_type of each argKind, 0 if none
	abi                                   uintptr
	scratch                               unsafe.Pointer // off-heap word for ffi_closure_alloc's out-parameter
}

var (
	lffiMu   sync.Mutex
	lffi     *libffi
	lffiErr  error
	lffiDone bool

	// libffiNames are tried in order; a test replaces them to play a
	// system without libffi (see resetLibffiForTest).
	libffiNames = defaultLibffiNames()
)

func defaultLibffiNames() []string {
	if runtime.GOOS == "darwin" {
		return []string{"libffi.8.dylib", "libffi.dylib", "/usr/lib/libffi.dylib",
			"/opt/homebrew/opt/libffi/lib/libffi.8.dylib", "/usr/local/opt/libffi/lib/libffi.8.dylib"}
	}
	return []string{"libffi.so.8", "libffi.so.7", "libffi.so"}
}

// loadLibffi opens libffi once; the error says what to install.
func loadLibffi() (*libffi, error) {
	lffiMu.Lock()
	defer lffiMu.Unlock()
	if !lffiDone {
		lffi, lffiErr = openLibffi()
		lffiDone = true
	}
	return lffi, lffiErr
}

func openLibffi() (*libffi, error) {
	var abiNum uintptr
	switch runtime.GOARCH {
	case "amd64":
		abiNum = 2 // FFI_UNIX64
	case "arm64":
		abiNum = 1 // FFI_SYSV
	default:
		return nil, fmt.Errorf("%w: callbacks without user data are not supported on %s", hffi.EINVAL, runtime.GOARCH)
	}
	var h uintptr
	var errs []string
	for _, n := range libffiNames {
		p, err := dlopen(n)
		if err == nil {
			h = p
			break
		}
		errs = append(errs, err.Error())
	}
	if h == 0 {
		return nil, fmt.Errorf("%w: a callback without user data (NoUserData, UserDataVia, or a user data C passes on the stack) "+
			"needs libffi, which is not installed (install libffi8, or libffi on macOS; tried %s): %s",
			hffi.ENOTFOUND, strings.Join(libffiNames, ", "), strings.Join(errs, "; "))
	}
	l := &libffi{abi: abiNum}
	var err error
	for _, s := range []struct {
		p    *uintptr
		name string
	}{{&l.prepCif, "ffi_prep_cif"}, {&l.closureAlloc, "ffi_closure_alloc"}, {&l.prepClosureLoc, "ffi_prep_closure_loc"}} {
		if *s.p, err = dlsym(h, s.name); err != nil {
			return nil, fmt.Errorf("libffi: %w", err)
		}
	}
	for k, name := range map[argKind]string{
		kVoid: "void", kWord: "uint64", kInt32: "sint32", kInt16: "sint16", kInt8: "sint8",
		kUint32: "uint32", kUint16: "uint16", kUint8: "uint8", kBool: "uint8", kPointer: "pointer",
		kFloat64: "double", kFloat32: "float", kString: "pointer", kError: "sint32",
	} {
		if l.types[k], err = dlsym(h, "ffi_type_"+name); err != nil {
			return nil, fmt.Errorf("libffi: %w", err)
		}
	}
	l.scratch = offHeap(8)
	return l, nil
}

// offHeap returns n bytes (8-aligned) of zeroed memory outside the Go heap
// that is never freed: cifs and their type arrays, which libffi reads on
// every call of a closure for the life of the process.
func offHeap(n uintptr) unsafe.Pointer {
	offMu.Lock()
	defer offMu.Unlock()
	n = (n + 15) &^ 15
	if offBuf == nil || offUsed+n > uintptr(len(offBuf)) {
		size := max(64<<10, int(n))
		b, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
		if err != nil {
			panic("ffi: cannot map memory for libffi: " + err.Error())
		}
		offBuf, offUsed = b, 0
	}
	p := unsafe.Pointer(&offBuf[offUsed])
	offUsed += n
	return p
}

var (
	offMu   sync.Mutex
	offBuf  []byte
	offUsed uintptr
)

// clSig is one C signature of closures: its cif, and the queue of
// released closures that may be reused for it.
type clSig struct {
	id   uint32 // the callback shape of its callbacks: clShapeBase + id
	cif  uintptr
	sh   shape
	void bool

	mu   sync.Mutex
	free []uint32 // released closures, oldest first
	head int
}

// clShapeBase is where closure shapes start, above every trampoline
// shape; a closure callback's handle given to a trampoline (or the other
// way round) is ETYPE.
const clShapeBase = 1 << 20

var (
	clSigsMu sync.Mutex
	clSigs   = map[string]*clSig{}
	clByID   []*clSig
)

// sigFor returns the clSig of C parameters cin and result out.
// tag tells apart closures of one C signature whose user data comes from
// different places, so that each has its own shape.
func sigFor(l *libffi, s *cbSig, tag string) (*clSig, error) {
	cin, out := s.cin[:s.cn], s.out
	var key strings.Builder
	key.WriteString(sigKey(cin, out))
	key.WriteString(tag)
	for _, t := range s.cinT[:s.cn] {
		if t != nil {
			fmt.Fprintf(&key, "|%s", t)
		}
	}
	if s.rtype != nil {
		fmt.Fprintf(&key, "|>%s", s.rtype)
	}
	clSigsMu.Lock()
	defer clSigsMu.Unlock()
	if s := clSigs[key.String()]; s != nil {
		return s, nil
	}
	n := len(cin)
	cif := offHeap(64 + 8*uintptr(n+1))
	types := unsafe.Add(cif, 64)
	var structs []uintptr
	var goTypes []reflect.Type
	typeOf := func(k argKind, t reflect.Type) (uintptr, error) {
		if k != kStruct {
			return l.types[k], nil
		}
		ft, err := l.ffiStructType(t)
		structs, goTypes = append(structs, ft), append(goTypes, t)
		return ft, err
	}
	for i, k := range cin {
		ft, err := typeOf(k, s.cinT[i])
		if err != nil {
			return nil, err
		}
		*(*uintptr)(unsafe.Add(types, 8*i)) = ft
	}
	rt, err := typeOf(out, s.rtype)
	if err != nil {
		return nil, err
	}
	r := callW5(l.prepCif, uintptr(cif), l.abi, uintptr(n), rt, uintptr(types))
	if int32(r) != 0 {
		return nil, fmt.Errorf("libffi: ffi_prep_cif: status %d", int32(r))
	}
	for i, ft := range structs {
		if err := checkFfiSize(ft, goTypes[i]); err != nil {
			return nil, err
		}
	}
	cs := &clSig{id: uint32(len(clByID)), cif: uintptr(cif), void: out == kVoid}
	cs.sh = shape{general: true, n: maxIntArgs, res: resInt}
	switch {
	case out.isFloat():
		cs.sh.res = resFloat
	case out == kPointer:
		cs.sh.res = resPtr
	}
	clSigs[key.String()] = cs
	clByID = append(clByID, cs)
	return cs, nil
}

// A clSlot is one closure: its code address and the handle of the
// callback that owns it (or owned it last).
type clSlot struct {
	code uintptr
	sig  *clSig
	h    atomic.Uint64
	fail atomic.Pointer[failValue] // the owner's failure value, for late calls
	stub bool                      // a precompiled stub (stub.go), never reused

	// Where the user data comes from, for a closure shared by every
	// callback of one signature and user-data position (udAt, udVia):
	// the handle is read from the call, not from h.
	mode   uint8
	udInt  uint8   // udAt: integer register index of the user data in the frame
	viaArg uint8   // udVia: integer register index of the context argument
	via    uintptr // udVia: the accessor C function
}

// clSlots holds every closure ever made, by index (1-based: the index is
// the closure's libffi user data, and 0 is never one).
const clBlockBits = 12

var (
	clMu     sync.Mutex
	clBlocks [1 << 12]atomic.Pointer[[1 << clBlockBits]clSlot]
	clCount  uint32 = clReserved          // the stubs' slots come first
	clShared        = map[string]uint32{} // udAt/udVia closures by signature and position
)

func clSlotAt(i uint32) *clSlot {
	if i == 0 || i>>clBlockBits >= uint32(len(clBlocks)) {
		return nil
	}
	b := clBlocks[i>>clBlockBits].Load()
	if b == nil {
		return nil
	}
	return &b[i&(1<<clBlockBits-1)]
}

// newClosure makes a closure of sig; clMu is held.
func newClosure(l *libffi, sig *clSig) (uint32, error) {
	i := clCount + 1
	if i>>clBlockBits >= uint32(len(clBlocks)) {
		return 0, fmt.Errorf("%w: %d closures alive", hffi.ENOMEM, clCount)
	}
	cl := callW2(l.closureAlloc, 64, uintptr(l.scratch))
	if cl == 0 {
		return 0, fmt.Errorf("%w: ffi_closure_alloc failed", hffi.ENOMEM)
	}
	code := *(*uintptr)(l.scratch)
	if r := callW5(l.prepClosureLoc, cl, sig.cif, clHandler(), uintptr(i), code); int32(r) != 0 {
		return 0, fmt.Errorf("libffi: ffi_prep_closure_loc: status %d", int32(r))
	}
	b := clBlocks[i>>clBlockBits].Load()
	if b == nil {
		b = new([1 << clBlockBits]clSlot)
		clBlocks[i>>clBlockBits].Store(b)
	}
	sl := &b[i&(1<<clBlockBits-1)]
	sl.code, sl.sig, sl.mode = code, sig, udNone
	clCount = i
	return i, nil
}

// takeClosure returns a closure of sig for a new callback: the oldest
// released one once enough wait, else a new one.
func takeClosure(l *libffi, sig *clSig) (uint32, error) {
	q := closureQuarantine()
	sig.mu.Lock()
	if len(sig.free)-sig.head > q {
		i := sig.free[sig.head]
		sig.head++
		if sig.head > len(sig.free)/2 && sig.head > 1024 {
			sig.free = append(sig.free[:0], sig.free[sig.head:]...)
			sig.head = 0
		}
		sig.mu.Unlock()
		return i, nil
	}
	sig.mu.Unlock()
	clMu.Lock()
	defer clMu.Unlock()
	return newClosure(l, sig)
}

// closureQuarantine is how many released closures of a signature wait
// before one is reused, in the current mode.
func closureQuarantine() int {
	if hffi.Debug() {
		return clQuarantineDebug
	}
	return clQuarantine
}

func releaseClosure(i uint32) {
	sl := clSlotAt(i)
	if sl.stub {
		return
	}
	sl.sig.mu.Lock()
	sl.sig.free = append(sl.sig.free, i)
	sl.sig.mu.Unlock()
}

// sharedClosure returns the one closure of sig whose user data is found
// by mode (udAt, udVia) rather than stored in the slot.
func sharedClosure(l *libffi, sig *clSig, mode, udInt, viaArg uint8, via uintptr) (uint32, error) {
	key := fmt.Sprintf("%d/%d/%d/%d/%#x", sig.id, mode, udInt, viaArg, via)
	clMu.Lock()
	defer clMu.Unlock()
	if i, ok := clShared[key]; ok {
		return i, nil
	}
	i, err := newClosure(l, sig)
	if err != nil {
		return 0, err
	}
	sl := clSlotAt(i)
	sl.mode, sl.udInt, sl.viaArg, sl.via = mode, udInt, viaArg, via
	clShared[key] = i
	return i, nil
}

// LiveClosures returns how many closures (C function pointers of
// callbacks made with [NoUserData] or [UserDataVia]) exist, in use or
// waiting for reuse: the process's cost of them, bounded by the most
// callbacks alive at once plus the quarantine of each signature.
func LiveClosures() int {
	clMu.Lock()
	defer clMu.Unlock()
	return int(clCount-clReserved) + int(min(stubNext[0].Load(), stubsPerClass)+min(stubNext[1].Load(), stubsPerClass))
}

// newClosureCallback finishes a callback whose function pointer is a
// closure (s.mode is udNone, udVia, or udAt at a place no trampoline
// reads).
func newClosureCallback(s *cbSig, c *Callback) error {
	if i, err := takeStub(s); err != nil || i != 0 {
		if err != nil {
			return err
		}
		sl := clSlotAt(i)
		c.shape, c.sh, c.cl, c.fn = clShapeBase+sl.sig.id, &sl.sig.sh, i, sl.code
		return nil
	}
	l, err := loadLibffi()
	if err != nil {
		return err
	}
	tag := ""
	switch s.mode {
	case udAt:
		tag = fmt.Sprintf("@%d", s.udInt)
	case udVia:
		tag = fmt.Sprintf("via%d:%#x", s.viaArg, s.via)
	}
	sig, err := sigFor(l, s, tag)
	if err != nil {
		return err
	}
	c.shape, c.sh = clShapeBase+sig.id, &sig.sh
	if s.mode == udNone {
		i, err := takeClosure(l, sig)
		if err != nil {
			return err
		}
		c.cl = i
		c.fn = clSlotAt(i).code
		return nil
	}
	i, err := sharedClosure(l, sig, s.mode, s.udInt, s.viaArg, s.via)
	if err != nil {
		return err
	}
	c.fn = clSlotAt(i).code
	return nil
}

// intArg returns integer argument i of a closure's frame.
func (f *cbFrame) intArg(i uint8) uintptr {
	if i < maxIntArgs {
		return f.ints[i]
	}
	return f.more[i-maxIntArgs]
}

// clDispatch runs a call of closure f.aux: the handle is the slot's, or
// read from the call for a shared closure. The frame holds the call's
// arguments as a trampoline would (see clHandler).
func clDispatch(f *cbFrame) {
	sl := clSlotAt(f.aux)
	if sl == nil || sl.sig == nil {
		return // a slot never handed out: only a forged function pointer gets here
	}
	sig := sl.sig
	f.shape = clShapeBase + sig.id
	var h handles.Handle
	switch sl.mode {
	case udNone:
		h = handles.Handle(sl.h.Load())
	case udAt:
		h = handles.Handle(f.intArg(sl.udInt))
	case udVia:
		h = handles.Handle(callW1(sl.via, f.intArg(sl.viaArg)))
	}
	dispatchTo(f, &sig.sh, h)
}

// sigKey names a C signature: its parameters and result.
func sigKey(cin []argKind, out argKind) string {
	b := make([]byte, 0, len(cin)+2)
	for _, k := range cin {
		b = append(b, byte('a'+k))
	}
	return string(append(b, '>', byte('a'+out)))
}

// Every trampoline serves one C signature, the first made with it: a
// callback of another signature that would share its register shape gets
// a closure of its own (when libffi is there), so that a handle given to
// the function pointer of another signature is ETYPE instead of a call
// of the wrong Go function (a GLib source function's handle given to its
// destroy notify).
var (
	trampMu    sync.Mutex
	trampOwner [len(tshapes)]string
)

// tshapes is the shape of every trampoline, variants included.
var tshapes = func() (t [cbVariants * len(shapes)]shape) {
	for i := range t {
		t[i] = shapes[i%len(shapes)]
	}
	return t
}()

// claimTrampoline gives s (whose shape is a base shape) the variant of its
// trampoline that serves its C signature, and reports whether it got one.
func claimTrampoline(s *cbSig) bool {
	key := sigKey(s.cin[:s.cn], s.out)
	trampMu.Lock()
	defer trampMu.Unlock()
	for v := range cbVariants {
		id := uint32(v*len(shapes)) + s.shape
		switch trampOwner[id] {
		case "":
			trampOwner[id] = key
			fallthrough
		case key:
			s.shape = id
			return true
		}
	}
	if _, err := loadLibffi(); err != nil {
		// Without libffi, further signatures share the first variant, as
		// before variants and closures existed: their handles still tell
		// callbacks apart.
		return true
	}
	return false
}
