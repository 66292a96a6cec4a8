package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/internal/version"
	"github.com/zkfle/zkfle/zoocfg"
)

const threeServers = "tickTime=200\ninitLimit=10\nsyncLimit=5\ndataDir=/tmp/zkfle-observe-test\n" +
	"server.1=127.0.0.1:%d:%d\nserver.2=127.0.0.1:%d:%d\nserver.3=127.0.0.1:%d:%d\n"

func parseCfg(t *testing.T, extra string) *zoocfg.File {
	t.Helper()
	f, err := zoocfg.Parse(strings.NewReader(fmt.Sprintf(threeServers, 1, 2, 3, 4, 5, 6)+extra), "")
	require.NoError(t, err)
	return f
}

// zoo.cfg's ZooKeeper keys turn the endpoints on, with ZooKeeper's
// defaults; flags override them; bad values are named.
func TestObserveConfig(t *testing.T) {
	for _, tc := range []struct {
		name, cfg     string
		flags         observeOptions
		admin, metric string
	}{
		{name: "off by default"},
		{name: "admin defaults", cfg: "admin.enableServer=TRUE\n", admin: "0.0.0.0:8080"},
		{name: "admin disabled", cfg: "admin.enableServer=false\nadmin.serverPort=9\n"},
		{name: "admin address", cfg: "admin.enableServer=true\nadmin.serverAddress=127.0.0.1\nadmin.serverPort=0\n", admin: "127.0.0.1:0"},
		{name: "prometheus defaults", cfg: "metricsProvider.className=" + prometheusClass + "\n", metric: "0.0.0.0:7000"},
		{name: "prometheus host", cfg: "metricsProvider.className=" + prometheusClass + "\nmetricsProvider.httpHost=::1\nmetricsProvider.httpPort=7001\n", metric: "[::1]:7001"},
		{name: "other provider", cfg: "metricsProvider.className=com.example.Other\nmetricsProvider.httpPort=7001\n"},
		{name: "flags win", cfg: "admin.enableServer=true\n", flags: observeOptions{adminAddr: "127.0.0.1:1", metricsAddr: "127.0.0.1:2"},
			admin: "127.0.0.1:1", metric: "127.0.0.1:2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := observeConfigOf(parseCfg(t, tc.cfg), tc.flags)
			require.NoError(t, err)
			assert.Equal(t, tc.admin, c.adminAddr)
			assert.Equal(t, tc.metric, c.metricsAddr)
		})
	}
	for _, tc := range []struct {
		cfg      string
		flags    observeOptions
		fragment string
	}{
		{cfg: "admin.enableServer=true\nadmin.serverPort=80a\n", fragment: `admin.serverPort="80a"`},
		{cfg: "metricsProvider.className=" + prometheusClass + "\nmetricsProvider.httpPort=70000\n", fragment: `metricsProvider.httpPort="70000"`},
		{flags: observeOptions{adminAddr: "localhost"}, fragment: `--admin-addr="localhost"`},
		{flags: observeOptions{metricsAddr: "h:-1"}, fragment: `--metrics-addr="-1"`},
	} {
		_, err := observeConfigOf(parseCfg(t, tc.cfg), tc.flags)
		require.ErrorIs(t, err, errBadObserveSetting, tc.fragment)
		assert.Contains(t, err.Error(), tc.fragment)
	}
}

// syncBuffer is a bytes.Buffer safe for the node's logger and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var noKeepAlive = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

// `node run` with the endpoints enabled in zoo.cfg serves /commands and
// /metrics on loopback, and a SIGTERM shuts both down with the node.
func TestRunServesAdminAndMetrics(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "myid"), []byte("1\n"), 0o644))
	ports := zooCfgPorts(t)
	cfg := fmt.Sprintf(threeServers, ports...) + "\ndataDir=" + dir + "\n" +
		"admin.enableServer=true\nadmin.serverAddress=127.0.0.1\nadmin.serverPort=0\n" +
		"metricsProvider.className=" + prometheusClass + "\nmetricsProvider.httpHost=127.0.0.1\nmetricsProvider.httpPort=0\n"
	path := filepath.Join(dir, "zoo.cfg")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o644))

	var stderr syncBuffer
	sigs := make(chan os.Signal, 1)
	exit := make(chan int, 1)
	go func() { exit <- dispatch([]string{"run", "--config", path}, io.Discard, &stderr, sigs) }()

	addrOf := func(msg string) string {
		re := regexp.MustCompile(msg + `.* addr=(127\.0\.0\.1:\d+)`)
		var addr string
		require.Eventually(t, func() bool {
			m := re.FindStringSubmatch(stderr.String())
			if m != nil {
				addr = m[1]
			}
			return m != nil
		}, 10*time.Second, 10*time.Millisecond, "log names the %s address: %s", msg, stderr.String())
		return addr
	}
	adminAddr, metricsAddr := addrOf("admin endpoint started"), addrOf("metrics endpoint started")

	resp, err := noKeepAlive.Get("http://" + adminAddr + "/commands/stat")
	require.NoError(t, err)
	var stat struct {
		Command string  `json:"command"`
		Error   *string `json:"error"`
		Sid     int64   `json:"sid"`
		State   string  `json:"state"`
		Version string  `json:"version"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&stat))
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "stat", stat.Command)
	assert.Equal(t, int64(1), stat.Sid)
	assert.Equal(t, "LOOKING", stat.State, "alone of three, it cannot elect")
	assert.Equal(t, version.String(), stat.Version, "the version `node version` prints")

	resp, err = noKeepAlive.Get("http://" + metricsAddr + "/metrics")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `zkfle_server_state{sid="1",state="LOOKING"} 1`)
	assert.Contains(t, string(body), `zkfle_elections_total{sid="1"} 0`)

	resp, err = noKeepAlive.Get("http://" + metricsAddr + "/nothing")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	sigs <- syscall.SIGTERM
	select {
	case code := <-exit:
		assert.Equal(t, exitOK, code, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("node did not stop")
	}
	for _, addr := range []string{adminAddr, metricsAddr} {
		_, err := net.DialTimeout("tcp", addr, time.Second)
		assert.Error(t, err, "%s is closed after the node stopped", addr)
	}
}

// A port that is taken fails the run with exit code 1, naming the address.
func TestRunFailsWhenTheAdminPortIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "myid"), []byte("1\n"), 0o644))
	ports := zooCfgPorts(t)
	path := filepath.Join(dir, "zoo.cfg")
	require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf(threeServers, ports...)+"\ndataDir="+dir+"\n"), 0o644))
	code, _, errOut := run("run", "--config", path, "--admin-addr", taken.Addr().String())
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, errOut, taken.Addr().String())
	assert.Contains(t, errOut, "node: admin endpoint: listen on")

	// The metrics endpoint's failure says metrics, not admin.
	code, _, errOut = run("run", "--config", path, "--metrics-addr", taken.Addr().String())
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, errOut, "node: metrics endpoint: listen on \""+taken.Addr().String())
	assert.NotContains(t, errOut, "admin")
}

// A client port (four-letter words) that is taken fails the run with exit
// code 1, as the admin and metrics ports do, before the node starts: it
// never logs "node started".
func TestRunFailsWhenTheClientPortIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "myid"), []byte("1\n"), 0o644))
	ports := zooCfgPorts(t)
	_, clientPort, err := net.SplitHostPort(taken.Addr().String())
	require.NoError(t, err)
	path := filepath.Join(dir, "zoo.cfg")
	require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf(threeServers, ports...)+"\ndataDir="+dir+"\n"+
		"clientPort="+clientPort+"\nclientPortAddress=127.0.0.1\n"), 0o644))
	// A node that wrongly starts would run until signalled: bound the wait,
	// then stop it, so the failure is a clear one and not the test binary's
	// timeout.
	sigs := make(chan os.Signal, 1)
	done := make(chan int, 1)
	var out, errBuf bytes.Buffer
	go func() { done <- dispatch([]string{"run", "--config", path}, &out, &errBuf, sigs) }()
	var code int
	select {
	case code = <-done:
	case <-time.After(30 * time.Second):
		sigs <- syscall.SIGTERM
		<-done
		t.Fatalf("the node ran with its client port taken; stderr:\n%s", errBuf.String())
	}
	errOut := errBuf.String()
	assert.Equal(t, exitFailed, code, errOut)
	assert.Contains(t, errOut, "node: cannot bind client port "+taken.Addr().String())
	assert.NotContains(t, errOut, "node started")
}
