package quorum

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors. Every error this package returns wraps exactly one of
// them (test with errors.Is); the message around it names the bad value.
// Errors about one server.N entry are also a *ServerError, errors about
// one key of a config string a *ConfigError (use errors.As).
var (
	// ErrSyntax: the config text is not valid Java Properties text as
	// ZooKeeper could have produced it (invalid UTF-8, a malformed
	// \uXXXX escape, an unpaired UTF-16 surrogate).
	ErrSyntax = errors.New("quorum: config syntax error")

	// ErrUnknownKey: a config key other than server.*, group*, weight*
	// and version (configFromString's "Unrecognised parameter").
	ErrUnknownKey = errors.New("quorum: unrecognised config key")

	// ErrBadID: a server or group id that is not a decimal Java long.
	ErrBadID = errors.New("quorum: bad id")

	// ErrBadVersion: a version that is not a hex Java long, or is
	// negative (Java would print it as 16 hex digits it cannot re-read).
	ErrBadVersion = errors.New("quorum: bad config version")

	// ErrBadWeight: a weight that is not a decimal Java long.
	ErrBadWeight = errors.New("quorum: bad weight")

	// ErrBadServerLine: a server value that is not
	// host:qport:eport[:type][|...][;[clientHost:]clientPort].
	ErrBadServerLine = errors.New("quorum: malformed server line")

	// ErrBadHost: an empty host, or one with characters that could not
	// survive a print/parse round trip (controls, whitespace, \ | ; [ ]
	// and, outside an IPv6 literal, ':').
	ErrBadHost = errors.New("quorum: bad host")

	// ErrBadPort: a port that is not a decimal int in 0..65535.
	ErrBadPort = errors.New("quorum: bad port")

	// ErrSamePorts: an address whose quorum and election ports are equal.
	ErrSamePorts = errors.New("quorum: quorum port equals election port")

	// ErrBadType: a learner type other than participant or observer.
	ErrBadType = errors.New("quorum: bad learner type")

	// ErrMixedTypes: the addresses of one server name different types.
	ErrMixedTypes = errors.New("quorum: addresses of one server have different types")

	// ErrDuplicateAddress: one server lists the same quorum (or election)
	// address twice. Java keeps them in a set and would print one pair.
	ErrDuplicateAddress = errors.New("quorum: duplicate address in one server")

	// ErrDuplicateServer: two members with the same sid.
	ErrDuplicateServer = errors.New("quorum: duplicate server id")

	// ErrDuplicateGroup: two group keys with the same group id.
	ErrDuplicateGroup = errors.New("quorum: duplicate group id")

	// ErrDuplicateWeight: two weight keys for the same sid.
	ErrDuplicateWeight = errors.New("quorum: duplicate weight")

	// ErrEmptyGroup: a group with no member sids.
	ErrEmptyGroup = errors.New("quorum: empty group")

	// ErrMultipleGroups: a sid listed in more than one group (or twice in
	// one).
	ErrMultipleGroups = errors.New("quorum: sid in more than one group")

	// ErrNoGroup: a participant of a hierarchical config in no group.
	ErrNoGroup = errors.New("quorum: participant in no group")

	// ErrNoWeight: a grouped sid that is neither a participant (which
	// gets weight 1) nor given a weight (Java throws a
	// NullPointerException computing its group's weight).
	ErrNoWeight = errors.New("quorum: grouped sid has no weight")

	// ErrObserversOnly: a config with observers but no participants
	// (configFromString's "Observers w/o participants").
	ErrObserversOnly = errors.New("quorum: observers without participants")
)

// ServerError reports a bad server.N entry: from ParseServerLine, from a
// server key of ParseConfig, or from a Server handed to a constructor.
type ServerError struct {
	// ID is the server id.
	ID int64
	// Value is the server line as written, or "" for a Server value that
	// did not come from text.
	Value string
	// Err is the reason; it wraps one of the sentinel errors.
	Err error
}

// Error names the server, its line and the reason.
func (e *ServerError) Error() string {
	if e.Value == "" {
		return "quorum: server." + strconv.FormatInt(e.ID, 10) + ": " + reason(e.Err)
	}
	return fmt.Sprintf("quorum: server.%d=%q: %s", e.ID, e.Value, reason(e.Err))
}

// Unwrap returns the reason.
func (e *ServerError) Unwrap() error { return e.Err }

// ConfigError reports a bad key=value entry of a config string.
type ConfigError struct {
	// Key is the key as decoded (escapes applied).
	Key string
	// Value is the value as decoded.
	Value string
	// Err is the reason; it wraps one of the sentinel errors (and may be
	// a *ServerError).
	Err error
}

// Error names the key, its value and the reason.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("quorum: config %q=%q: %s", e.Key, e.Value, reason(e.Err))
}

// reason is an inner error's message without the package prefix, which
// the outer message already has.
func reason(err error) string {
	return strings.TrimPrefix(err.Error(), "quorum: ")
}

// Unwrap returns the reason.
func (e *ConfigError) Unwrap() error { return e.Err }

// wrapf wraps a sentinel with a detail that names the bad value.
func wrapf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)
}
