package sample_test

import (
	"fmt"

	"github.com/amulet-llm/amulet/amulet/sample"
)

func ExampleSampler() {
	scores := []float32{0.5, 3, 1, 2.5} // e.g. realigned scores over a 4-token vocabulary
	greedy, _ := sample.New(len(scores), sample.Params{LogitBias: map[int32]float64{1: -1}}, 0)
	fmt.Println("greedy with bias:", greedy.Pick(append([]float32(nil), scores...)))

	s, _ := sample.New(len(scores), sample.Params{Temperature: 0.7, TopK: 2}, 42)
	counts := map[int32]int{}
	for range 1000 {
		counts[s.Pick(append([]float32(nil), scores...))]++
	}
	fmt.Println("only the top 2 are drawn:", counts[0] == 0 && counts[2] == 0, counts[1] > counts[3])
	// Output:
	// greedy with bias: 3
	// only the top 2 are drawn: true true
}
