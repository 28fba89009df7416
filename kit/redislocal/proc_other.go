//go:build !linux

package redislocal

import "syscall"

// procAttr: only Linux can tie the server's life to its parent's; elsewhere Close (or Kill) must stop it.
func procAttr() *syscall.SysProcAttr { return nil }
