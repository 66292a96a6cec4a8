//go:build linux

package zkjava

import "syscall"

// sysProcAttr puts the JVM in its own process group (a Ctrl-C of the
// terminal reaches only the test binary) and has the kernel SIGKILL it
// when the thread that started it dies, so a test binary killed by its
// timeout leaves no server behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
