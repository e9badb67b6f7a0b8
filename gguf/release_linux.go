package gguf

import (
	"os"
	"syscall"
	"unsafe"
)

// releasePages tells the kernel that the whole pages inside b, part of a
// read-only file mapping, are not needed now: they leave the process's
// resident set and are read back from the file if touched again.
func releasePages(b []byte) {
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo := (start + page - 1) &^ (page - 1)
	hi := (start + uintptr(len(b))) &^ (page - 1)
	if hi <= lo {
		return
	}
	// Advice only: a failure leaves the pages resident, nothing else.
	_ = syscall.Madvise(b[lo-start:hi-start], syscall.MADV_DONTNEED)
}
