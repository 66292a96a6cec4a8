package zoocfg

import (
	"sort"
	"strings"
)

// Suggest returns the key zkfle or ZooKeeper knows that an unknown key
// most likely misspells ("tickTime" for "tickTme", "server.3" for
// "sever.3"), or "" when no known key is close. Close means an edit
// distance, ignoring case, of at most a third of the key's length (at
// least 1, at most 3): a typo, not another word. Ties go to the
// alphabetically first key, so the answer never changes between runs.
func Suggest(key string) string {
	if prefix, n, ok := numberedKey(key); ok {
		// server.N, group.N, weight.N: compare the word, keep the number.
		for _, word := range []string{"server", "group", "weight"} {
			if prefix != word && closeEnough(prefix, word) {
				return word + "." + n
			}
		}
		return ""
	}
	best, bestDist := "", -1
	for _, known := range knownKeys() {
		if known == key {
			return ""
		}
		d := editDistance(strings.ToLower(key), strings.ToLower(known))
		if d <= typoBudget(key) && (bestDist < 0 || d < bestDist) {
			best, bestDist = known, d
		}
	}
	return best
}

// numberedKey splits "word.N" (N decimal) into word and N.
func numberedKey(key string) (word, n string, ok bool) {
	i := strings.LastIndexByte(key, '.')
	if i <= 0 || i == len(key)-1 {
		return "", "", false
	}
	for _, r := range key[i+1:] {
		if r < '0' || r > '9' {
			return "", "", false
		}
	}
	return key[:i], key[i+1:], true
}

func closeEnough(a, b string) bool {
	return editDistance(strings.ToLower(a), strings.ToLower(b)) <= typoBudget(a)
}

// typoBudget is how many edits a key of this length may be from the one
// meant.
func typoBudget(key string) int {
	return min(3, max(1, len(key)/3))
}

// knownKeys lists every key this package or cmd/node reads, sorted.
func knownKeys() []string {
	var keys []string
	for k := range peerConfigKeys {
		keys = append(keys, k)
	}
	for k := range systemPropertyKeys {
		keys = append(keys, k)
	}
	for k := range documentedKeys {
		keys = append(keys, k)
	}
	keys = append(keys, "version", "metricsProvider.httpHost", "metricsProvider.httpPort")
	sort.Strings(keys)
	return keys
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (zoo.cfg keys are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
