package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill a child if caisload dies without
// stopping it (a SIGPIPE from `caisload | head`, a kill -9): a bot or
// bare reference left serving would skew the next run on the machine.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
