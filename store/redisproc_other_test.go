//go:build !linux

package store_test

import "syscall"

// dieWithParent has no portable equivalent off Linux; cleanups still
// kill the processes when the tests end normally.
func dieWithParent() *syscall.SysProcAttr { return nil }
