package redislocal

import "syscall"

// procAttr makes the kernel kill the server when the program that started it dies, so a crashed test or a
// stopped notebook cell leaves no redis-server behind.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
