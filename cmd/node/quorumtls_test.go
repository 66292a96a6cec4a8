package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/testcerts"
)

// tlsZooCfg writes a zoo.cfg for server 1 of three on free loopback
// ports, with extra lines, and its myid; it returns the zoo.cfg path.
func tlsZooCfg(t *testing.T, dir, extra string) string {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "myid"), []byte("1\n"), 0o644))
	ports := zooCfgPorts(t)
	cfg := fmt.Sprintf(threeServers, ports...) + "\ndataDir=" + dir + "\n" + extra
	path := filepath.Join(dir, "zoo.cfg")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o644))
	return path
}

// Every quorum TLS problem found at start is exit code 3 with a message
// naming the key, and the file when a file is at fault.
func TestRunQuorumTLSErrorsExit3(t *testing.T) {
	ca := testcerts.MustCA("ca")
	leaf := ca.MustIssue(testcerts.LeafOptions{CommonName: "server1", IPs: []net.IP{net.ParseIP("127.0.0.1")}})
	expired := ca.MustIssue(testcerts.LeafOptions{CommonName: "old", NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})
	p12, err := leaf.KeyStorePKCS12("secret")
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, 0o600))
		return p
	}
	ks, ks12, trust := write("server1.pem", leaf.KeyStorePEM()), write("server1.p12", p12), write("ca.pem", ca.PEM)
	old := write("old.pem", expired.KeyStorePEM())
	missing := filepath.Join(dir, "missing.pem")

	for _, tc := range []struct {
		name, cfg string
		want      []string
	}{
		{"no key store", "sslQuorum=true\nssl.quorum.trustStore.location=" + trust + "\n",
			[]string{`ssl.quorum.keyStore.location=""`, "needs a key store"}},
		{"bad value", "sslQuorum=true\nssl.quorum.keyStore.location=" + ks + "\nssl.quorum.trustStore.location=" + trust + "\nssl.quorum.clientAuth=maybe\n",
			[]string{`ssl.quorum.clientAuth="maybe"`}},
		{"missing file", "sslQuorum=true\nssl.quorum.keyStore.location=" + missing + "\nssl.quorum.trustStore.location=" + trust + "\n",
			[]string{"ssl.quorum.keyStore.location=" + missing, "no such file"}},
		{"wrong password", "sslQuorum=true\nssl.quorum.keyStore.location=" + ks12 + "\nssl.quorum.keyStore.password=nope\nssl.quorum.trustStore.location=" + trust + "\n",
			[]string{"ssl.quorum.keyStore.location=" + ks12, "password"}},
		{"missing password file", "sslQuorum=true\nssl.quorum.keyStore.location=" + ks12 + "\nssl.quorum.keyStore.passwordPath=" + missing + "\nssl.quorum.trustStore.location=" + trust + "\n",
			[]string{"ssl.quorum.keyStore.passwordPath=" + missing}},
		{"expired", "sslQuorum=true\nssl.quorum.keyStore.location=" + old + "\nssl.quorum.trustStore.location=" + trust + "\n",
			[]string{"ssl.quorum.keyStore.location=" + old, "expired"}},
		{"trust store of keys", "sslQuorum=true\nssl.quorum.keyStore.location=" + ks + "\nssl.quorum.trustStore.location=" + ks12 + "\nssl.quorum.trustStore.password=secret\n",
			[]string{"ssl.quorum.trustStore.location=" + ks12}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tlsZooCfg(t, t.TempDir(), tc.cfg)
			code, _, errOut := run("run", "--config", path)
			assert.Equal(t, exitConfig, code, errOut)
			for _, w := range tc.want {
				assert.Contains(t, errOut, w)
			}
		})
	}
}

// A zoo.cfg with sslQuorum=true starts a node with TLS set up from its
// stores, logged with the certificate's subject and expiry; the reload
// watcher stops with the node (TestMain's goleak check).
func TestRunWithQuorumTLS(t *testing.T) {
	ca := testcerts.MustCA("ca")
	leaf := ca.MustIssue(testcerts.LeafOptions{CommonName: "server1", IPs: []net.IP{net.ParseIP("127.0.0.1")}})
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s1.pem"), leaf.KeyStorePEM(), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ca.pem"), ca.PEM, 0o600))
	path := tlsZooCfg(t, dir, "sslQuorum=true\nsslQuorumReloadCertFiles=true\n"+
		"ssl.quorum.keyStore.location="+filepath.Join(dir, "s1.pem")+"\nssl.quorum.trustStore.location="+filepath.Join(dir, "ca.pem")+"\n")

	var stderr syncBuffer
	sigs := make(chan os.Signal, 1)
	exit := make(chan int, 1)
	go func() { exit <- dispatch([]string{"run", "--config", path}, io.Discard, &stderr, sigs) }()
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "node started") },
		10*time.Second, 10*time.Millisecond, "the node starts: %s", stderr.String())
	logs := stderr.String()
	assert.Contains(t, logs, `msg="Using TLS encrypted quorum communication" subject="CN=server1,O=zkfle tests"`)
	assert.Contains(t, logs, "not_after="+leaf.Cert.NotAfter.UTC().Format(time.RFC3339))
	assert.Contains(t, logs, "reload_cert_files=true")
	assert.Contains(t, logs, `msg="quorum TLS certificate expires soon: renew it"`, "a day left: within 30 days")

	sigs <- syscall.SIGTERM
	select {
	case code := <-exit:
		assert.Equal(t, exitOK, code, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("node did not stop")
	}
}
