package zab

import (
	"fmt"
	"sync"
)

// The names of the two epochs, as ZooKeeper names their files
// (QuorumPeer.ACCEPTED_EPOCH_FILENAME and CURRENT_EPOCH_FILENAME; package
// zab/epochfile keeps them in <dataDir>/version-2/). EpochFile.String and
// the errors of both stores use them.
const (
	// AcceptedEpochName is the file of the last epoch this server accepted
	// (from LEADERINFO as a learner, or proposed as a leader).
	AcceptedEpochName = "acceptedEpoch"
	// CurrentEpochName is the file of the last epoch this server
	// acknowledged NEWLEADER for (or established as a leader).
	CurrentEpochName = "currentEpoch"
)

// EpochStorage is where a server keeps acceptedEpoch and currentEpoch.
// Two implementations enforce the same rules with the same errors:
// epochfile.Store (package zab/epochfile: ZooKeeper's files in
// dataDir/version-2, the only file I/O of the epoch agreement) and
// MemoryEpochs (memory only, for simulators, tests and embedded nodes
// without a dataDir), in the manner of etcd raft's MemoryStorage beside
// its WAL. Both check a write with AcceptedRule and CurrentRule and route
// an EpochWrite with ApplyEpochWrite, so the rules exist once.
//
// The rules: a write returns only once it would survive a restart; an
// epoch never goes back (ErrEpochRegression); currentEpoch never exceeds
// acceptedEpoch (ErrEpochOrder); a refused or failed write leaves both
// values unchanged, and the invariant checks come before the write, so a
// misuse is reported as such even while writes fail.
type EpochStorage interface {
	// Accepted returns acceptedEpoch.
	Accepted() int64
	// Current returns currentEpoch.
	Current() int64
	// SetAccepted durably records acceptedEpoch.
	SetAccepted(e int64) error
	// SetCurrent durably records currentEpoch.
	SetCurrent(e int64) error
	// Apply carries out one of a session's EpochWrite outputs.
	Apply(w EpochWrite) error
	// Probe checks that a write would succeed now, changing nothing.
	Probe() error
}

var _ EpochStorage = (*MemoryEpochs)(nil)

// EpochSetter is the part of an EpochStorage that ApplyEpochWrite needs.
type EpochSetter interface {
	// SetAccepted durably records acceptedEpoch.
	SetAccepted(e int64) error
	// SetCurrent durably records currentEpoch.
	SetCurrent(e int64) error
}

// ApplyEpochWrite routes an EpochWrite to s's setters (an unknown file is
// an error): the Apply of every EpochStorage.
func ApplyEpochWrite(s EpochSetter, w EpochWrite) error {
	switch w.File {
	case AcceptedEpochFile:
		return s.SetAccepted(w.Epoch)
	case CurrentEpochFile:
		return s.SetCurrent(w.Epoch)
	}
	return fmt.Errorf("zab: unknown epoch file %d", w.File)
}

// MemoryEpochs is an EpochStorage in memory, with exactly the rules of
// the file store (epochfile.Store): the same sentinel errors for the same
// misuse, unchanged values after any error. FailWrites makes every write
// and Probe fail, as a full or read-only disk does, for tests of what a
// driver does then; Writes lists the writes that succeeded, in order, for
// tests of when it wrote.
//
// A MemoryEpochs is safe for concurrent use: a node's driver writes from
// its session while a probe and status readers run on other goroutines.
// Its mutex is the only one in package zab; the session machines take
// their epochs as values and hand writes back as EpochWrite outputs.
type MemoryEpochs struct {
	mu       sync.Mutex
	accepted int64
	current  int64
	fail     error
	writes   []EpochWrite
}

// NewMemoryEpochs returns a store holding accepted and current, checked as
// epochfile.Open checks the files: each a decimal long >= 0
// (ErrCorruptEpochFile otherwise) and accepted >= current (ErrEpochOrder).
func NewMemoryEpochs(accepted, current int64) (*MemoryEpochs, error) {
	for _, v := range []struct {
		name  string
		epoch int64
	}{{AcceptedEpochName, accepted}, {CurrentEpochName, current}} {
		if v.epoch < 0 {
			return nil, &EpochFileError{Path: "memory:" + v.name, Content: fmt.Sprint(v.epoch), Err: ErrCorruptEpochFile}
		}
	}
	if accepted < current {
		return nil, fmt.Errorf("%w: the accepted epoch, %d (memory), is less than the current epoch, %d (memory)",
			ErrEpochOrder, accepted, current)
	}
	return &MemoryEpochs{accepted: accepted, current: current}, nil
}

// Accepted returns acceptedEpoch.
func (m *MemoryEpochs) Accepted() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.accepted
}

// Current returns currentEpoch.
func (m *MemoryEpochs) Current() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.current
}

// SetAccepted records e as acceptedEpoch, refusing an e below it
// (ErrEpochRegression), as epochfile.Store.SetAccepted.
func (m *MemoryEpochs) SetAccepted(e int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := AcceptedRule(m.accepted, e, "memory"); err != nil {
		return err
	}
	if m.fail != nil {
		return fmt.Errorf("zab: writing epoch file memory:%s: %w", AcceptedEpochName, m.fail)
	}
	m.accepted = e
	m.writes = append(m.writes, EpochWrite{File: AcceptedEpochFile, Epoch: e})
	return nil
}

// SetCurrent records e as currentEpoch, refusing an e above acceptedEpoch
// (ErrEpochOrder) or below currentEpoch (ErrEpochRegression), as
// epochfile.Store.SetCurrent.
func (m *MemoryEpochs) SetCurrent(e int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := CurrentRule(m.accepted, m.current, e, "memory"); err != nil {
		return err
	}
	if m.fail != nil {
		return fmt.Errorf("zab: writing epoch file memory:%s: %w", CurrentEpochName, m.fail)
	}
	m.current = e
	m.writes = append(m.writes, EpochWrite{File: CurrentEpochFile, Epoch: e})
	return nil
}

// Apply carries out one of a session's EpochWrite outputs.
func (m *MemoryEpochs) Apply(w EpochWrite) error { return ApplyEpochWrite(m, w) }

// Probe fails while FailWrites is in force, and succeeds otherwise.
func (m *MemoryEpochs) Probe() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return fmt.Errorf("zab: probing memory: %w", m.fail)
	}
	return nil
}

// FailWrites makes every later write and Probe fail with an error
// wrapping err (after the invariant checks, as a failing disk does), or,
// with nil, succeed again.
func (m *MemoryEpochs) FailWrites(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = err
}

// Writes returns the writes that succeeded, oldest first.
func (m *MemoryEpochs) Writes() []EpochWrite {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]EpochWrite(nil), m.writes...)
}

// AcceptedRule is the rule every EpochStorage keeps for acceptedEpoch,
// checked before any write: it never goes back (ErrEpochRegression; since
// acceptedEpoch >= currentEpoch, that also keeps it at or above the
// current epoch). where names the store (a path, "memory") in the error.
func AcceptedRule(accepted, e int64, where string) error {
	if e < accepted {
		return fmt.Errorf("%w: acceptedEpoch %d -> %d (%s)", ErrEpochRegression, accepted, e, where)
	}
	return nil
}

// CurrentRule is the rule every EpochStorage keeps for currentEpoch,
// checked before any write: a server acknowledges only an epoch it has
// accepted (ErrEpochOrder), and it never goes back (ErrEpochRegression).
// where names the store in the error.
func CurrentRule(accepted, current, e int64, where string) error {
	if e > accepted {
		return fmt.Errorf("%w: currentEpoch %d would exceed acceptedEpoch %d (%s)", ErrEpochOrder, e, accepted, where)
	}
	if e < current {
		return fmt.Errorf("%w: currentEpoch %d -> %d (%s)", ErrEpochRegression, current, e, where)
	}
	return nil
}
