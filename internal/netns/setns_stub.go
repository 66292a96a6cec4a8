//go:build !linux

package netns

// setns is Linux only.
func setns(uintptr) error { return ErrUnsupported }
