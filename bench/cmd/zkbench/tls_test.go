package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/quorumtls"
)

func TestParseTransports(t *testing.T) {
	got, err := parseTransports("tls, plain,tls")
	require.NoError(t, err)
	assert.Equal(t, []transport{transportTLS, transportPlain}, got)

	_, err = parseTransports("plain,ssl")
	require.ErrorIs(t, err, ErrBadFlag)
	var fe *FlagError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "tls", fe.Flag)
	assert.Contains(t, err.Error(), `"ssl"`)
}

func TestTLSFlagDefaultsToPlain(t *testing.T) {
	o, err := parseOptions(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []transport{transportPlain}, o.transports, "existing invocations measure what they did")

	o, err = parseOptions([]string{"-tls", "plain,tls"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []transport{transportPlain, transportTLS}, o.transports)
}

// readKeyStore loads a PEM key store the way a TLS stack does: the
// PRIVATE KEY block and the CERTIFICATE blocks of one file.
func readKeyStore(t *testing.T, path string) tls.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	first, _ := pem.Decode(data)
	require.NotNil(t, first, "%s holds PEM", path)
	assert.Equal(t, "PRIVATE KEY", first.Type, "ZooKeeper's PEM key store: the key first")
	cert, err := tls.X509KeyPair(data, data)
	require.NoError(t, err, "%s: key and certificate of one pair", path)
	return cert
}

func TestWriteQuorumCerts(t *testing.T) {
	dir := t.TempDir()
	qc, err := writeQuorumCerts(dir, 3)
	require.NoError(t, err)
	caPEM, err := os.ReadFile(qc.trustStore)
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(caPEM), "the trust store is a PEM CA certificate")

	require.Len(t, qc.keyStores, 3)
	for sid := 1; sid <= 3; sid++ {
		path := qc.keyStores[sid]
		assert.Equal(t, filepath.Join(dir, "tls"), filepath.Dir(path), "in the run directory")
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "a private key is not world-readable")

		leaf, err := x509.ParseCertificate(readKeyStore(t, path).Certificate[0])
		require.NoError(t, err)
		for _, use := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
			_, err = leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: loopback, KeyUsages: []x509.ExtKeyUsage{use}})
			assert.NoError(t, err, "server %d: valid for %s as %v (ZooKeeper's hostname verification)", sid, loopback, use)
		}
		assert.True(t, leaf.NotAfter.After(time.Now().Add(30*24*time.Hour)), "no expiry warning in a log the harness reads")

		hosts := []string{loopback}
		assert.NoError(t, quorumtls.VerifyIdentity(leaf, int64(sid), hosts), "server %d proves its own sid", sid)
		other := int64(sid%3 + 1)
		assert.ErrorIs(t, quorumtls.VerifyIdentity(leaf, other, hosts), quorumtls.ErrIdentity,
			"server %d's certificate names its sid, so it cannot claim sid %d although both share 127.0.0.1", sid, other)
	}
}

// TestTLSKeyStoresHandshake: two servers' key stores and the trust store
// complete a mutually authenticated handshake, as the quorum peers do.
func TestTLSKeyStoresHandshake(t *testing.T) {
	qc, err := writeQuorumCerts(t.TempDir(), 2)
	require.NoError(t, err)
	caPEM, err := os.ReadFile(qc.trustStore)
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(caPEM))

	ln, err := tls.Listen("tcp", net.JoinHostPort(loopback, "0"), &tls.Config{
		Certificates: []tls.Certificate{readKeyStore(t, qc.keyStores[1])},
		ClientCAs:    roots, ClientAuth: tls.RequireAndVerifyClientCert,
	})
	require.NoError(t, err)
	defer ln.Close()
	peer := make(chan []*x509.Certificate, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			peer <- nil
			return
		}
		defer c.Close()
		tc := c.(*tls.Conn)
		if tc.Handshake() != nil {
			peer <- nil
			return
		}
		peer <- tc.ConnectionState().PeerCertificates
	}()
	c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{
		Certificates: []tls.Certificate{readKeyStore(t, qc.keyStores[2])},
		RootCAs:      roots, ServerName: loopback,
	})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Handshake())
	select {
	case got := <-peer:
		require.NotEmpty(t, got, "the server saw a verified client certificate")
		assert.NoError(t, quorumtls.VerifyIdentity(got[0], 2, []string{loopback}))
	case <-time.After(10 * time.Second):
		t.Fatal("no handshake on the server side")
	}
}

func TestZooCfgTLSLines(t *testing.T) {
	ports := map[int]serverPorts{1: {11, 21, 31}, 2: {12, 22, 32}, 3: {13, 23, 33}}
	dir := t.TempDir()
	qc, err := writeQuorumCerts(dir, 3)
	require.NoError(t, err)
	cfg, err := writeServerFiles(filepath.Join(dir, "s2"), 2, ports, defaultTiming, qc)
	require.NoError(t, err)
	text, err := os.ReadFile(cfg)
	require.NoError(t, err)
	assert.Contains(t, string(text), "server.3=127.0.0.1:23:33\n"+
		"sslQuorum=true\n"+
		"ssl.quorum.keyStore.location="+filepath.Join(dir, "tls", "s2.pem")+"\n"+
		"ssl.quorum.keyStore.type=PEM\n"+
		"ssl.quorum.trustStore.location="+filepath.Join(dir, "tls", "ca.pem")+"\n"+
		"ssl.quorum.trustStore.type=PEM\n", "ZooKeeper's keys, the server's own key store")

	plain := zooCfg(2, "/d", ports, defaultTiming, nil)
	assert.NotContains(t, plain, "ssl", "plaintext runs write the file they always did")
}

func TestPrepareEnsembleTLS(t *testing.T) {
	dir := t.TempDir()
	e, err := prepareEnsemble(dir, 3, defaultTiming, transportTLS)
	require.NoError(t, err)
	for _, s := range e.servers {
		text, err := os.ReadFile(s.cfgPath)
		require.NoError(t, err)
		assert.Contains(t, string(text), "sslQuorum=true\n")
		assert.Contains(t, string(text), "ssl.quorum.keyStore.location="+filepath.Join(dir, "tls", fmt.Sprintf("s%d.pem", s.sid))+"\n")
	}
	plainDir := t.TempDir()
	e, err = prepareEnsemble(plainDir, 3, defaultTiming, transportPlain)
	require.NoError(t, err)
	assert.NoDirExists(t, filepath.Join(plainDir, "tls"))
	text, err := os.ReadFile(e.servers[0].cfgPath)
	require.NoError(t, err)
	assert.NotContains(t, string(text), "sslQuorum")
}

func TestVariants(t *testing.T) {
	zkfle := system{name: "zkfle", title: "zkfle cmd/node", argv: func(c string) []string { return []string{"node", c} }}
	zk := system{name: "zookeeper", title: "ZooKeeper 3.8 (JVM)",
		argv:     func(c string) []string { return []string{"java", "-cp", "zk.jar", c} },
		tlsArgv:  func(c string) []string { return []string{"java", "-cp", "zk.jar:netty-codec.jar", c} },
		tlsNeeds: []string{os.Args[0]}}

	plain, notes := variants([]system{zkfle, zk}, []transport{transportPlain})
	assert.Empty(t, notes)
	require.Len(t, plain, 2)
	assert.Equal(t, "zkfle cmd/node", plain[0].title, "a plaintext-only table keeps its headers")
	assert.Equal(t, []string{"java", "-cp", "zk.jar", "c"}, plain[1].argv("c"))

	both, notes := variants([]system{zkfle, zk}, []transport{transportPlain, transportTLS})
	assert.Empty(t, notes)
	var titles []string
	for _, v := range both {
		titles = append(titles, v.title)
	}
	assert.Equal(t, []string{"zkfle cmd/node, plain", "zkfle cmd/node, TLS", "ZooKeeper 3.8 (JVM), plain", "ZooKeeper 3.8 (JVM), TLS"}, titles)
	assert.Equal(t, []string{"node", "c"}, both[1].argv("c"), "zkfle reads TLS from zoo.cfg alone")
	assert.Equal(t, []string{"java", "-cp", "zk.jar", "c"}, both[2].argv("c"), "plaintext ZooKeeper keeps the baseline's command line")
	assert.Equal(t, []string{"java", "-cp", "zk.jar:netty-codec.jar", "c"}, both[3].argv("c"))
	assert.Equal(t, "zookeeper-tls", both[3].dirName())
	assert.Equal(t, "ZooKeeper 3.8 (JVM)", both[3].baseTitle())

	zk.tlsNeeds = []string{filepath.Join(t.TempDir(), "netty-codec.jar")}
	some, notes := variants([]system{zkfle, zk}, []transport{transportPlain, transportTLS})
	assert.Len(t, some, 3, "no TLS column for a ZooKeeper that cannot run it")
	require.Len(t, notes, 1)
	assert.Contains(t, notes[0], "netty-codec.jar missing")
}

func TestZookeeperTLSClassPath(t *testing.T) {
	zk, err := zookeeperSystem("java", "128m")
	if err != nil {
		t.Skipf("ZooKeeper not installed: %v", err)
	}
	cp := func(argv []string) string {
		for i, a := range argv {
			if a == "-cp" {
				return argv[i+1]
			}
		}
		return ""
	}
	assert.Equal(t, zkJar+":"+slf4jSimple, cp(zk.argv("zoo.cfg")))
	assert.Equal(t, zkJar+":"+slf4jSimple+":"+nettyCodecJar, cp(zk.tlsArgv("zoo.cfg")),
		"without netty-codec.jar Debian's ZooKeeper never ends a TLS election")
	assert.True(t, strings.HasSuffix(strings.Join(zk.tlsArgv("zoo.cfg"), " "), zkMainClass+" zoo.cfg"))
}

// TestFailoverModeTLS runs failover mode's kill -9 once with TLS on both
// ports for cmd/node, and for ZooKeeper too when it is installed (the
// same skip rule as TestFailoverModeZookeeper): both come up, elect and
// fail over with the harness's certificates and zoo.cfg lines.
func TestFailoverModeTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 3-node TLS ensembles of cmd/node and of ZooKeeper")
	}
	systems := 2
	extra := []string{"-tls", "tls", "-failures", "kill"}
	if _, err := zookeeperSystem("java", "128m"); err != nil {
		require.ErrorIs(t, err, ErrNoZooKeeper)
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and real ZooKeeper is required: %v", err)
		}
		t.Logf("SKIPPING the ZooKeeper TLS column: %v", err)
		systems, extra = 1, append(extra, "-zk=false")
	}
	table := runFailoverBench(t, extra...)
	checkFailoverTable(t, table, systems, failKill)
	assert.Contains(t, table, "zkfle cmd/node, TLS")
	assert.Contains(t, table, "sslQuorum=true")
	if systems == 2 {
		assert.Contains(t, table, "ZooKeeper 3.8 (JVM), TLS")
	}
	assert.NotContains(t, table, "cost of TLS", "no plaintext column to compare with")
}

func TestBackoffNote(t *testing.T) {
	zkfle := []system{{name: "zkfle"}}
	note := backoffNote(options{idle: 2 * time.Second}, zkfle)
	assert.Contains(t, note, "-idle 2s < 10s")
	assert.Contains(t, note, "-idle 11s")
	assert.Empty(t, backoffNote(options{idle: 11 * time.Second}, zkfle), "a leader of 11 s ended a stable session")
	assert.Empty(t, backoffNote(options{idle: 2 * time.Second}, []system{{name: "zookeeper"}}), "only zkfle backs off")
}
