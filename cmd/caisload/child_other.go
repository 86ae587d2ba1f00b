//go:build !linux

package main

import "os/exec"

// dieWithParent: only Linux offers a parent-death signal; elsewhere a
// child of a killed caisload must be stopped by hand.
func dieWithParent(*exec.Cmd) {}
