package quorum

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestJavaHashMapOrder: iteration orders printed by OpenJDK 17 for
// HashMap<Long, ?> after putting the keys in the given order (the same
// cases are in testdata/java_vectors.txt as longmap vectors).
func TestJavaHashMapOrder(t *testing.T) {
	tests := []struct {
		name     string
		inserted []int64
		want     []int64
	}{
		{"small sids are ascending", []int64{3, 1, 2}, []int64{1, 2, 3}},
		{"a bucket keeps insertion order", []int64{33, 1, 17, 0, 16}, []int64{0, 16, 33, 1, 17}},
		{
			"13 keys grow the table to 32",
			[]int64{12, 28, 44, 60, 76, 92, 108, 124, 140, 156, 172, 188, 204},
			[]int64{12, 44, 76, 108, 140, 172, 204, 28, 60, 92, 124, 156, 188},
		},
		{
			"nine keys in one bucket grow the table instead of treeifying",
			[]int64{17, 1, 33, 49, 65, 81, 97, 113, 129},
			[]int64{1, 33, 65, 97, 129, 17, 49, 81, 113},
		},
		{
			"negative and huge keys",
			[]int64{100, 1000, 65536, 4294967296, -1, -5, 1<<63 - 1, -1 << 63, 7},
			[]int64{-1, 1<<63 - 1, -1 << 63, 65536, 4294967296, 100, -5, 7, 1000},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, javaHashMapOrder(tc.inserted))
		})
	}
}

// TestJavaPropertiesOrder: Properties (a ConcurrentHashMap since JDK 9)
// key orders printed by OpenJDK 17.
func TestJavaPropertiesOrder(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want []string
	}{
		{"three servers", []string{"server.1", "server.2", "server.3"}, []string{"server.2", "server.1", "server.3"}},
		{
			"colliding sids",
			[]string{"server.1", "server.17", "server.33", "server.16", "server.0"},
			[]string{"server.33", "server.1", "server.0", "server.16", "server.17"},
		},
		{
			"a zoo.cfg grows the table, which reverses bucket prefixes",
			[]string{"tickTime", "initLimit", "syncLimit", "dataDir", "clientPort", "server.1", "server.2", "server.3",
				"server.4", "server.5", "server.6", "server.7", "server.8", "group.1", "group.2", "group.3",
				"weight.1", "weight.2", "version"},
			[]string{"dataDir", "syncLimit", "version", "weight.1", "server.2", "server.1", "weight.2", "tickTime",
				"initLimit", "clientPort", "server.6", "server.5", "group.3", "server.4", "server.3", "server.8",
				"group.2", "server.7", "group.1"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, i := range javaPropertiesOrder(tc.keys) {
				got = append(got, tc.keys[i])
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestJavaStringHash(t *testing.T) {
	// Values of "...".hashCode() printed by OpenJDK 17.
	assert.Equal(t, int32(0), int32(javaStringHash("")))
	assert.Equal(t, int32(97), int32(javaStringHash("a")))
	assert.Equal(t, int32(1379102790), int32(javaStringHash("server.1")))
	assert.Equal(t, int32(1772899), int32(javaStringHash("\U0001F600")), "hashed as two UTF-16 units")
}
