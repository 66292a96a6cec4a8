package quorum

import "unicode/utf16"

// Java prints a verifier by walking java.util.HashMap<Long, ...> maps, so
// the line order of QuorumVerifier.toString() is HashMap iteration order,
// which depends on the order the keys were put in. ZooKeeper puts them in
// the order it walks the java.util.Properties the config was loaded into,
// and since JDK 9 a Properties is a ConcurrentHashMap<String, ...>. This
// file simulates both tables. Checked against OpenJDK 17 running
// ZooKeeper 3.8 (testdata/java_vectors.txt).
//
// Not simulated: bins that turn into red-black trees. HashMap does that
// when one bin holds 9 keys and the table has 64 or more buckets (below
// 64 it doubles the table instead, which is simulated); a
// ConcurrentHashMap when one bin holds 9 keys. Neither happens unless
// nine sids are equal modulo the table size, or nine config keys share a
// bucket, far beyond any real ensemble.

const (
	javaInitialCapacity = 16 // both tables' default size
	javaTreeifyLength   = 9  // a bin this long gets treeified (or the table grows)
	javaMinTreeCapacity = 64 // HashMap grows instead of treeifying below this
)

// javaHashMapOrder returns the keys (distinct, in the order they were
// put) in the order a java.util.HashMap<Long, V> iterates them.
//
// A HashMap iterates bucket by bucket, each bucket in insertion order. A
// Long's bucket is spread(Long.hashCode()) masked by capacity-1. The
// table starts at 16 buckets, doubles when a put makes size > 0.75 *
// capacity, and on doubling splits each bucket keeping relative order.
func javaHashMapOrder(inserted []int64) []int64 {
	bins := make([][]int64, javaInitialCapacity)
	size := 0
	for _, k := range inserted {
		b := javaLongHash(k) & uint32(len(bins)-1)
		bins[b] = append(bins[b], k)
		if len(bins[b]) >= javaTreeifyLength && len(bins) < javaMinTreeCapacity {
			bins = growHashMap(bins)
		}
		size++
		if size > len(bins)/4*3 {
			bins = growHashMap(bins)
		}
	}
	out := make([]int64, 0, len(inserted))
	for _, bin := range bins {
		out = append(out, bin...)
	}
	return out
}

// growHashMap is HashMap.resize: double the table, keep each key's
// relative order.
func growHashMap(bins [][]int64) [][]int64 {
	grown := make([][]int64, 2*len(bins))
	mask := uint32(len(grown) - 1)
	for _, bin := range bins {
		for _, k := range bin {
			b := javaLongHash(k) & mask
			grown[b] = append(grown[b], k)
		}
	}
	return grown
}

// javaLongHash is HashMap.hash(Long.valueOf(v)): Long.hashCode() is
// (int)(v ^ v>>>32), then spread by h ^ h>>>16.
func javaLongHash(v int64) uint32 {
	u := uint64(v)
	h := uint32(u ^ u>>32)
	return h ^ h>>16
}

// javaPropertiesOrder returns the indexes of keys (distinct, in the order
// Properties.load met them) in the order a JDK 9+ Properties iterates
// them: that of its ConcurrentHashMap<String, ...>.
func javaPropertiesOrder(keys []string) []int {
	hashes := make([]uint32, len(keys))
	for i, k := range keys {
		hashes[i] = javaSpread(javaStringHash(k))
	}
	return concurrentHashMapOrder(hashes)
}

// concurrentHashMapOrder returns the indexes of keys with the given spread
// hashes (distinct keys, added in index order to a default-sized
// java.util.concurrent.ConcurrentHashMap) in its iteration order.
//
// A ConcurrentHashMap iterates bucket by bucket, each bucket in list
// order, appending new keys at the tail. Its table starts at 16 buckets
// and doubles as soon as size >= 0.75 * capacity. Unlike HashMap, its
// transfer does not keep the order of a bucket: it finds the last run
// of keys that all go to the same half ("lastRun"), keeps that run as the
// tail, and pushes every key before it onto the front of its half, which
// reverses them.
func concurrentHashMapOrder(hashes []uint32) []int {
	bins := make([][]int, javaInitialCapacity)
	for i := range hashes {
		b := hashes[i] & uint32(len(bins)-1)
		bins[b] = append(bins[b], i)
		if i+1 >= len(bins)/4*3 {
			bins = growConcurrentHashMap(bins, hashes)
		}
	}
	out := make([]int, 0, len(hashes))
	for _, bin := range bins {
		out = append(out, bin...)
	}
	return out
}

// growConcurrentHashMap is ConcurrentHashMap.transfer for a table that
// nobody else touches.
func growConcurrentHashMap(bins [][]int, hashes []uint32) [][]int {
	n := uint32(len(bins))
	grown := make([][]int, 2*n)
	for i, bin := range bins {
		if len(bin) == 0 {
			continue
		}
		runBit, lastRun := hashes[bin[0]]&n, 0
		for j := 1; j < len(bin); j++ {
			if b := hashes[bin[j]] & n; b != runBit {
				runBit, lastRun = b, j
			}
		}
		// Collect the keys before lastRun in reverse, then the run.
		var lo, hi []int
		for j := lastRun - 1; j >= 0; j-- {
			if k := bin[j]; hashes[k]&n == 0 {
				lo = append(lo, k)
			} else {
				hi = append(hi, k)
			}
		}
		if runBit == 0 {
			lo = append(lo, bin[lastRun:]...)
		} else {
			hi = append(hi, bin[lastRun:]...)
		}
		grown[i], grown[uint32(i)+n] = lo, hi
	}
	return grown
}

// javaStringHash is String.hashCode(): s[0]*31^(n-1) + ... + s[n-1] over
// UTF-16 code units, in 32-bit arithmetic.
func javaStringHash(s string) uint32 {
	var h uint32
	for _, r := range s {
		if r1, r2 := utf16.EncodeRune(r); r1 != '\uFFFD' {
			h = 31*h + uint32(r1)
			h = 31*h + uint32(r2)
			continue
		}
		h = 31*h + uint32(r)
	}
	return h
}

// javaSpread is ConcurrentHashMap.spread: (h ^ h>>>16) & 0x7fffffff.
func javaSpread(h uint32) uint32 { return (h ^ h>>16) & 0x7fffffff }
