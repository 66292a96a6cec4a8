package quorumtls_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/quorumtls"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// writeFile writes data to dir/name and returns the path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

// pemOptions writes leaf's PEM key store and ca's PEM trust store to a
// new directory and returns options naming them.
func pemOptions(t *testing.T, leaf *testcerts.Leaf, ca *testcerts.CA) quorumtls.Options {
	t.Helper()
	dir := t.TempDir()
	o := quorumtls.DefaultOptions()
	o.KeyStore.Location = writeFile(t, dir, "key.pem", leaf.KeyStorePEM())
	o.TrustStore.Location = writeFile(t, dir, "trust.pem", ca.PEM)
	return o
}

// load is quorumtls.Load that closes the Source at the end of the test.
func load(t *testing.T, o quorumtls.Options, log *slog.Logger) *quorumtls.Source {
	t.Helper()
	s, err := quorumtls.Load(o, log)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// logBuffer collects log lines; safe for the watcher's goroutine.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// count counts lines containing s.
func (l *logBuffer) count(s string) int {
	n := 0
	for _, line := range strings.Split(l.String(), "\n") {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

func newLog() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

func loopbackLeaf(ca *testcerts.CA, cn string, ip string) *testcerts.Leaf {
	return ca.MustIssue(testcerts.LeafOptions{CommonName: cn, IPs: ipList(ip)})
}
