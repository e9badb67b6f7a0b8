package sample_test

import (
	"fmt"
	"math"

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

// The top-p nucleus of four tokens with probabilities 0.1, 0.5, 0.15 and 0.25: the two best
// reach 0.75, so top-p 0.7 keeps them, best first.
func ExampleNucleus() {
	probs := []float64{0.1, 0.5, 0.15, 0.25}
	z := make([]float32, len(probs))
	for i, p := range probs {
		z[i] = float32(math.Log(p))
	}
	fmt.Println(sample.Nucleus([]int32{0, 1, 2, 3}, z, 0.7))
	// Output: [1 3]
}
