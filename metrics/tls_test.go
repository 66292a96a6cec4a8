package metrics_test

import (
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/history"
	"github.com/zkfle/zkfle/internal/freeport"
	"github.com/zkfle/zkfle/internal/testcerts"
	"github.com/zkfle/zkfle/metrics"
	"github.com/zkfle/zkfle/quorum"
)

// A TLS node exposes that TLS is on, its certificate's expiry, and its
// refused connections by port and reason.
func TestTLSMetrics(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction("github.com/asynkron/protoactor-go/actor.NewDeadLetter.NewThrottle.func4.1"))
	ca := testcerts.MustCA("metrics CA")
	notAfter := time.Now().Add(72 * time.Hour).Truncate(time.Second)
	leaf := ca.MustIssue(testcerts.LeafOptions{CommonName: "server1", IPs: []net.IP{net.ParseIP("127.0.0.1")},
		NotAfter: notAfter})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	qport, err := freeport.Port() // below the ephemeral range: no outgoing connection takes it first
	require.NoError(t, err)
	v, err := quorum.NewMajority([]quorum.Server{{ID: 1, Addrs: []quorum.AddrPair{
		{Host: "127.0.0.1", QuorumPort: qport, ElectionPort: ln.Addr().(*net.TCPAddr).Port}}}}, 0)
	require.NoError(t, err)
	cfg := actors.DefaultConfig()
	cfg.ID, cfg.Verifier = 1, v
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cert := leaf.TLS()
	cfg.TLS = &actors.QuorumTLS{
		Server: &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: ca.Pool(), ClientAuth: tls.RequireAndVerifyClientCert},
		Client: &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: ca.Pool()},
	}
	n, err := actors.Start(cfg, actors.WithListeners(ln))
	require.NoError(t, err)
	defer func() { require.NoError(t, n.Stop()) }()
	rec, err := history.New(0)
	require.NoError(t, err)
	m, err := metrics.New(n, rec, metrics.Options{})
	require.NoError(t, err)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	before := scrape(t, srv.URL)
	assert.Equal(t, 1.0, value(t, before, "zkfle_tls_enabled", nil))
	assert.Equal(t, float64(notAfter.Unix()), value(t, before, "zkfle_tls_certificate_not_after_seconds", nil))
	for _, port := range actors.TLSPorts {
		for _, reason := range actors.TLSFailureReasons {
			assert.Zero(t, value(t, before, "zkfle_tls_handshake_failures_total", map[string]string{"port": port, "reason": reason}))
		}
	}
	assert.Len(t, before["zkfle_tls_handshake_failures_total"].GetMetric(), len(actors.TLSPorts)*len(actors.TLSFailureReasons),
		"a closed set of series")

	// Plaintext on the TLS election port.
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return value(t, scrape(t, srv.URL), "zkfle_tls_handshake_failures_total",
			map[string]string{"port": actors.TLSPortElection, "reason": actors.TLSFailPlaintext}) == 1
	}, 10*time.Second, 10*time.Millisecond)
	assert.Zero(t, value(t, scrape(t, srv.URL), "zkfle_tls_handshake_failures_total",
		map[string]string{"port": actors.TLSPortQuorum, "reason": actors.TLSFailPlaintext}))
}
