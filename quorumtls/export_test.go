package quorumtls

import "time"

// SetPollInterval sets the reload watcher's interval for a test and
// returns a function restoring it.
func SetPollInterval(d time.Duration) (restore func()) {
	old := pollInterval
	pollInterval = d
	return func() { pollInterval = old }
}
