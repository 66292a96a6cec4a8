package quorumtls

import (
	"errors"
	"fmt"
)

// Sentinel errors of Load and of a reload: every *StoreError wraps one.
var (
	// ErrStoreRead: a store or password file is missing or unreadable
	// (the *fs.PathError is wrapped too).
	ErrStoreRead = errors.New("quorumtls: cannot read file")
	// ErrStoreFormat: the file is not a store of its type, or holds no
	// usable key or certificate.
	ErrStoreFormat = errors.New("quorumtls: bad store")
	// ErrStorePassword: the store's password does not open it.
	ErrStorePassword = errors.New("quorumtls: wrong store password")
	// ErrKeyMismatch: the key store's private key is not the key of its
	// first certificate.
	ErrKeyMismatch = errors.New("quorumtls: private key does not match the certificate")
	// ErrExpired: the key store's certificate has expired. zkfle does not
	// start (nor reload) with one: no verifying peer would accept it.
	ErrExpired = errors.New("quorumtls: certificate expired")
)

// StoreError is a key or trust store (or its password file) that could
// not be used: the ZooKeeper key naming the file, the file, and why.
type StoreError struct {
	// Key is the setting naming File, e.g. ssl.quorum.keyStore.location.
	Key string
	// File is the path.
	File string
	// Reason says what went wrong.
	Reason string
	// Err wraps one of the sentinels (and the cause).
	Err error
}

func (e *StoreError) Error() string {
	return fmt.Sprintf("%s=%s: %s", e.Key, e.File, e.Reason)
}

// Unwrap returns the sentinel and the cause.
func (e *StoreError) Unwrap() error { return e.Err }

// storeErr builds a *StoreError wrapping sentinel and cause (if any).
func storeErr(key, file string, sentinel, cause error, reason string) *StoreError {
	err := sentinel
	if cause != nil {
		err = fmt.Errorf("%w: %w", sentinel, cause)
	}
	return &StoreError{Key: key, File: file, Reason: reason, Err: err}
}
