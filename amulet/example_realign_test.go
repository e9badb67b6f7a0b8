package amulet_test

import (
	"fmt"
	"math"

	"github.com/amulet-llm/amulet/amulet"
	"github.com/amulet-llm/amulet/amulet/sample"
)

// The collapsed coefficient of the paper's default setting.
func ExampleCoefficient() {
	k := amulet.Coefficient(amulet.DefaultAlpha, amulet.DefaultLambda, amulet.DefaultEta, amulet.DefaultIterations)
	fmt.Printf("k = %.4f, CFG scale = %.4f\n", k, 1+k)
	// Output: k = 4.6487, CFG scale = 5.6487
}

// The literal FTRL loop and the one-line form give the same distribution.
func ExampleFTRL() {
	p := []float64{math.Log(0.5), math.Log(0.3), math.Log(0.2)} // with the preference
	b := []float64{math.Log(0.7), math.Log(0.2), math.Log(0.1)} // without it
	z := make([]float64, 3)
	amulet.FTRL(z, p, b, 2, 2, 10, 60, nil)
	amulet.LogSoftmax(z, z)
	k := amulet.Coefficient(2, 2, 10, 60)
	c := make([]float64, 3)
	for i := range c {
		c[i] = p[i] + k*(p[i]-b[i])
	}
	amulet.LogSoftmax(c, c)
	for i := range z {
		fmt.Printf("token %d: literal %.6f collapsed %.6f\n", i, math.Exp(z[i]), math.Exp(c[i]))
	}
	// Output:
	// token 0: literal 0.014743 collapsed 0.014743
	// token 1: literal 0.278378 collapsed 0.278378
	// token 2: literal 0.706880 collapsed 0.706880
}

// Two weighted preferences, one pushed away from, combined with the base row in one pass.
func ExampleCombiner() {
	base := []float32{2, 1, 0}
	concise := []float32{1, 2, 0} // the "concise" context prefers token 1
	formal := []float32{1, 1, 2}  // the "formal" context prefers token 2
	comb, err := amulet.NewCombiner(amulet.MethodAmulet, amulet.Params{}, []float64{1, -0.5}, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	z := make([]float32, 3)
	comb.Combine(z, base, [][]float32{concise, formal})
	fmt.Printf("k=%.4f next token %d\n", comb.K(), sample.Argmax(z))
	// Output: k=4.6487 next token 1
}
