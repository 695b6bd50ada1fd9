// SPDX-License-Identifier: Apache-2.0

package atomicx_test

import (
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/internal/atomicx"
)

func TestStoreRelease(t *testing.T) {
	var words [4]uint64
	for i, v := range []uint64{0, 1, 1 << 63, ^uint64(0)} {
		atomicx.StoreRelease(&words[i], v)
		require.Equal(t, v, atomic.LoadUint64(&words[i]))
	}
	require.Equal(t, [4]uint64{0, 1, 1 << 63, ^uint64(0)}, words)
}

// A value published with StoreRelease is seen, with what was written
// before it, by a reader that loads the flag atomically (message passing;
// under -race this also shows the race detector sees the store).
func TestStoreReleasePublishes(t *testing.T) {
	const rounds = 10000
	var data [rounds]uint64
	var flag, ack uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range uint64(rounds) {
			for atomic.LoadUint64(&flag) != i+1 {
				runtime.Gosched()
			}
			if data[i] != i*3+1 {
				t.Errorf("round %d: data %d before its flag", i, data[i])
			}
			atomic.StoreUint64(&ack, i+1)
		}
	}()
	for i := range uint64(rounds) {
		data[i] = i*3 + 1
		atomicx.StoreRelease(&flag, i+1)
		for atomic.LoadUint64(&ack) != i+1 {
			runtime.Gosched()
		}
	}
	<-done
}
