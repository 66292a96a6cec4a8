package zoocfg

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every *Error wraps exactly one of them (test with
// errors.Is); errors about server, group and weight lines also wrap the
// quorum package's error (errors.As to *quorum.ServerError or
// *quorum.ConfigError, errors.Is with quorum's sentinels).
var (
	// ErrRead: a file (zoo.cfg, the dynamic config file, myid) could not
	// be read. The *fs.PathError is wrapped too (errors.Is(err,
	// fs.ErrNotExist) works).
	ErrRead = errors.New("zoocfg: cannot read file")

	// ErrSyntax: the text is not valid Java Properties text (a malformed
	// \uXXXX escape).
	ErrSyntax = errors.New("zoocfg: properties syntax error")

	// ErrBadValue: a value of the wrong type or out of range: not an
	// integer, not true/false, a port outside 0..65535, an electionAlg
	// other than 3, an unknown peerType.
	ErrBadValue = errors.New("zoocfg: bad value")

	// ErrMissing: a key ZooKeeper requires is absent or zero (dataDir,
	// tickTime=0, initLimit and syncLimit of an ensemble, clientPort when
	// clientPortAddress is set).
	ErrMissing = errors.New("zoocfg: required key not set")

	// ErrConflict: keys that contradict each other (this server's client
	// address in clientPort/clientPortAddress and on its server line,
	// server lines beside dynamicConfigFile, a version inside the dynamic
	// file, minSessionTimeout above maxSessionTimeout, SASL required but
	// not enabled, observers beside a single standalone participant).
	ErrConflict = errors.New("zoocfg: conflicting keys")

	// ErrEnsemble: a server.N, group.N, weight.N or version line that
	// ZooKeeper's quorum verifiers refuse. The quorum package's error is
	// wrapped too.
	ErrEnsemble = errors.New("zoocfg: bad ensemble")

	// ErrMultiAddress: a server line lists several addresses but
	// multiAddress.enabled is not true.
	ErrMultiAddress = errors.New("zoocfg: several addresses per server need multiAddress.enabled=true")

	// ErrUnsupported: a setting zkfle cannot honour and must not silently
	// ignore, because the peers would then disagree or security would be
	// off (sslQuorum, quorum SASL, oraclePath).
	ErrUnsupported = errors.New("zoocfg: unsupported setting")

	// ErrStandalone: NodeConfig was asked for a node of a configuration
	// ZooKeeper runs standalone (no server lines, or one participant
	// with standaloneEnabled=true): there is no election to take part in.
	ErrStandalone = errors.New("zoocfg: standalone configuration")

	// ErrNotMember: the myid has no server line in the ensemble.
	ErrNotMember = errors.New("zoocfg: myid is not in the ensemble")

	// ErrBadMyID: the myid file is missing, empty, or its first line is
	// not a decimal Java long.
	ErrBadMyID = errors.New("zoocfg: bad myid file")
)

// Error reports a bad key=value of a zoo.cfg (or of its dynamic config
// file, or a bad myid file). Use errors.As to get it.
type Error struct {
	// File names the file: the path given to Load, "zoo.cfg" for Parse,
	// the dynamic config file's path, or the myid file's path.
	File string
	// Key is the key as written (trimmed), or "" for an error about the
	// file as a whole.
	Key string
	// Value is the value as ZooKeeper sees it (trimmed, except on server,
	// group and weight lines, which ZooKeeper reads untrimmed).
	Value string
	// Reason says what is wrong, in words.
	Reason string
	// Err wraps one of this package's sentinels, and for ensemble errors
	// the quorum package's error as well.
	Err error
}

// Error names the file, the key and its value, and the reason, e.g.
// `zoo.cfg: tickTime="abc": not an integer`.
func (e *Error) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("%s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("%s: %s=%q: %s", e.File, e.Key, e.Value, e.Reason)
}

// Unwrap returns the wrapped sentinel (and any underlying error).
func (e *Error) Unwrap() error { return e.Err }
