package store_test

import "syscall"

// dieWithParent makes the kernel kill a started redis-server if the test
// binary dies without running its cleanups (a timeout panic, a kill).
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
