package freeport

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// childEnv makes this test binary act as a second process that holds one
// port (TestHoldAPortForTheParent).
const childEnv = "ZKFLE_FREEPORT_CHILD"

// TestHoldAPortForTheParent is not a test of its own: run as a child by
// TestAnotherProcessesPortIsNotHandedOut, it takes a port, prints it and
// keeps it until its standard input closes.
func TestHoldAPortForTheParent(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("helper process for TestAnotherProcessesPortIsNotHandedOut")
	}
	p := MustPort()
	fmt.Println("port", p)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// Two test binaries run at once (go test ./... runs packages in
// parallel): a port one of them holds is never handed out by the other,
// and it becomes available again when the holder exits.
func TestAnotherProcessesPortIsNotHandedOut(t *testing.T) {
	dir := t.TempDir()
	mu.Lock()
	old := reserveDir
	reserveDir = filepath.Join(dir, "zkfle-freeport") // the child's, from its TMPDIR
	mu.Unlock()
	defer func() { mu.Lock(); reserveDir = old; mu.Unlock() }()

	child := exec.Command(os.Args[0], "-test.run", "^TestHoldAPortForTheParent$", "-test.v")
	child.Env = append(os.Environ(), childEnv+"=1", "TMPDIR="+dir)
	stdin, err := child.StdinPipe()
	require.NoError(t, err)
	stdout, err := child.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, child.Start())
	held := 0
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "port" {
			held, err = strconv.Atoi(f[1])
			require.NoError(t, err)
			break
		}
	}
	require.NotZero(t, held, "the child printed no port")
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	// Draw the child's port first: the bind check passes (the child
	// binds nothing), so only the reservation can keep it out.
	drawFirst := func() {
		mu.Lock()
		defer mu.Unlock()
		delete(given, held)
		draws := 0
		intN = func(n int) int {
			draws++
			if draws == 1 {
				return held - low
			}
			return rand.IntN(n)
		}
	}
	defer func() { mu.Lock(); intN = rand.IntN; mu.Unlock() }()
	drawFirst()
	assert.NotEqual(t, held, MustPort(), "a port another process holds was handed out")

	require.NoError(t, stdin.Close())
	require.NoError(t, child.Wait())
	drawFirst()
	assert.Equal(t, held, MustPort(), "the port stayed reserved after its holder exited")
}
