package quorum

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// allSentinels lists every sentinel error; each error the package returns
// must wrap one of them.
var allSentinels = []error{
	ErrSyntax, ErrUnknownKey, ErrBadID, ErrBadVersion, ErrBadWeight,
	ErrBadServerLine, ErrBadHost, ErrBadPort, ErrSamePorts, ErrBadType,
	ErrMixedTypes, ErrDuplicateAddress, ErrDuplicateServer, ErrDuplicateGroup,
	ErrDuplicateWeight, ErrEmptyGroup, ErrMultipleGroups, ErrNoGroup,
	ErrNoWeight, ErrObserversOnly,
}

func wrapsSentinel(err error) bool {
	for _, s := range allSentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// sameConfig is Java's equals without its "same version means equal"
// shortcut, plus equal versions: the strict sense in which a re-parsed
// config must equal the original.
func sameConfig(a, b Verifier) bool {
	switch x := a.(type) {
	case *Majority:
		y, ok := b.(*Majority)
		return ok && x.version == y.version && x.sameMembers(&y.membership)
	case *Hierarchical:
		y, ok := b.(*Hierarchical)
		return ok && x.version == y.version && x.sameMembers(&y.membership) &&
			maps.Equal(x.weight, y.weight) && maps.Equal(x.groupWeight, y.groupWeight) &&
			maps.Equal(x.groupOf, y.groupOf) && x.numGroups == y.numGroups
	}
	return false
}

// orderSensitive reports whether Java's printed order for v depends on
// more than its content: two keys of one of its HashMaps share a bucket
// (their order is then the order Java met the config keys in), or a
// server has several addresses on one host (their order and pairing then
// come from a ConcurrentHashMap's insertion order). Java's own toString
// is not a fixed point for such configs, so neither is ours.
func orderSensitive(v Verifier) bool {
	var keySets [][]int64
	switch x := v.(type) {
	case *Majority:
		keySets = append(keySets, x.ids)
	case *Hierarchical:
		keySets = append(keySets, x.ids,
			slices.Collect(maps.Keys(x.groupOf)),
			slices.Collect(maps.Keys(x.groups)),
			slices.Collect(maps.Keys(x.weight)))
	}
	for _, keys := range keySets {
		if hasBucketTie(keys) {
			return true
		}
	}
	for _, s := range v.Servers() {
		hosts := make(map[string]bool)
		for _, a := range s.Addrs {
			h, err := parseHost(a.Host)
			if err != nil || hosts[h.text] {
				return true
			}
			hosts[h.text] = true
		}
	}
	return false
}

// hasBucketTie reports whether two keys share a bucket of a HashMap
// holding exactly them.
func hasBucketTie(keys []int64) bool {
	capacity := 16
	for len(keys) > capacity/4*3 {
		capacity *= 2
	}
	seen := make(map[uint32]bool, len(keys))
	for _, k := range keys {
		b := javaLongHash(k) & uint32(capacity-1)
		if seen[b] {
			return true
		}
		seen[b] = true
	}
	return false
}

// FuzzParseConfig: ParseConfig never panics or hangs; whatever it refuses
// is refused with a sentinel error; whatever it accepts prints to a
// string that parses back to a verifier with the same content (Java's
// equals without the version shortcut) and, unless Java's own printed
// order depends on input order (orderSensitive), to the same string.
func FuzzParseConfig(f *testing.F) {
	for _, text := range goldenConfigs(f) {
		f.Add(text)
	}
	for _, v := range loadJavaVectors(f) {
		if v.kind == "config" || v.kind == "props" {
			f.Add(v.input)
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		v, err := ParseConfig(text)
		if err != nil {
			require.True(t, v == nil, "a failed parse returns a nil interface")
			require.True(t, wrapsSentinel(err), "error without a sentinel: %v", err)
			return
		}
		printed := v.String()
		again, err := ParseConfig(printed)
		require.NoError(t, err, "printed form of %q does not parse: %q", text, printed)
		require.True(t, v.Equal(again))
		require.True(t, again.Equal(v))
		require.True(t, sameConfig(v, again), "input %q printed as %q", text, printed)
		if !orderSensitive(v) {
			require.Equal(t, printed, again.String(), "input %q", text)
		}
	})
}
