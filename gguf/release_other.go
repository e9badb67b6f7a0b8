//go:build !linux

package gguf

// releasePages does nothing where the madvise advice is not wired up; the
// pages stay resident until the file is closed.
func releasePages(b []byte) {}
