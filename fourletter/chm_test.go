package fourletter

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func learners(ids ...int64) *Snapshot {
	s := &Snapshot{}
	for _, id := range ids {
		s.Learners = append(s.Learners, Learner{ID: id})
	}
	return s
}

func TestLearnerOrderIsConcurrentHashMapOrder(t *testing.T) {
	// "1","2","4" hash to bins 1, 2, 4 of 16, as the captured leader shows.
	assert.Equal(t, []string{"1", "2", "4"}, learnerOrder(learners(4, 1, 2)))
	// "22" hashes to 1600 (bin 0); "6" (54) and "17" (1574) share bin 6,
	// where the lower sid comes first; "10" (1567) lands in bin 15.
	assert.Equal(t, []string{"22", "1", "6", "17", "10"}, learnerOrder(learners(17, 10, 6, 22, 1)))
	assert.Empty(t, learnerOrder(learners()))
}

func TestLearnerOrderGrowsTheTableAtThreeQuarters(t *testing.T) {
	// With 12 keys the table has doubled to 32 bins, so "10" (1567, bin
	// 31 of 32) comes after "9" (57, bin 25); "1" (49) is bin 17.
	var ids []int64
	for id := int64(1); id <= 12; id++ {
		ids = append(ids, id)
	}
	got := learnerOrder(learners(ids...))
	assert.Len(t, got, 12)
	pos := map[string]int{}
	for i, k := range got {
		pos[k] = i
	}
	for _, k := range []string{"1", "9"} {
		assert.Less(t, pos[k], pos["10"], "%s before 10", k)
	}
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		ha := javaSpread(javaStringHash(a)) & 31
		hb := javaSpread(javaStringHash(b)) & 31
		assert.LessOrEqual(t, ha, hb, "bins ascending: %s then %s", a, b)
	}
}

func TestJavaStringHash(t *testing.T) {
	// Values of Java's "...".hashCode().
	assert.Equal(t, uint32(49), javaStringHash("1"))
	assert.Equal(t, uint32(1567), javaStringHash("10"))
	assert.Equal(t, uint32(3539291), javaStringHash("srvr"))
	// Overflows int32 and wraps, as in Java ("hello world".hashCode()).
	assert.Equal(t, uint32(1794106052), javaStringHash("hello world"))
}
