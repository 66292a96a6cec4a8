package fle

import (
	"cmp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/zkfle/zkfle/quorum"
	"github.com/zkfle/zkfle/zk"
	"pgregory.net/rapid"
)

// FLEPredicateTest.testPredicate, plus the zero-weight and no-weight rules.
func TestTotalOrderPredicate(t *testing.T) {
	maj := majority(t, []int64{0, 1, 2, 3, 4})
	hier := hierarchical(t,
		map[int64][]int64{1: {1, 2, 3}, 2: {4, 5, 6}},
		map[int64]int64{1: 1, 2: 1, 3: 1, 4: 0, 5: 0, 6: 0},
		7,
	)
	tests := []struct {
		name    string
		v       quorum.Verifier
		newID   int64
		newZxid zk.Zxid
		newEp   int64
		curID   int64
		curZxid zk.Zxid
		curEp   int64
		want    bool
	}{
		{"lower epoch loses despite higher id (ZOOKEEPER-1419)", maj, 4, 0, 0, 3, 0, 2, false},
		{"higher epoch wins", maj, 0, 0, 1, 1, 0, 0, true},
		{"higher zxid wins", maj, 0, 1, 0, 1, 0, 0, true},
		{"higher id wins on a tie", maj, 1, 1, 0, 0, 1, 0, true},
		{"the same vote does not beat itself", maj, 2, 5, 1, 2, 5, 1, false},
		{"weighted candidate with higher zxid wins", hier, 2, 9, 1, 3, 1, 1, true},
		{"weight 0 never wins (ZOOKEEPER-491)", hier, 5, 9, 9, 1, 0, 0, false},
		{"no weight entry never wins and does not panic", hier, 7, 9, 9, 1, 0, 0, false},
		{"unknown sid never wins and does not panic", hier, 42, 9, 9, 1, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TotalOrderPredicate(tt.v, tt.newID, tt.newZxid, tt.newEp, tt.curID, tt.curZxid, tt.curEp)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestTotalOrderPredicateNilVerifierWeighsOne(t *testing.T) {
	assert.True(t, TotalOrderPredicate(nil, 2, 0, 0, 1, 0, 0))
	assert.False(t, TotalOrderPredicate(nil, 1, 0, 0, 2, 0, 0))
}

type triple struct {
	id    int64
	zxid  zk.Zxid
	epoch int64
}

func drawTriple(t *rapid.T, label string) triple {
	// Small ranges so that ties on epoch and zxid are common.
	return triple{
		id:    rapid.Int64Range(1, 5).Draw(t, label+".id"),
		zxid:  zk.Zxid(rapid.Int64Range(-1, 3).Draw(t, label+".zxid")),
		epoch: rapid.Int64Range(-1, 3).Draw(t, label+".epoch"),
	}
}

// lexCompare orders (epoch, zxid, sid) lexicographically.
func lexCompare(a, b triple) int {
	return cmp.Or(cmp.Compare(a.epoch, b.epoch), cmp.Compare(a.zxid, b.zxid), cmp.Compare(a.id, b.id))
}

// Among positive-weight voters the predicate is a strict total order and is
// exactly the lexicographic order on (epoch, zxid, sid).
func TestTotalOrderPredicateIsStrictTotalOrder(t *testing.T) {
	maj := majority(t, []int64{1, 2, 3, 4, 5})
	hier := hierarchical(t, map[int64][]int64{1: {1, 2, 3}, 2: {4, 5}}, map[int64]int64{1: 1, 2: 2, 3: 3, 4: 1, 5: 7})
	verifiers := []struct {
		name string
		v    quorum.Verifier
	}{{"majority", maj}, {"hierarchical", hier}}
	for _, vv := range verifiers {
		t.Run(vv.name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				a, b, c := drawTriple(t, "a"), drawTriple(t, "b"), drawTriple(t, "c")
				top := func(a, b triple) bool {
					return TotalOrderPredicate(vv.v, a.id, a.zxid, a.epoch, b.id, b.zxid, b.epoch)
				}
				if top(a, a) {
					t.Fatalf("not irreflexive: %v", a)
				}
				if top(a, b) && top(b, a) {
					t.Fatalf("not asymmetric: %v %v", a, b)
				}
				if top(a, b) && top(b, c) && !top(a, c) {
					t.Fatalf("not transitive: %v %v %v", a, b, c)
				}
				if a != b && !top(a, b) && !top(b, a) {
					t.Fatalf("not total: %v %v", a, b)
				}
				if got, want := top(a, b), lexCompare(a, b) > 0; got != want {
					t.Fatalf("predicate(%v, %v) = %v, lexicographic says %v", a, b, got, want)
				}
			})
		})
	}
}
