package admin

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/zkfle/zkfle/actors"
)

// The admin view says whether TLS is on, names the certificate and lists
// only the refusals that happened.
func TestTLSView(t *testing.T) {
	assert.Equal(t, TLS{}, tlsView(actors.TLSStatus{Failures: map[string]map[string]uint64{
		actors.TLSPortElection: {actors.TLSFailPlaintext: 0}}}))

	v := tlsView(actors.TLSStatus{Enabled: true, Subject: "CN=server1", NotAfter: time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC),
		Failures: map[string]map[string]uint64{
			actors.TLSPortElection: {actors.TLSFailPlaintext: 2, actors.TLSFailExpired: 0},
			actors.TLSPortQuorum:   {actors.TLSFailIdentity: 0},
		}})
	assert.Equal(t, TLS{Enabled: true, CertSubject: "CN=server1", CertNotAfter: "2031-01-02T03:04:05Z",
		HandshakeFailures: map[string]map[string]uint64{actors.TLSPortElection: {actors.TLSFailPlaintext: 2}}}, v)
}
