package epochfile

import (
	"strconv"
	"testing"
)

// FuzzParseEpoch: the epoch file parser never panics, and what it accepts
// prints back (as ZooKeeper writes it) to a value it accepts again.
func FuzzParseEpoch(f *testing.F) {
	for _, s := range []string{"0", "17", "17\n", "17\r\nx", "+5", "-1", "", " 5", "99999999999999999999", "1_0"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, _, ok := parseEpoch(b)
		if !ok {
			return
		}
		if v < 0 {
			t.Fatalf("accepted negative %d", v)
		}
		if v2, _, ok2 := parseEpoch([]byte(strconv.FormatInt(v, 10))); !ok2 || v2 != v {
			t.Fatalf("%d does not round-trip", v)
		}
	})
}
