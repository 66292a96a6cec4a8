package metrics_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zkfle/zkfle/actors"
	"github.com/zkfle/zkfle/actors/actorstest"
	"github.com/zkfle/zkfle/history"
	"github.com/zkfle/zkfle/history/testensemble"
	"github.com/zkfle/zkfle/metrics"
	"go.uber.org/goleak"
)

// client opens a connection per request, so no idle keep-alive goroutine
// outlives a test (goleak).
var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

// scrape GETs the endpoint and parses the text exposition format.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := client.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return fams
}

// value returns the sample of family name whose labels include want
// (sid is always 1 here), or fails.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	f, ok := fams[name]
	require.True(t, ok, "no metric %s", name)
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["sid"] != "1" {
			continue
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.GetCounter() != nil:
			return m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			return m.GetGauge().GetValue()
		case m.GetHistogram() != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	require.Failf(t, "no sample", "%s%v", name, want)
	return 0
}

// The metrics of a node move when it takes part in an election, when an
// actor restarts and when malformed input arrives.
func TestMetricsMoveWithAnElection(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction(testensemble.LeakOptions()[0]))
	ens := testensemble.New(t, 3)
	start := time.Now()
	n1 := ens.Start(1)[0]
	rec, err := history.New(0)
	require.NoError(t, err)
	m, err := metrics.New(n1, rec, metrics.Options{})
	require.NoError(t, err)
	w := history.Watch(n1, rec, start)
	srv := httptest.NewServer(m.Handler())

	// Before: alone, node 1 looks and tries to reach its peers (whose
	// ports are bound but not served yet).
	require.True(t, testensemble.WaitFor(10*time.Second, func() bool {
		return value(t, scrape(t, srv.URL), "zkfle_peer_connect_attempts_total", map[string]string{"peer": "2"}) > 0
	}), "connection attempts to the absent peer are counted")
	before := scrape(t, srv.URL)
	assert.Equal(t, 1.0, value(t, before, "zkfle_server_state", map[string]string{"state": "LOOKING"}))
	assert.Equal(t, 0.0, value(t, before, "zkfle_server_state", map[string]string{"state": "LEADING"}))
	assert.Equal(t, 0.0, value(t, before, "zkfle_elections_total", nil))
	assert.Equal(t, 0.0, value(t, before, "zkfle_election_duration_seconds", nil))
	assert.Positive(t, value(t, before, "zkfle_peer_connect_attempts_total", map[string]string{"peer": "3"}))
	assert.Equal(t, 0.0, value(t, before, "zkfle_peer_connect_failures_total", map[string]string{"peer": "3"}),
		"a bound port accepts the connection")
	assert.Equal(t, 0.0, value(t, before, "zkfle_notifications_received_total", map[string]string{"peer": "3"}))
	assert.Equal(t, 0.0, value(t, before, "zkfle_actor_restarts_total", map[string]string{"kind": "election"}))
	assert.Equal(t, 0.0, value(t, before, "zkfle_malformed_inputs_total",
		map[string]string{"stage": metrics.StageNotification, "reason": "SHORT_BODY"}))
	assert.Equal(t, 100.0, value(t, before, "zkfle_receive_queue_capacity", nil))

	// The election.
	ens.Start(2, 3)
	require.True(t, testensemble.WaitFor(20*time.Second, func() bool { return rec.Total() == 1 }))
	after := scrape(t, srv.URL)
	assert.Equal(t, 1.0, value(t, after, "zkfle_elections_total", nil))
	assert.Equal(t, 1.0, value(t, after, "zkfle_election_duration_seconds", nil), "one duration observed")
	assert.Equal(t, 0.0, value(t, after, "zkfle_server_state", map[string]string{"state": "LOOKING"}))
	assert.Equal(t, 1.0, value(t, after, "zkfle_server_state", map[string]string{"state": "FOLLOWING"}),
		"sid 3 wins; sid 1 follows")
	assert.Positive(t, value(t, after, "zkfle_notifications_received_total", map[string]string{"peer": "3"}))
	assert.Greater(t, value(t, after, "zkfle_notifications_sent_total", map[string]string{"peer": "3"}),
		value(t, before, "zkfle_notifications_sent_total", map[string]string{"peer": "3"}))
	assert.Greater(t, value(t, after, "zkfle_election_round", nil), 0.0)
	assert.Equal(t, 1.0, value(t, after, "zkfle_peer_connected", map[string]string{"peer": "3"}))

	// A restart.
	path, ok := actorstest.ActorPath(n1, actors.KindElection)
	require.True(t, ok)
	require.NoError(t, actorstest.InjectFault(n1, path, "metrics test"))
	require.True(t, testensemble.WaitFor(10*time.Second, func() bool {
		return value(t, scrape(t, srv.URL), "zkfle_actor_restarts_total", map[string]string{"kind": "election"}) == 1
	}), "the election's restart is counted")

	// Malformed input: a connection that closes mid-handshake.
	addr, ok := ens.Verifier().Server(1)
	require.True(t, ok)
	conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", itoa(addr.Addrs[0].ElectionPort)))
	require.NoError(t, err)
	_, err = conn.Write([]byte{0xff, 0xff})
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	require.True(t, testensemble.WaitFor(10*time.Second, func() bool {
		f := scrape(t, srv.URL)["zkfle_malformed_inputs_total"]
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "stage" && l.GetValue() == metrics.StageHandshake && s.GetCounter().GetValue() > 0 {
					return true
				}
			}
		}
		return false
	}), "the refused handshake is counted by reason")

	srv.Close()
	w.Stop()
	ens.StopAll()
	// A stopped node's scrape still answers, with the series it can.
	srv = httptest.NewServer(m.Handler())
	defer srv.Close()
	final := scrape(t, srv.URL)
	assert.Equal(t, 1.0, value(t, final, "zkfle_elections_total", nil))
}

// Registering one node twice in one registry is refused.
func TestNewRefusesADuplicateSid(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		goleak.IgnoreAnyFunction(testensemble.LeakOptions()[0]))
	ens := testensemble.New(t, 1)
	n := ens.Start(1)[0]
	rec, err := history.New(0)
	require.NoError(t, err)
	m, err := metrics.New(n, rec, metrics.Options{})
	require.NoError(t, err)
	_, err = metrics.New(n, rec, metrics.Options{Registry: m.Registry()})
	require.Error(t, err)
	ens.StopAll()
}
