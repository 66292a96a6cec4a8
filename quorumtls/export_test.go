package quorumtls

import (
	"context"
	"net/netip"
	"time"
)

// SetPollInterval sets the reload watcher's interval for a test and
// returns a function restoring it.
func SetPollInterval(d time.Duration) (restore func()) {
	old := pollInterval
	pollInterval = d
	return func() { pollInterval = old }
}

// SetLookupIP replaces s's resolver of server-line names, for a test.
func (s *Source) SetLookupIP(f func(ctx context.Context, network, host string) ([]netip.Addr, error)) {
	s.lookupIP = f
}
