package bench

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

// BenchmarkReadBandwidth measures the memory read bandwidth that bounds
// decoding: a 1 GiB buffer (far larger than the caches) scanned with
// bytes.IndexByte (vector loads, a byte that never occurs), split over 1
// and 2 threads.
// MB/s is bytes read; a decode step reads every weight byte once, so file
// bytes / this rate is the floor of a token's time (issue 6's "bandwidth
// floor").
//
//	go test ./bench -run '^$' -bench ReadBandwidth -benchtime 5x
func BenchmarkReadBandwidth(b *testing.B) {
	const size = 1 << 30
	buf := bytes.Repeat([]byte{1}, size) // every page written: reads hit memory, not the zero page
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("t%d", threads), func(b *testing.B) {
			b.SetBytes(size)
			found := make([]int, threads)
			for b.Loop() {
				var wg sync.WaitGroup
				for t := range threads {
					part := buf[t*len(buf)/threads : (t+1)*len(buf)/threads]
					wg.Go(func() { found[t] = bytes.IndexByte(part, 0) })
				}
				wg.Wait()
			}
			if found[0] != -1 {
				b.Fatal("scan found a byte that was never written")
			}
		})
	}
}
