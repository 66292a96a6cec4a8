//go:build linux

package netns

import "syscall"

// cloneNewNet is CLONE_NEWNET: setns may join only a network namespace.
const cloneNewNet = 0x40000000

// setns moves the calling thread into the network namespace fd refers to.
func setns(fd uintptr) error {
	if _, _, errno := syscall.RawSyscall(sysSetns, fd, cloneNewNet, 0); errno != 0 {
		return errno
	}
	return nil
}
