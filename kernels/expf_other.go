//go:build !amd64

package kernels

// softmaxAsm reports that Softmax has no assembly form here.
func softmaxAsm(x []float32) bool { return false }
