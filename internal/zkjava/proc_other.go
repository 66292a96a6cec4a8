//go:build !linux

package zkjava

import "syscall"

// sysProcAttr puts the JVM in its own process group where the platform
// supports nothing more.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
