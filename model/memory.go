package model

import (
	"os"
	"strconv"
	"strings"
)

// memTotal is the machine's physical memory in bytes (MemTotal in /proc/meminfo), or 0 where
// that cannot be read: NewSession refuses a KV cache larger than it instead of letting an
// absurd context length exhaust memory.
func memTotal() uint64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				if kb, err := strconv.ParseUint(f[0], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}
