package sim

import (
	"errors"
	"fmt"
)

var (
	// ErrUnknownNode: the sid is not a member of the cluster.
	ErrUnknownNode = errors.New("sim: unknown node")
	// ErrNodeDown: the operation needs a running node.
	ErrNodeDown = errors.New("sim: node is down")
	// ErrNodeUp: the operation needs a node that is down.
	ErrNodeUp = errors.New("sim: node is already running")
	// ErrNoTimer: the node has no pending timer of that kind.
	ErrNoTimer = errors.New("sim: no timer armed")
	// ErrBadConfig: a cluster Config (or simulator Options) is unusable.
	ErrBadConfig = errors.New("sim: bad config")
)

// NodeError is an operation on one node that could not be done. It wraps
// one of the sentinel errors above.
type NodeError struct {
	// Op is the operation, e.g. "crash".
	Op string
	// Sid is the node.
	Sid int64
	// Err is the sentinel saying why.
	Err error
}

// Error names the operation, the node and the reason.
func (e *NodeError) Error() string { return fmt.Sprintf("%s %d: %v", e.Op, e.Sid, e.Err) }

// Unwrap returns the sentinel.
func (e *NodeError) Unwrap() error { return e.Err }

// ConfigError is a Config or Options field with an unusable value. It
// wraps ErrBadConfig.
type ConfigError struct {
	// Field names the field.
	Field string
	// Value is the bad value.
	Value any
	// Reason says what is wrong with it.
	Reason string
}

// Error names the field, the value and the reason.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("sim: bad config: %s = %v: %s", e.Field, e.Value, e.Reason)
}

// Unwrap returns ErrBadConfig.
func (e *ConfigError) Unwrap() error { return ErrBadConfig }
