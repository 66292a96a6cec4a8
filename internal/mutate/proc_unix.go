//go:build unix

package mutate

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts go test and everything it starts (the test
// binaries, and the processes end-to-end tests launch) in a process group
// of their own, and makes a cancelled run kill that whole group, so a
// hung mutation leaves nothing behind.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
