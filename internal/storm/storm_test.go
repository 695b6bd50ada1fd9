// SPDX-License-Identifier: Apache-2.0

package storm

import (
	"errors"
	"flag"
	"testing"
	"time"

	"github.com/hffi-go/hffi/handles/handlestest"
	"github.com/stretchr/testify/require"
)

var (
	stormTime  = flag.Duration("storm.time", 2*time.Second, "how long each half of TestStorm blows")
	stormSeed  = flag.Uint64("storm.seed", 0, "TestStorm's seed (0: from the clock)")
	stormStall = flag.Duration("storm.stall", 5*time.Second, "how long a worker may make no progress")
)

// TestStorm blows each half of the storm on its own, so that each race
// gets the machine: handles (goroutines create and delete, C retains,
// checks and releases) and arenas (goroutines create, reset and free, C
// resolves). cmd/hffi-soak blows both at once, for longer.
func TestStorm(t *testing.T) {
	for _, part := range []struct {
		name                string
		noHandles, noArenas bool
	}{{"handles", false, true}, {"arenas", true, false}} {
		t.Run(part.name, func(t *testing.T) {
			handlestest.Track(t)
			rep, err := Run(Config{Duration: *stormTime, Seed: *stormSeed, Stall: *stormStall,
				NoHandles: part.noHandles, NoArenas: part.noArenas})
			if errors.Is(err, ErrNoCC) {
				t.Skip("no C compiler found (go env CC): the storm builds its C threads at run time")
			}
			require.NoError(t, err)
			t.Log(rep)
			for _, f := range rep.Failures {
				t.Error(f)
			}
		})
	}
}
