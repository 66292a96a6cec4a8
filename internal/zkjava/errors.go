package zkjava

import "errors"

// Sentinel errors. Every error this package returns for a bad argument or
// a missing dependency wraps one of them and names the bad value.
var (
	// ErrNotInstalled: java, the ZooKeeper server jar or the SLF4J binding
	// is missing (install Debian's `zookeeper` package).
	ErrNotInstalled = errors.New("zkjava: ZooKeeper 3.8 is not installed")

	// ErrBadSpec: an ensemble description is unusable (duplicate or
	// non-positive sid, a port outside 1..65535, a Java member without a
	// client port, ...).
	ErrBadSpec = errors.New("zkjava: bad ensemble spec")

	// ErrUnknownServer: a sid that is not a Java server of this ensemble.
	ErrUnknownServer = errors.New("zkjava: no such Java server")

	// ErrNotRunning: the server was never started, or has exited.
	ErrNotRunning = errors.New("zkjava: server not running")

	// ErrAlreadyRunning: Start on a server that is still running.
	ErrAlreadyRunning = errors.New("zkjava: server already running")

	// ErrNotServing: the server answered srvr with "not currently serving
	// requests" (it is electing, or synchronising with its leader).
	ErrNotServing = errors.New("zkjava: server not serving")

	// ErrBadAnswer: a four-letter-word answer could not be parsed.
	ErrBadAnswer = errors.New("zkjava: unparsable four-letter-word answer")

	// ErrTimeout: a wait ran out of time; the message says what was
	// still missing.
	ErrTimeout = errors.New("zkjava: timed out")
)
