package tests

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every log line a node writes names each key once, through an election,
// the leader's loss (connections closing, with their bridges' debug
// lines) and the next election: a key said twice (peer=3 peer=3) comes
// from a logger With(key) handed to code that adds the key again.
func TestProcessLogLinesNameEachKeyOnce(t *testing.T) {
	e := newProcEnsemble(t, 3)
	e.timing = "tickTime=200\ninitLimit=10\nsyncLimit=5\n"
	for _, s := range e.servers {
		require.NoError(t, os.WriteFile(filepath.Join(s.dir, "zoo.cfg"), []byte(e.zooCfg(s)), 0o644))
	}
	bin := nodeBinary(t)
	for sid := int64(1); sid <= 3; sid++ {
		s := e.servers[sid]
		e.launch(s, bin, "--config", filepath.Join(s.dir, "zoo.cfg"), "--log-level", "debug", "--log-format", "json")
	}
	// Whoever leads (the fast paths let the first quorum up elect the
	// best of itself) is the one to lose.
	leader := e.waitAgreedModes(30*time.Second, 1, 2, 3).leader
	var rest []int64
	for sid := int64(1); sid <= 3; sid++ {
		if sid != leader {
			rest = append(rest, sid)
		}
	}
	require.Equal(t, 0, e.stop(leader))
	next := e.waitAgreedModes(30*time.Second, rest...)
	require.NotEqual(t, leader, next.leader)
	for _, sid := range rest {
		require.Equal(t, 0, e.stop(sid))
	}

	lines := 0
	for sid := int64(1); sid <= 3; sid++ {
		e.mu.Lock()
		out := e.servers[sid].stderr.String()
		e.mu.Unlock()
		sc := bufio.NewScanner(strings.NewReader(out))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines++
			dups, err := repeatedKeys(sc.Text())
			require.NoError(t, err, "server %d: %s", sid, sc.Text())
			assert.Empty(t, dups, "server %d repeats keys: %s", sid, sc.Text())
		}
	}
	assert.Greater(t, lines, 30, "debug logs of three nodes through two elections")
}

// repeatedKeys lists the top-level keys a JSON object names more than
// once (encoding/json would keep the last silently).
func repeatedKeys(line string) ([]string, error) {
	dec := json.NewDecoder(strings.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	seen := map[string]bool{}
	var dups []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		if seen[key] {
			dups = append(dups, key)
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return dups, nil
}
