package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/freeport"
)

// The README's embedding example is this program, byte for byte: the
// first ```go block of its "Embed it in a Go program" section.
func TestReadmeExampleIsThisFile(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	src, err := os.ReadFile("main.go")
	require.NoError(t, err)
	text := string(readme)
	start := strings.Index(text, "\n## Embed it in a Go program\n")
	require.GreaterOrEqual(t, start, 0, "README has no 'Embed it in a Go program' section")
	section := text[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	m := regexp.MustCompile("(?s)```go\n(.*?)```").FindStringSubmatch(section)
	require.NotNil(t, m, "no ```go block in the embedding section")
	require.Equal(t, string(src), m[1], "README's embedding example and examples/embed/main.go differ")
}

// proc is one running example: its output lines as they come.
type proc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	lines  []string
	stderr strings.Builder
	exited chan struct{}
	err    error // cmd.Wait's, once exited is closed
}

func startProc(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), exited: make(chan struct{})}
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	p.cmd.Stderr = &lockedWriter{mu: &p.mu, w: &p.stderr}
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default: // a failed test: end what this test started
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
		}
		p.err = p.cmd.Wait() // after stdout is drained, as Wait requires
		close(p.exited)
	}()
	return p
}

// last returns the newest line printed, or "".
func (p *proc) last() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.lines) == 0 {
		return ""
	}
	return p.lines[len(p.lines)-1]
}

func (p *proc) stderrText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *strings.Builder
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func freePort(t *testing.T) int {
	t.Helper()
	return freeport.MustPort()
}

var (
	leadingLine   = regexp.MustCompile(`^LEADING epoch (\d+)$`)
	followingLine = regexp.MustCompile(`^FOLLOWING leader (\d+) epoch (\d+)$`)
)

// Three examples, run as the README says, elect one leader that the two
// others follow in the same epoch; SIGTERM stops each with exit 0; a
// fourth whose election port is taken exits 1 naming the error.
func TestThreeExamplesElectOneLeader(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs four processes")
	}
	bin := filepath.Join(t.TempDir(), "embed")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoErrorf(t, err, "go build: %s", out)

	type ports struct{ quorum, election int }
	ps := make([]ports, 3)
	var entries []string
	for i := range ps {
		ps[i] = ports{freePort(t), freePort(t)}
		entries = append(entries, fmt.Sprintf("%d=127.0.0.1:%d:%d", i+1, ps[i].quorum, ps[i].election))
	}
	servers := strings.Join(entries, ",")
	var procs []*proc
	for id := 1; id <= 3; id++ {
		procs = append(procs, startProc(t, bin, "-id", fmt.Sprint(id), "-servers", servers))
	}

	// Exactly one LEADING, two FOLLOWING that leader, all in one epoch.
	settled := func() bool {
		leader, epoch, followers := "", "", 0
		for i, p := range procs {
			line := p.last()
			if m := leadingLine.FindStringSubmatch(line); m != nil {
				if leader != "" {
					return false
				}
				leader = fmt.Sprint(i + 1)
				if epoch != "" && epoch != m[1] {
					return false
				}
				epoch = m[1]
			}
		}
		for _, p := range procs {
			if m := followingLine.FindStringSubmatch(p.last()); m != nil {
				if m[1] != leader || m[2] != epoch {
					return false
				}
				followers++
			}
		}
		return leader != "" && followers == 2
	}
	require.Eventuallyf(t, settled, 60*time.Second, 50*time.Millisecond,
		"no settled ensemble; last lines %q %q %q", procs[0].last(), procs[1].last(), procs[2].last())

	// A fourth example on node 1's election port, taken by node 1.
	fourth := startProc(t, bin, "-id", "1", "-servers",
		fmt.Sprintf("1=127.0.0.1:%d:%d", freePort(t), ps[0].election))
	select {
	case <-fourth.exited:
	case <-time.After(60 * time.Second):
		t.Fatal("the example whose port is taken did not exit")
	}
	var exit *exec.ExitError
	require.ErrorAs(t, fourth.err, &exit)
	require.Equal(t, 1, exit.ExitCode())
	require.Contains(t, fourth.stderrText(), "embed: election port: cannot bind election port 127.0.0.1:"+fmt.Sprint(ps[0].election))

	for _, p := range procs {
		require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	}
	for i, p := range procs {
		select {
		case <-p.exited:
		case <-time.After(30 * time.Second):
			t.Fatalf("example %d did not exit after SIGTERM", i+1)
		}
		require.NoErrorf(t, p.err, "example %d after SIGTERM (exit 0 expected); stderr:\n%s", i+1, p.stderrText())
		require.True(t, p.cmd.ProcessState.Exited(), "exited, not killed by the signal")
	}
	for i, p := range ps { // nothing of theirs still holds a port
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p.election))
		require.NoErrorf(t, err, "example %d's election port after its exit", i+1)
		require.NoError(t, ln.Close())
	}
}
