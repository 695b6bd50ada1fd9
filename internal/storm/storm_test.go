// SPDX-License-Identifier: Apache-2.0

package storm

import (
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hffi-go/hffi/handles"
)

var (
	stormTime  = flag.Duration("storm.time", 2*time.Second, "how long TestStorm blows")
	stormSeed  = flag.Uint64("storm.seed", 0, "TestStorm's seed (0: from the clock)")
	stormStall = flag.Duration("storm.stall", 5*time.Second, "how long a worker may make no progress")
	stormParts = flag.String("storm.parts", "handles,arenas", "which goroutines blow: handles, arenas or both")
)

func TestStorm(t *testing.T) {
	handles.Track(t)
	rep, err := Run(Config{Duration: *stormTime, Seed: *stormSeed, Stall: *stormStall,
		NoHandles: !strings.Contains(*stormParts, "handles"), NoArenas: !strings.Contains(*stormParts, "arenas")})
	if errors.Is(err, ErrNoCC) {
		t.Skip("no C compiler found (go env CC): the storm builds its C threads at run time")
	}
	require.NoError(t, err)
	t.Log(rep)
	for _, f := range rep.Failures {
		t.Error(f)
	}
	assert.Empty(t, rep.Failures, "rerun with -storm.seed=%d (interleavings differ anyway)", rep.Seed)
}
