package main

import (
	"crypto/tls"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/netbridge/electionwire"
	"github.com/zkfle/zkfle/zk"
)

// tlsElectionPort is a fake TLS election port requiring a client
// certificate from ca: for each connection it reads the header and the
// notification and answers FOLLOWING server 3. It records the CNs of the
// client certificates it saw.
func tlsElectionPort(t *testing.T, ca *testcerts.CA) (addr string, clientCNs chan string) {
	t.Helper()
	cert := ca.MustIssue(testcerts.LeafOptions{CommonName: "server2", IPs: []net.IP{net.ParseIP("127.0.0.1")}}).TLS()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert},
		ClientCAs: ca.Pool(), ClientAuth: tls.RequireAndVerifyClientCert})
	require.NoError(t, err)
	clientCNs = make(chan string, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := electionwire.ReadInitialMessage(c); err != nil {
					return
				}
				if _, err := electionwire.NewFrameReader(c).Next(); err != nil {
					return
				}
				clientCNs <- c.(*tls.Conn).ConnectionState().PeerCertificates[0].Subject.CommonName
				frame, _ := electionwire.AppendNotificationFrame(nil, &electionwire.Notification{State: zk.Following,
					Leader: 3, ElectionEpoch: 2, Version: 2, Config: []byte{}})
				_, _ = c.Write(frame)
				_, _ = c.Read(make([]byte, 1)) // until the probe hangs up
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
	})
	return ln.Addr().String(), clientCNs
}

// node probe speaks TLS with each way of giving it a certificate, and
// reports a server it cannot verify as a TLS error.
func TestProbeCommandTLS(t *testing.T) {
	ca := testcerts.MustCA("ca")
	addr, cns := tlsElectionPort(t, ca)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, 0o600))
		return p
	}
	leaf := ca.MustIssue(testcerts.LeafOptions{CommonName: "probe"})
	p12, err := leaf.KeyStorePKCS12("pw")
	require.NoError(t, err)
	caFile := write("ca.pem", ca.PEM)
	zooCfg := write("zoo.cfg", []byte("initLimit=10\nsyncLimit=5\ndataDir="+dir+"\nsslQuorum=true\n"+
		"ssl.quorum.keyStore.location="+write("server1.pem", ca.MustIssue(testcerts.LeafOptions{CommonName: "server1"}).KeyStorePEM())+"\n"+
		"ssl.quorum.trustStore.location="+caFile+"\nserver.1=127.0.0.1:1:2\nserver.2=127.0.0.1:3:4\n"))

	for _, tc := range []struct {
		name string
		args []string
		cn   string
	}{
		{"key store", []string{"--tls-ca", caFile, "--tls-keystore", write("probe.p12", p12), "--tls-keystore-password", "pw"}, "probe"},
		{"cert and key", []string{"--tls-ca", caFile, "--tls-cert", write("probe.crt", leaf.CertPEM), "--tls-key", write("probe.key", leaf.KeyPEM)}, "probe"},
		{"a server's zoo.cfg", []string{"--tls-config", zooCfg}, "server1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(append(append([]string{"probe", "--json"}, tc.args...), addr)...)
			require.Equal(t, exitOK, code, errOut)
			var doc probeJSON
			require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
			require.Len(t, doc.Servers, 1)
			assert.Equal(t, "FOLLOWING", doc.Servers[0].State)
			assert.Equal(t, tc.cn, <-cns, "the probe presented its certificate")
		})
	}

	other := testcerts.MustCA("other")
	code, out, _ := run("probe", "--json", "--tls-ca", write("other.pem", other.PEM), "--tls-keystore", filepath.Join(dir, "probe.p12"),
		"--tls-keystore-password", "pw", addr)
	assert.Equal(t, exitFailed, code)
	var doc probeJSON
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	assert.Equal(t, "tls", doc.Servers[0].ErrorKind, doc.Servers[0].Error)

	code, _, _ = run("probe", "--timeout", "2s", addr)
	assert.Equal(t, exitFailed, code, "plaintext to a TLS port gets no answer")
}

func TestProbeCommandTLSUsage(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-keystore", "k.pem"}, "--tls-ca is required"},
		{[]string{"--tls-ca", "ca.pem", "--tls-cert", "c.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-ca", "ca.pem", "--tls-keystore", "k.pem", "--tls-key", "k.pem", "--tls-cert", "c.pem"}, "not both"},
		{[]string{"--tls-config", "zoo.cfg", "--tls-ca", "ca.pem"}, "give no other --tls-* store flag"},
		{[]string{"--tls-server-name", "zk1"}, "--tls-server-name needs TLS"},
		{[]string{"--tls-ca", filepath.Join(dir, "missing.pem")}, "ssl.quorum.trustStore.location=" + filepath.Join(dir, "missing.pem")},
	} {
		code, _, errOut := run(append(append([]string{"probe"}, tc.args...), "127.0.0.1:1")...)
		assert.Equal(t, exitUsage, code, tc.want)
		assert.Contains(t, errOut, tc.want)
	}
}
