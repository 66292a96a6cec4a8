package mutate

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
)

// ByID returns the mutations named in ids, in the catalogue's order. An
// unknown id is an error.
func ByID(muts []Mutation, ids []string) ([]Mutation, error) {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	var out []Mutation
	for _, m := range muts {
		if want[m.ID] {
			out = append(out, m)
			delete(want, m.ID)
		}
	}
	if len(want) > 0 {
		var missing []string
		for id := range want {
			missing = append(missing, id)
		}
		slices.Sort(missing)
		return nil, fmt.Errorf("mutate: no such mutation: %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// WithoutSurvivors drops the entries marked expect: survives.
func WithoutSurvivors(muts []Mutation) []Mutation {
	var out []Mutation
	for _, m := range muts {
		if m.Expect != ExpectSurvives {
			out = append(out, m)
		}
	}
	return out
}

// Sample returns k mutations for rotation number seed: the catalogue in a
// fixed order (by a hash of each id, so entries of one area are spread
// out and adding an entry moves few others), cut into consecutive
// windows of k; seed picks the window, wrapping around. Consecutive seeds
// (CI uses the day number) cover the whole catalogue every ceil(n/k)
// runs. k <= 0 or k >= n returns everything.
func Sample(muts []Mutation, k int, seed uint64) []Mutation {
	n := len(muts)
	if k <= 0 || k >= n {
		return slices.Clone(muts)
	}
	order := slices.Clone(muts)
	slices.SortFunc(order, func(a, b Mutation) int {
		if c := compareUint(idHash(a.ID), idHash(b.ID)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	start := int((seed * uint64(k)) % uint64(n))
	out := make([]Mutation, 0, k)
	for i := range k {
		out = append(out, order[(start+i)%n])
	}
	return out
}

func idHash(id string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	return h.Sum64()
}

func compareUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
