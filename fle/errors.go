package fle

import (
	"errors"
	"fmt"
)

// ErrInvalidConfig is the sentinel every configuration error wraps, so a
// caller can test for "New rejected the Config" with errors.Is.
var ErrInvalidConfig = errors.New("fle: invalid config")

// ConfigError reports which Config field New rejected and why. It wraps
// ErrInvalidConfig.
type ConfigError struct {
	// Field is the Config field's name, e.g. "Timing.FinalizeWait".
	Field string
	// Value is the rejected value, as given.
	Value any
	// Reason says what was wrong with it.
	Reason string
}

// Error names the field, the bad value and the reason.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("fle: invalid config: %s = %v: %s", e.Field, e.Value, e.Reason)
}

// Unwrap returns ErrInvalidConfig.
func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }
