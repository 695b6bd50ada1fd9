// SPDX-License-Identifier: Apache-2.0

package callconv

// FramesInUse returns the number of frames taken from the small and the
// large pool and not given back (a frame in a P's cache is given back). Call it only while no other goroutine
// gets or puts frames.
func FramesInUse() (n [2]int) {
	for p := range pools {
		q := &pools[p]
		q.mu.Lock()
		for k := range q.nchunk {
			n[p] += 1 << (q.shift + uint(k))
		}
		q.mu.Unlock()
		for i := uint32(q.head.Load()); i != 0; i = q.slot(i - 1).next {
			n[p]--
		}
		for id := range perP {
			if perP[id].s[p] != nil {
				n[p]--
			}
		}
	}
	return n
}
